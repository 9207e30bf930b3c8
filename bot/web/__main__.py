"""`python -m bot.web`: serve the residents' web widget (default http://127.0.0.1:8080/).

The page's browser connects to Rasa's socket.io at --rasa-url; Rasa must list this page's origin in
WEB_ORIGINS (bot.serve.Servers.web_origin does it). Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import os
import sys

from bot.web.app import create_app
from bot.web.assets import BundleError, patched_bundle


def main(argv: list[str] | None = None) -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=host, help="interface to listen on (default: $HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    parser.add_argument("--rasa-url", default=os.environ.get(
        "RASA_URL", f"http://{host}:{os.environ.get('RASA_PORT', '5005')}"),
        help="the assistant's URL as residents' browsers reach it (default: $RASA_URL)")
    args = parser.parse_args(argv)
    try:
        patched_bundle()  # fail here, with the reason, rather than inside the server
    except BundleError as error:
        print(f"web: {error}", file=sys.stderr)
        return 1
    app = create_app(args.rasa_url)
    print(f"web: the widget page at http://{args.host}:{args.port}/ talks to {args.rasa_url}", flush=True)
    app.run(host=args.host, port=args.port, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
