"""`python -m bot.assistant [rasa run options]`: one assistant process, ours from its first line.

`python -m rasa run` gives nothing of ours a chance to run before Rasa builds its server and loads
the model, and takes the HTTP API's token only on its command line, where any local user reads it
in /proc. This entry point runs Rasa's own `rasa run` in the same process, after it has:
1. set the umask to 077, so that every file the process creates (the SQLite tracker store and its
   -wal/-shm, logs) is its owner's only;
2. put bot/patches in place, refusing library versions they were not written for;
3. read the HTTP API's token from the file `--auth-token-file` names (never from argv);
4. set Sanic's server-wide limits (bot/guard/server.py: request and websocket sizes);
5. mask personal numbers and remove query strings (WeChat's signature, the API's `?token=`) in
   every log line (bot/privacy/logs.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PRIVATE_UMASK = 0o077


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """Rasa's `rasa run` arguments, with the token read from `--auth-token-file`."""
    from rasa.__main__ import create_argument_parser

    ours = argparse.ArgumentParser(prog="python -m bot.assistant", add_help=False, allow_abbrev=False)
    ours.add_argument("--auth-token-file", type=Path, default=None,
                      help="a file (owner-only) holding the token of Rasa's HTTP API")
    known, rasa_argv = ours.parse_known_args(argv)
    if any(argument == "--auth-token" or argument.startswith("--auth-token=") for argument in rasa_argv):
        raise SystemExit("bot.assistant: give the HTTP API's token as --auth-token-file, "
                         "not on the command line (any local user can read a command line)")
    args = create_argument_parser().parse_args(["run", *rasa_argv])
    if known.auth_token_file is not None:
        args.auth_token = read_token(known.auth_token_file)
    return args


def read_token(path: Path) -> str:
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise SystemExit(f"bot.assistant: the token file {path} is empty")
    if path.stat().st_mode & 0o077:
        raise SystemExit(f"bot.assistant: the token file {path} must be readable by its owner only (chmod 600)")
    return token


def configure_logging(args: argparse.Namespace) -> None:
    """As `rasa`'s own main does before it runs a command; then our masking of every log record."""
    import rasa.utils.io
    import rasa.utils.tensorflow.environment as tf_env
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from bot.privacy import logs

    log_level = getattr(args, "loglevel", None)
    configure_logging_and_warnings(log_level, getattr(args, "logging_config_file", None),
                                   warn_only_once=True, filter_repeated_logs=True)
    tf_env.setup_tf_environment()
    rasa.utils.io.configure_colored_logging(log_level)
    configure_structlog(log_level)
    logs.install()


def main(argv: list[str] | None = None) -> int:
    os.umask(PRIVATE_UMASK)
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    from bot import patches
    from bot.guard import server

    patches.install(skip=filter(None, os.environ.get(patches.OFF_ENV, "").split(",")))
    server.apply_defaults()
    configure_logging(args)
    sys.path.insert(1, os.getcwd())  # as rasa's main: custom components by their dotted path
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
