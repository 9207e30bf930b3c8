"""`python -m bot.console`: serve the staff console (default http://127.0.0.1:8090/, health /health).

Reads STAFF_DATABASE_URL (accounts, sessions, callback requests; default build/staff.db),
TRACKER_STORE_URL (conversations; default build/tracker.db), CONSOLE_SECRET (else
build/secrets/console-secret, created on first start) and CONSOLE_TLS=1 behind an HTTPS proxy.
The first admin account: `python -m bot.staff users add NAME --role admin --password-stdin`.
"""

from __future__ import annotations

import argparse
import os
import sys

from bot.console.secrets import SecretError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("CONSOLE_HOST", "127.0.0.1"),
                        help="interface to listen on (default 127.0.0.1: put a TLS proxy in front, docs/deploy.md)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8090")))
    args = parser.parse_args(argv)

    from bot.console.app import create_app
    from bot.console.settings import ConsoleSettings

    try:
        settings = ConsoleSettings.from_env()
    except (SecretError, ValueError) as error:
        print(f"console: {error}", file=sys.stderr)
        return 1
    app = create_app(settings)
    print(f"console: staff console at http://{args.host}:{args.port}/ (health /health)", flush=True)
    app.run(host=args.host, port=args.port, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
