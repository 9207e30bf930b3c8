"""The unanswered inbox (editors): residents' messages that fell back, went out of scope or were
rated badly, grouped by likeness, the newest group first; per group, place its questions on a
knowledge topic or a catalogue service (a change of the sources, shown as a diff before it is
saved), mark them "out of scope, answered right", or open a new service's form with them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sanic import Blueprint, response
from sanic.request import Request

from bot.console import render
from bot.console.access import requires
from bot.console.pages.edits import pending_redirect
from bot.editing import changes
from bot.editing.store import DECISION_NAMES, OUT_OF_SCOPE, SERVICE, TOPIC, text_key
from bot.editing.tree import ChangeRefused
from bot.inbox.collect import REASON_NAMES, unanswered
from bot.inbox.groups import group
from bot.requests.store import BEIJING
from bot.staff.roles import EDITOR

blueprint = Blueprint("inbox")
PERIODS = {7: "最近 7 天", 30: "最近 30 天", 90: "最近 90 天", 365: "最近一年"}
PAGE_GROUPS = 50


def _sources(tree):
    """The knowledge topics and catalogue services of the editors' sources (for the choices)."""
    from bot.catalogue.files import load_catalogue
    from bot.knowledge.model import KnowledgeError, load

    try:
        knowledge = load(tree.knowledge_dir, tree.article)
    except KnowledgeError:
        knowledge = None
    return knowledge, load_catalogue(tree.catalogue_dir, tree.article).services


def _groups(app, days: int, reason: str):
    since = datetime.now(BEIJING) - timedelta(days=days)
    messages = unanswered(app.ctx.settings.tracker_url, app.ctx.staff.ratings(), since)
    decided = app.ctx.editor.decisions()
    waiting = [m for m in messages if text_key(m.text) not in decided and (not reason or m.reason == reason)]
    return group(waiting)


@blueprint.get("/inbox")
@requires(EDITOR)
async def inbox(request: Request):
    app = request.app
    asked = request.args.get("days") or ""
    days = int(asked) if asked.isdigit() and int(asked) in PERIODS else 30
    reason = request.args.get("reason") or ""
    reason = reason if reason in REASON_NAMES else ""
    groups = await asyncio.to_thread(_groups, app, days, reason)
    knowledge, services = await asyncio.to_thread(_sources, app.ctx.tree)
    suggest = None
    if knowledge is not None:
        from bot.inbox.suggest import Suggester

        suggest = await asyncio.to_thread(Suggester, knowledge, services)
    shown = groups[:PAGE_GROUPS]
    suggestions = {g.key: (suggest.topics(g.texts), suggest.services(g.texts)) if suggest else ([], [])
                   for g in shown}
    topics = sorted(((t.area, t.title, t.id) for t in knowledge.topics.values()), key=lambda x: (x[0], x[2])) \
        if knowledge else []
    return render.page(request, "inbox.html", title="未答问题", section="inbox", groups=shown, total=len(groups),
                       days=days, periods=PERIODS, reason=reason, reasons=REASON_NAMES, suggestions=suggestions,
                       topics=topics, areas=knowledge.area_titles if knowledge else {},
                       services=[(s.code, s.name) for s in services],
                       error="知识库文件目前有错误，请联系开发人员。" if knowledge is None else "")


@blueprint.get("/inbox/decided")
@requires(EDITOR)
async def decided(request: Request):
    entries = await asyncio.to_thread(request.app.ctx.editor.decisions)
    listing = sorted(entries.values(), key=lambda d: d.decided_at, reverse=True)[:500]
    return render.page(request, "inbox_decided.html", title="已处理的问题", section="inbox", decisions=listing,
                       names=DECISION_NAMES)


def _texts(request: Request) -> list[str]:
    return [text for text in request.form.getlist("text") or [] if text and text.strip()][:changes.MAX_QUESTIONS + 1]




async def _refused(request: Request, error: ChangeRefused) -> response.HTTPResponse:
    return render.page(request, "refused.html", status=400, title="无法修改", section="inbox",
                       problems=error.problems, back="/inbox")


@blueprint.post("/inbox/topic")
@requires(EDITOR)
async def to_topic(request: Request):
    texts, topic = _texts(request), (request.form.get("topic") or "").strip()
    try:
        change = await asyncio.to_thread(changes.topic_examples, request.app.ctx.tree, topic, texts)
    except ChangeRefused as error:
        return await _refused(request, error)
    return await pending_redirect(request, change, {"kind": TOPIC, "target": topic, "texts": texts})


@blueprint.post("/inbox/service")
@requires(EDITOR)
async def to_service(request: Request):
    texts, code = _texts(request), (request.form.get("service") or "").strip()
    alias = (request.form.get("alias") or "").strip()
    try:
        change = await asyncio.to_thread(changes.service_examples, request.app.ctx.tree, code, texts, alias)
    except ChangeRefused as error:
        return await _refused(request, error)
    return await pending_redirect(request, change, {"kind": SERVICE, "target": code, "texts": texts})


@blueprint.post("/inbox/out-of-scope")
@requires(EDITOR)
async def out_of_scope(request: Request):
    app, user, texts = request.app, request.ctx.session.user, _texts(request)
    if not texts:
        return await _refused(request, ChangeRefused(["请至少选择一个问题。"]))
    await asyncio.to_thread(app.ctx.editor.decide, texts, OUT_OF_SCOPE, "", user.name)
    await asyncio.to_thread(app.ctx.accounts.record, user.name, "inbox_out_of_scope", "inbox",
                            "；".join(texts)[:500])
    return response.redirect("/inbox?done=inbox_out_of_scope", status=303)


@blueprint.post("/inbox/new-service")
@requires(EDITOR)
async def new_service(request: Request):
    texts = _texts(request)[:changes.MAX_QUESTIONS]
    return response.redirect("/catalogue/new?" + urlencode([("q", text) for text in texts]), status=303)


@blueprint.post("/inbox/undo")
@requires(EDITOR)
async def undo(request: Request):
    app, user = request.app, request.ctx.session.user
    key = (request.form.get("key") or "")[:255]
    await asyncio.to_thread(app.ctx.editor.undo, key)
    await asyncio.to_thread(app.ctx.accounts.record, user.name, "inbox_undo", "inbox", key)
    return response.redirect("/inbox/decided?done=inbox_undone", status=303)
