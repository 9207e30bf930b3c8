"""`python -m bot.requests list|show|close`: the staff's view of callback requests (留言回电).

    python -m bot.requests list            # open requests, oldest first
    python -m bot.requests list --all      # closed ones too
    python -m bot.requests show 12         # one request in full
    python -m bot.requests close 12 --note "已回电，已解答"

The database is the assistant's (STAFF_DATABASE_URL, else build/staff.db); --database overrides it.
Staff see the full phone number here: they call it back.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import datetime

from bot.requests.store import (
    CLOSED,
    CallbackRequest,
    StaffStore,
    StaffStoreUnavailable,
    beijing_time,
    default_url,
)

STATUS_NAMES = {"open": "待回电", CLOSED: "已办结"}


def local_time(moment: datetime | None) -> str:
    return "-" if moment is None else beijing_time(moment).strftime("%Y-%m-%d %H:%M")


def one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def pad(text: str, columns: int) -> str:
    """`text` padded to `columns` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(columns - used, 0)


def print_list(requests: list[CallbackRequest]) -> None:
    if not requests:
        print("没有待处理的回电请求。")
        return
    # Columns: number, status, time, phone, topic (terminal columns), then the description.
    widths = (6, 6, 16, 13, 24)
    print("  ".join(pad(h, w) for h, w in zip(("  编号", "状态", "登记时间", "电话", "事项"), widths, strict=True))
          + "  描述")
    for request in requests:
        cells = (f"{request.id:>6}", STATUS_NAMES.get(request.status, request.status),
                 local_time(request.created_at), request.phone, one_line(request.topic, 12))
        row = "  ".join(pad(cell, width) for cell, width in zip(cells, widths, strict=True))
        print(f"{row}  {one_line(request.description, 40)}")
    print(f"共 {len(requests)} 条。")


def print_request(request: CallbackRequest) -> None:
    rows = [("编号", str(request.id)), ("状态", STATUS_NAMES.get(request.status, request.status)),
            ("登记时间", local_time(request.created_at)), ("电话", request.phone),
            ("称呼", request.name or "-"), ("事项", request.topic),
            ("描述", request.description), ("会话", request.conversation_id), ("渠道", request.channel or "-")]
    if request.status == CLOSED:
        rows += [("办结时间", local_time(request.closed_at)), ("办结说明", request.closing_note or "-")]
    for label, value in rows:
        print(f"{label}：{value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.requests", description="回电请求（留言回电）")
    parser.add_argument("--database", default=None, help=f"SQLAlchemy URL (default {default_url()})")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list open requests (--all: closed ones too)")
    listing.add_argument("--all", action="store_true")
    show = commands.add_parser("show", help="one request in full")
    show.add_argument("id", type=int)
    close = commands.add_parser("close", help="mark a request as handled")
    close.add_argument("id", type=int)
    close.add_argument("--note", default=None, help="what was done (e.g. 已回电解答)")
    args = parser.parse_args(argv)

    store = StaffStore(args.database)
    try:
        if args.command == "list":
            print_list(store.callback_requests(None if args.all else "open"))
            return 0
        request = store.callback_request(args.id)
        if request is None:
            print(f"没有编号为 {args.id} 的回电请求。", file=sys.stderr)
            return 1
        if args.command == "close":
            if request.status == CLOSED:
                print(f"编号 {args.id} 已于 {local_time(request.closed_at)} 办结，未作改动。")
                return 0
            request = store.close_request(args.id, args.note)
            print(f"编号 {args.id} 已办结。")
        print_request(request)
        return 0
    except StaffStoreUnavailable as error:
        print(f"无法连接回电请求数据库：{error}", file=sys.stderr)
        return 2
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
