"""`python -m bot.action_server [rasa_sdk options]`: the action server, private from its first line.

`python -m rasa_sdk` as is, after it has:
1. set the umask to 077, so that every file the process creates (the staff database build/staff.db,
   its journal, logs) is its owner's only — the staff database is also created 0600 explicitly
   (bot/privacy/files.py);
2. put the masking log filter in place (bot/privacy/logs.py): a database error names the values
   it failed to write, a callback draft's phone number among them;
3. started the hourly purge of callback drafts nobody submitted (bot/requests/store.py).
"""

from __future__ import annotations

import os
import sys

from bot.privacy.files import PRIVATE_UMASK


def main(argv: list[str] | None = None) -> int:
    os.umask(PRIVATE_UMASK)
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    from bot.privacy import logs
    from bot.requests.store import purge_periodically, shared_store

    args = create_argument_parser().parse_args(sys.argv[1:] if argv is None else argv)
    logs.install()
    purge_periodically(shared_store())
    main_from_args(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
