"""The staff console's web app: `create_app(settings)` (Sanic, server-rendered Chinese pages).

Routes (pages in bot/console/pages/):
    GET  /login, POST /login, POST /logout            sign-in (public) and sign-out
    GET  /callbacks, /callbacks/<id>                   the callback queue (staff); POST …/<id>/<action>
    GET  /conversations, /conversation?id=…            conversation review (staff)
    GET  /report                                       the report for a date range (staff)
    GET  /admin/audit, /admin/users                    the audit log and the accounts (admin)
    GET  /inbox, POST /inbox/<action>                  unanswered questions, grouped (editor)
    GET  /catalogue…, POST /catalogue/…                the service catalogue: form, XLSX in and out (editor)
    GET  /edits/<id>, POST /edits/<id>/save|discard    a change shown as a diff, then saved (editor)
    GET  /publish, POST /publish/start|rollback        validate, train, grade, switch (admin)
    GET  /health                                       {"status": "ok"} (public)
    GET  /static/console.css                           the style sheet (public)

Every request passes `authorise` first: routes carry their role (bot/console/access.py), the session
comes from the signed cookie and the staff database, and POSTs need the session's CSRF token.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import quote

from sanic import Sanic, response
from sanic.exceptions import NotFound, SanicException
from sanic.request import Request

from bot.console import access, render
from bot.console.conversations import ConversationIndex
from bot.console.pages import admin, auth, callbacks, catalogue, conversations, edits, inbox, publish, report
from bot.console.sessions import SESSION_COOKIE, Signer
from bot.console.settings import ConsoleSettings
from bot.editing.store import EditorStore, EditorStoreUnavailable
from bot.editing.tree import SourceTree
from bot.publish.releases import Releases
from bot.requests import office_hours
from bot.requests.store import StaffStore, StaffStoreUnavailable
from bot.staff.accounts import AccountStore
from bot.staff.roles import ROLE_NAMES, allows

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'",
    "frame-ancestors 'none'", "base-uri 'none'"])


def create_app(settings: ConsoleSettings | None = None, *, name: str = "shizhong_console") -> Sanic:
    """The console for `settings` (from the environment when None)."""
    settings = settings or ConsoleSettings.from_env()
    app = Sanic(name, configure_logging=False)
    app.config.FORWARDED_SECRET = None
    app.config.REQUEST_MAX_SIZE = 11_000_000  # forms, and a catalogue workbook (the importer takes 10 MB)
    app.ctx.settings = settings
    app.ctx.signer = Signer(settings.secret)
    app.ctx.hours = office_hours.load()
    app.ctx.accounts = AccountStore(settings.staff_url)
    app.ctx.staff = StaffStore(settings.staff_url)
    app.ctx.index = ConversationIndex(settings.tracker_url)
    app.ctx.editor = EditorStore(settings.staff_url)
    app.ctx.tree = SourceTree(settings.sources)
    app.ctx.releases = Releases(settings.releases)

    for blueprint in (auth.blueprint, callbacks.blueprint, conversations.blueprint, report.blueprint,
                      admin.blueprint, inbox.blueprint, edits.blueprint, catalogue.blueprint, publish.blueprint):
        app.blueprint(blueprint)

    @app.before_server_start
    async def check_routes(app: Sanic, _loop) -> None:
        unmarked = [route.path for route in app.router.routes if access.needed_role(route.handler) is None]
        if unmarked:
            raise RuntimeError(f"console routes without an access mark (bot/console/access.py): {unmarked}")
        app.ctx.report_lock = asyncio.Lock()

    @app.after_server_stop
    async def close_stores(app: Sanic, _loop) -> None:
        for store in (app.ctx.accounts, app.ctx.staff, app.ctx.index, app.ctx.editor):
            store.close()

    @app.get("/health")
    @access.public
    async def health(_: Request):
        return response.json({"status": "ok"})

    @app.get("/")
    @access.requires("staff")
    async def home(_: Request):
        return response.redirect("/callbacks", status=303)

    @app.get("/static/console.css")
    @access.public
    async def style(_: Request):
        return response.raw((STATIC / "console.css").read_bytes(), content_type="text/css; charset=utf-8",
                            headers={"Cache-Control": "no-cache"})

    app.register_middleware(authorise, "request")
    app.register_middleware(security_headers, "response")
    app.error_handler.add(StaffStoreUnavailable, database_down)
    app.error_handler.add(EditorStoreUnavailable, database_down)
    app.error_handler.add(NotFound, not_found)
    app.error_handler.add(Exception, failed)
    return app


async def authorise(request: Request):
    """Default deny: the route's mark decides; see the module's docstring."""
    request.ctx.session = None
    if request.route is None:  # no such route: Sanic runs the middleware before its 404 (not_found)
        return None
    needed = access.needed_role(request.route.handler)
    if needed == access.PUBLIC:
        return None
    session = await auth.current_session(request)
    if needed is None:
        return refusal(request, 403, "此页面未开放。")
    if session is None:
        wanted = request.path + (f"?{request.query_string}" if request.query_string else "")
        redirect = response.redirect("/login" + (f"?next={quote(wanted)}" if request.method == "GET" else ""),
                                     status=303)
        if request.cookies.get(SESSION_COOKIE):
            auth.clear_session_cookie(redirect)
        return redirect
    if not allows(session.user.role, needed):
        return refusal(request, 403, f"您的账号角色（{session.user.role_name}）无权访问此页面，"
                                     f"需要{ROLE_NAMES[needed]}及以上权限。")
    if request.method == "POST":
        settings = request.app.ctx.settings
        token = request.form.get("csrf_token")
        if not request.app.ctx.signer.csrf_valid(token, session.id, settings.session_lifetime):
            return refusal(request, 403, "表单已失效，请返回上一页刷新后再提交。")
    return None


def refusal(request: Request, status: int, message: str) -> response.HTTPResponse:
    return render.page(request, "error.html", status=status, title="无法访问", message=message)


async def security_headers(request: Request, resp) -> None:
    resp.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    # Pages carry phone numbers and conversations: no cache keeps them.
    resp.headers.setdefault("Cache-Control", "no-store")


def _ensure_ctx(request: Request) -> None:
    if not hasattr(request.ctx, "session"):
        request.ctx.session = None


async def database_down(request: Request, _error: Exception):
    _ensure_ctx(request)
    return refusal(request, 503, "暂时无法连接工作台数据库，请稍后再试；如持续出现，请联系系统管理员。")


async def not_found(request: Request, _error: Exception):
    _ensure_ctx(request)
    return refusal(request, 404, "没有这个页面。")


async def failed(request: Request, error: Exception):
    _ensure_ctx(request)
    if isinstance(error, SanicException) and error.status_code < 500:
        return refusal(request, error.status_code, "请求无法处理，请返回上一页重试。")
    logger.error("console: %s %s failed", request.method, request.path, exc_info=error)
    return refusal(request, 500, "出错了，请稍后再试；如持续出现，请联系系统管理员。")
