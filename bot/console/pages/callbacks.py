"""The callback queue (留言回电) for staff: list, one request in full, and working it.

The full phone number is shown on a request's own page and nowhere else in the console (the
queue shows it masked); each viewing is written to the audit log. Every change is one conditional
update in the staff store (bot/requests/store.py): when it did not apply (another member of staff
was quicker, or the page was stale) the page says why and changes nothing (409).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request

from bot.console import render
from bot.console.access import requires
from bot.console.callbacks import DONE, closed, item, queue, state_of
from bot.privacy.masking import mask_text
from bot.requests.store import BEIJING, CLOSED, CallbackRequest
from bot.staff.roles import ADMIN, STAFF, allows

blueprint = Blueprint("callbacks")
NOTE_LIMIT = 500
# Each action and the message shown once it is done (bot/console/render.py DONE).
DONE_KEYS = {"claim": "claimed", "release": "released", "called": "called", "close": "closed",
             "reopen": "reopened", "note": "noted"}


def _now() -> datetime:
    return datetime.now(BEIJING)


@blueprint.get("/callbacks")
@requires(STAFF)
async def callback_queue(request: Request):
    app = request.app
    show_closed = request.args.get("view") == "closed"
    requests = await asyncio.to_thread(app.ctx.staff.callback_requests, None)
    settings = app.ctx.settings
    listing = (closed if show_closed else queue)(requests, app.ctx.hours, settings.callback_window, _now())
    return render.page(request, "callbacks.html", title="回电请求", section="callbacks", items=listing,
                       show_closed=show_closed, hours=app.ctx.hours.describe(),
                       window_hours=settings.callback_window.total_seconds() / 3600,
                       open_count=sum(1 for r in requests if r.status != CLOSED),
                       overdue_count=sum(1 for i in listing if i.overdue))


async def _request_or_404(request: Request, request_id: int) -> CallbackRequest:
    found = await asyncio.to_thread(request.app.ctx.staff.callback_request, request_id)
    if found is None:
        raise NotFound(f"callback request {request_id}")
    return found


async def detail_page(request: Request, request_id: int, status: int = 200, error: str = ""):
    app = request.app
    callback = await _request_or_404(request, request_id)
    notes = await asyncio.to_thread(app.ctx.staff.notes, request_id)
    user = request.ctx.session.user
    await asyncio.to_thread(app.ctx.accounts.record, user.name, "callback_view", f"callback:{request_id}")
    return render.page(request, "callback.html", status=status, title=f"回电请求 {request_id}", section="callbacks",
                       item=item(callback, app.ctx.hours, app.ctx.settings.callback_window, _now()),
                       notes=notes, mine=callback.claimed_by == user.name, admin=allows(user.role, ADMIN),
                       error=error)


@blueprint.get("/callbacks/<request_id:int>")
@requires(STAFF)
async def callback_detail(request: Request, request_id: int):
    return await detail_page(request, request_id)


def _why_not(callback: CallbackRequest, action: str, user: str) -> str:
    """Why `action` did not apply to `callback` as it is now."""
    state = state_of(callback)
    if action == "reopen":
        return "该请求未办结，无需重新打开。"
    if callback.status == CLOSED:
        return f"该请求已由 {callback.closed_by or '他人'} 办结。"
    if action == "claim":
        return f"该请求已由 {callback.claimed_by} 认领，不能重复认领。"
    if not callback.claimed_by:
        return "请先认领该请求。"
    if callback.claimed_by != user:
        return f"该请求由 {callback.claimed_by} 处理，只有认领人或管理员可以操作。"
    if action == "called" and state == DONE:
        return "该请求已办结。"
    return "已记录过回电。" if action == "called" else "操作未能完成，请刷新页面。"


@blueprint.post("/callbacks/<request_id:int>/<action:str>")
@requires(STAFF)
async def change(request: Request, request_id: int, action: str):
    app = request.app
    store, user = app.ctx.staff, request.ctx.session.user
    if action not in DONE_KEYS:
        raise NotFound(f"/callbacks/{request_id}/{action}")
    callback = await _request_or_404(request, request_id)
    admin = allows(user.role, ADMIN)
    note = (request.form.get("note") or "").strip()
    if action == "note":
        if not note:
            return await detail_page(request, request_id, 400, "请填写备注内容。")
        if len(note) > NOTE_LIMIT:
            return await detail_page(request, request_id, 400, f"备注最多 {NOTE_LIMIT} 字。")
        done = await asyncio.to_thread(store.add_note, request_id, user.name, note) is not None
    elif action == "claim":
        done = await asyncio.to_thread(store.claim, request_id, user.name)
    elif action == "release":
        done = await asyncio.to_thread(store.release, request_id, user.name, anyone=admin)
    elif action == "called":
        done = await asyncio.to_thread(store.mark_called, request_id, user.name)
    elif action == "close":
        if len(note) > NOTE_LIMIT:
            return await detail_page(request, request_id, 400, f"办结说明最多 {NOTE_LIMIT} 字。")
        done = await asyncio.to_thread(store.close_claimed, request_id, user.name, note or None, anyone=admin)
    else:
        done = await asyncio.to_thread(store.reopen, request_id)
    if not done:
        current = await _request_or_404(request, request_id)
        return await detail_page(request, request_id, 409, _why_not(current, action, user.name))
    detail = mask_text(note)[:200] if action in ("note", "close") else ""
    previous = f"原认领人 {callback.claimed_by}" if action == "release" and callback.claimed_by != user.name else ""
    await asyncio.to_thread(app.ctx.accounts.record, user.name, f"callback_{action}", f"callback:{request_id}",
                            detail or previous)
    return response.redirect(f"/callbacks/{request_id}?done={DONE_KEYS[action]}", status=303)
