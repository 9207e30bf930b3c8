"""A change of the sources shown as a diff, then saved or discarded (editors).

Every editor's change (from the inbox, the service form, an import) waits here as a pending edit
(bot/editing/store.py) until its maker saves it: the page shows the diff and runs the same checks
again; saving writes all its files or none (bot/editing/tree.py) and records what it decided for
the inbox's questions. Committing the files to git is the operator's step (docs/editors.md).
"""

from __future__ import annotations

import asyncio

from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request

from bot.console import render
from bot.console.access import requires
from bot.editing.store import NEW_SERVICE, PendingEdit
from bot.editing.tree import Change, ChangeRefused
from bot.staff.roles import EDITOR

blueprint = Blueprint("edits")


async def _pending_or_404(request: Request, edit_id: str) -> PendingEdit:
    pending = await asyncio.to_thread(request.app.ctx.editor.pending, edit_id[:64], request.ctx.session.user.name)
    if pending is None:
        raise NotFound(f"pending edit {edit_id}")
    return pending


async def pending_redirect(request: Request, change: Change, decision: dict | None = None) -> response.HTTPResponse:
    """Keep `change` as the signed-in editor's pending edit and send them to its diff."""
    app, user = request.app, request.ctx.session.user
    base = app.ctx.tree.base(list(change.files))
    edit_id = await asyncio.to_thread(app.ctx.editor.add_pending, user.name, change, base, decision)
    return response.redirect(f"/edits/{edit_id}", status=303)


def _back(pending: PendingEdit) -> str:
    return "/inbox" if pending.decision else "/catalogue"


@blueprint.get("/edits/<edit_id:str>")
@requires(EDITOR)
async def show(request: Request, edit_id: str):
    pending = await _pending_or_404(request, edit_id)
    tree = request.app.ctx.tree
    diffs = await asyncio.to_thread(tree.diff, pending.change)
    problems = await asyncio.to_thread(tree.check, pending.change)
    stale = await asyncio.to_thread(tree.base, list(pending.change.files)) != pending.base
    if stale:
        problems.insert(0, "这些文件在您预览之后已被修改（可能是其他编辑），请放弃本次修改后重新操作。")
    return render.page(request, "edit.html", title="确认修改", section="inbox" if pending.decision else "catalogue",
                       pending=pending, diffs=diffs, problems=problems, back=_back(pending))


@blueprint.post("/edits/<edit_id:str>/save")
@requires(EDITOR)
async def save(request: Request, edit_id: str):
    app, user = request.app, request.ctx.session.user
    pending = await _pending_or_404(request, edit_id)
    try:
        await asyncio.to_thread(app.ctx.tree.save, pending.change, pending.base)
    except ChangeRefused as error:
        diffs = await asyncio.to_thread(app.ctx.tree.diff, pending.change)
        return render.page(request, "edit.html", status=409, title="确认修改", section="inbox", pending=pending,
                           diffs=diffs, problems=error.problems, back=_back(pending))
    decision = pending.decision
    if decision:
        await asyncio.to_thread(app.ctx.editor.decide, decision["texts"], decision["kind"], decision["target"],
                                user.name)
    await asyncio.to_thread(app.ctx.editor.drop_pending, pending.id)
    files = "、".join(sorted(pending.change.files))
    await asyncio.to_thread(app.ctx.accounts.record, user.name, "edit_save", files[:255], pending.change.summary)
    target = _back(pending) if not decision or decision["kind"] != NEW_SERVICE else "/inbox"
    return response.redirect(f"{target}?done=edit_saved", status=303)


@blueprint.post("/edits/<edit_id:str>/discard")
@requires(EDITOR)
async def discard(request: Request, edit_id: str):
    pending = await _pending_or_404(request, edit_id)
    await asyncio.to_thread(request.app.ctx.editor.drop_pending, pending.id)
    return response.redirect(f"{_back(pending)}?done=edit_discarded", status=303)
