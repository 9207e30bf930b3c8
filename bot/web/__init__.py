"""The residents' web widget: a small Sanic app that serves the page and rasa-webchat from our origin.

- `app.create_app(rasa_url)` — the page, our own script and styles, and the rasa-webchat bundle
  (installed from npm at set-up, patched as it is served: no Google Fonts, no `javascript:` links).
- `assets.ensure_node_modules()` — the set-up step: `npm ci` when node_modules is missing or stale.
- `browser.ensure_chromium()` — the test set-up step: Debian's chromium and CJK fonts.
- `sanitise` — the rules that make bot text and URLs safe (no I/O); the widget's socket.io channel
  (bot/channels/socketio.py) applies them on the server before any text reaches a browser.

The browser talks to Rasa directly (socket.io); this app never proxies messages.
"""
