"""Conversation review for staff: the list with its filters, and one conversation turn by turn."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request

from bot.console import render
from bot.console.access import requires
from bot.console.conversations import Filters
from bot.console.forms import BadFilter, day_range, page_number
from bot.staff.roles import STAFF

blueprint = Blueprint("conversations")
PAGE_SIZE = 50
MAX_WORDS = 100


def filters_from(args) -> Filters:
    words = (args.get("q") or "").strip()
    if len(words) > MAX_WORDS:
        raise BadFilter(f"搜索内容最多 {MAX_WORDS} 个字。")
    since, until = day_range(args.get("since"), args.get("until"))
    filters = Filters(words=words, fell_back=args.get("fell_back") == "1", unhappy=args.get("unhappy") == "1",
                      handed_off=args.get("handed_off") == "1", channel=(args.get("channel") or "").strip(),
                      since=since, until=until)
    return filters


async def _staff_records(request: Request):
    staff = request.app.ctx.staff
    return await asyncio.to_thread(staff.ratings), await asyncio.to_thread(staff.callback_requests, None)


@blueprint.get("/conversations")
@requires(STAFF)
async def conversation_list(request: Request):
    index = request.app.ctx.index
    channels = await asyncio.to_thread(index.channels)
    try:
        filters = filters_from(request.args)
    except BadFilter as error:
        return render.page(request, "conversations.html", status=400, title="会话记录", section="conversations",
                           filters=Filters(), channels=channels, found=[], page=1, pages=1, total=0, error=str(error),
                           query=lambda **_: "")
    ratings, requests = await _staff_records(request)
    found = await asyncio.to_thread(index.search, filters, ratings, requests)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    number = min(page_number(request.args.get("page")), pages)
    kept = {key: value for key, value in request.args.items() if key != "page" and value and value[0]}

    def query(**changes: object) -> str:
        return urlencode({**{key: value[0] for key, value in kept.items()}, **changes})

    return render.page(request, "conversations.html", title="会话记录", section="conversations", filters=filters,
                       channels=channels, found=found[(number - 1) * PAGE_SIZE: number * PAGE_SIZE], page=number,
                       pages=pages, total=len(found), query=query)


@blueprint.get("/conversation")
@requires(STAFF)
async def conversation_detail(request: Request):
    sender_id = request.args.get("id") or ""
    ratings, requests = await _staff_records(request)
    found = await asyncio.to_thread(request.app.ctx.index.conversation, sender_id, ratings, requests)
    if found is None:
        raise NotFound(f"conversation {sender_id!r}")
    await asyncio.to_thread(request.app.ctx.accounts.record, request.ctx.session.user.name, "conversation_view",
                            f"conversation:{sender_id}"[:255])
    return render.page(request, "conversation.html", title="会话详情", section="conversations", conversation=found)
