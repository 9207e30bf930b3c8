"""Sanic's server-wide limits for the assistant's one server: the channels and Rasa's HTTP API.

Sanic reads its settings from `SANIC_*` environment variables when Rasa creates the app, so the
entry point (bot/assistant.py) sets these defaults before Rasa starts, and an operator's own value
wins. Sanic enforces them before a body is read: a Content-Length over REQUEST_MAX_SIZE gets 413
at once, a chunked body is cut off when it passes the limit, a websocket frame over
WEBSOCKET_MAX_SIZE closes the socket. The channels refuse far less afterwards (REST and WeChat
64 KiB; an engine.io message, over polling or a websocket, 256 KiB). REQUEST_MAX_SIZE is sized for
the HTTP API, whose largest bodies are training data (`POST /model/train`: all of ours is 0.25 MB)
and a whole conversation (`PUT /conversations/<id>/tracker/events`: a 3 MB one is taken,
tests/production/test_limits.py); `PUT /model` takes a path or a model server, never the model
file itself. Behind a proxy, Sanic's own `SANIC_PROXIES_COUNT` (or `SANIC_REAL_IP_HEADER`,
`SANIC_FORWARDED_SECRET`) says which header holds the client's address (bot/guard/clients.py).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

REQUEST_MAX_SIZE = 8 * 1024 * 1024  # Sanic's default is 100 MB
# Sanic's default is 1 MiB; only the widget's socket.io uses websockets. Its messages are JSON with
# Chinese as \uXXXX escapes (6 bytes a character): 256 KiB lets a pasted 20,000-character text
# through to be answered "too long" (bot/guard/replies.py) instead of closing the socket.
WEBSOCKET_MAX_SIZE = 256 * 1024
DEFAULTS = {"SANIC_REQUEST_MAX_SIZE": REQUEST_MAX_SIZE, "SANIC_WEBSOCKET_MAX_SIZE": WEBSOCKET_MAX_SIZE}


def apply_defaults(env: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set Sanic's limits in `env` (the process environment) unless set already; the values in force."""
    env = os.environ if env is None else env
    for name, value in DEFAULTS.items():
        if not env.get(name):
            env[name] = str(value)
    return {name: env[name] for name in DEFAULTS}
