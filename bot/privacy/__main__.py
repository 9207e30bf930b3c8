"""`python -m bot.privacy remask`: mask again what older versions stored.

    python -m bot.privacy remask                 # the tracker store and the staff database in use
    python -m bot.privacy remask --dry-run       # count what would change, change nothing
    python -m bot.privacy remask --tracker postgresql://…/shizhong_tracker --staff postgresql://…/shizhong_staff

The tracker store is TRACKER_STORE_URL when set (else build/tracker.db), the staff database
STAFF_DATABASE_URL (else build/staff.db). Rows are rewritten in place; back the databases up first
if they are the only copy. Running assistants keep the conversations they have read in memory
until their next message (bot/patches/tracker_reads.py); what they store is masked either way.
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy.exc import SQLAlchemyError

from bot.endpoints import safe_url, tracker_store_url
from bot.privacy.files import PRIVATE_UMASK
from bot.privacy.remask import remask_tracker
from bot.requests.store import StaffStore, StaffStoreUnavailable, default_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.privacy", description="个人信息打码（存量数据）")
    commands = parser.add_subparsers(dest="command", required=True)
    remask = commands.add_parser("remask", help="mask stored rows again with today's rules")
    remask.add_argument("--tracker", default=None, help=f"tracker store URL (default {tracker_store_url()})")
    remask.add_argument("--staff", default=None, help=f"staff database URL (default {default_url()})")
    remask.add_argument("--dry-run", action="store_true", help="count what would change; change nothing")
    args = parser.parse_args(argv)
    os.umask(PRIVATE_UMASK)

    tracker, staff = args.tracker or tracker_store_url(), args.staff or default_url()
    verb = "would change" if args.dry_run else "changed"
    try:
        counts = remask_tracker(tracker, dry_run=args.dry_run)
        print(f"remask: tracker store {safe_url(tracker)}: {counts.rows} events read, {counts.changed} {verb}")
        if not args.dry_run:
            store = StaffStore(staff)
            try:
                changed = store.remask()
            finally:
                store.close()
            summary = ", ".join(f"{table} {count}" for table, count in changed.items())
            print(f"remask: staff database {safe_url(staff)}: rows changed (drafts purged): {summary}")
    except (SQLAlchemyError, StaffStoreUnavailable) as error:
        print(f"remask: cannot read the databases: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
