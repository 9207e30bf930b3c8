"""`python -m bot.report`: write the staff's HTML report (with chart PNGs) and print a summary.

    python -m bot.report                      # build/tracker.db + build/staff.db → reports/
    python -m bot.report --out reports/2026-11 --tracker postgresql://…/shizhong_tracker

The tracker store is TRACKER_STORE_URL when set (else build/tracker.db), the staff database
STAFF_DATABASE_URL (else build/staff.db). Personal numbers stay masked in the report; its folder
is 0700 and its files 0600 (reports/ too when it is the default).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot import paths
from bot.privacy.files import PRIVATE_UMASK, private_dir, private_file, write_private_text
from bot.report import charts, page
from bot.report.conversations import compute, tracker_url
from bot.requests.store import BEIJING, StaffStore, StaffStoreUnavailable, default_url

REPORTS = paths.PROJECT / "reports"


def write_report(out: Path, tracker: str, staff: str, since: datetime | None = None,
                 until: datetime | None = None) -> tuple[Path, list[str]]:
    """Compute, draw and write; the page's path and the summary lines."""
    store = StaffStore(staff)
    try:
        figures = compute(tracker, store, since, until)
    finally:
        store.close()
    if out.resolve().is_relative_to(REPORTS.resolve()):
        private_dir(REPORTS)
    private_dir(out)
    drawn = charts.draw_all(figures, out)
    for chart in drawn.values():  # drawn under umask 077; narrowed if an older run left one wider
        private_file(chart)
    index = write_private_text(out / "index.html", page.render(figures, drawn, datetime.now(timezone.utc)))
    return index, page.summary_lines(figures)


def moment(text: str) -> datetime:
    """A date or date-time the staff typed, in Beijing time unless it names its zone."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date or time like 2026-11-01T08:00: {text!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.report", description="运行报告（HTML + 图表）")
    parser.add_argument("--tracker", default=None, help=f"tracker store URL (default {tracker_url()})")
    parser.add_argument("--staff", default=None, help=f"staff database URL (default {default_url()})")
    parser.add_argument("--since", type=moment, default=None,
                        help="from this date or time (Beijing time, e.g. 2026-11-01 or 2026-11-01T08:00)")
    parser.add_argument("--until", type=moment, default=None, help="up to (not including) this date or time")
    parser.add_argument("--out", type=Path, default=REPORTS, help="folder for index.html and the PNGs")
    args = parser.parse_args(argv)
    os.umask(PRIVATE_UMASK)  # the report holds what residents wrote: owner-only, like its folder
    if charts.cjk_font() is None:
        print("report: no CJK font found (Debian's fonts-noto-cjk); chart labels fall back to English",
              file=sys.stderr)
    try:
        index, summary = write_report(args.out, args.tracker or tracker_url(), args.staff or default_url(),
                                      args.since, args.until)
    except (SQLAlchemyError, StaffStoreUnavailable) as error:
        print(f"report: cannot read the databases: {error}", file=sys.stderr)
        return 2
    print("\n".join(summary))
    print(f"report: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
