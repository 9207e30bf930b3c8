"""Sign-in and sign-out; the session behind a request (cookie → staff database)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sanic import Blueprint, response
from sanic.request import Request

from bot.console import render
from bot.console.access import public, requires
from bot.console.sessions import LOGIN_COOKIE, LOGIN_FORM_LIFETIME, SESSION_COOKIE
from bot.staff.accounts import DISABLED, LOCKED, OK, Session
from bot.staff.roles import STAFF

blueprint = Blueprint("auth")
LOADED = "_session_loaded"


async def current_session(request: Request) -> Session | None:
    """The live session of the request's cookie (looked up once per request)."""
    if getattr(request.ctx, LOADED, False):
        return request.ctx.session
    app = request.app
    token = app.ctx.signer.token_from_cookie(request.cookies.get(SESSION_COOKIE))
    session = None
    if token is not None:
        settings = app.ctx.settings
        session = await asyncio.to_thread(app.ctx.accounts.resume_session, token, idle=settings.session_idle,
                                          lifetime=settings.session_lifetime)
    request.ctx.session = session
    setattr(request.ctx, LOADED, True)
    return session


def _cookie(resp: response.HTTPResponse, request: Request, name: str, value: str, lifetime: timedelta,
            path: str = "/") -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["path"] = path
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max(int(lifetime.total_seconds()), 0)
    if request.app.ctx.settings.tls:
        cookie["secure"] = True


def clear_session_cookie(resp: response.HTTPResponse) -> None:
    resp.cookies[SESSION_COOKIE] = ""
    resp.cookies[SESSION_COOKIE]["max-age"] = 0
    resp.cookies[SESSION_COOKIE]["samesite"] = "Strict"
    resp.cookies[SESSION_COOKIE]["httponly"] = True


def local_target(target: str | None) -> str:
    """Where to go after sign-in: a path of this site only (no //host, no scheme)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/callbacks"


def login_page(request: Request, status: int = 200, error: str = "", name: str = "") -> response.HTTPResponse:
    signer = request.app.ctx.signer
    nonce = request.cookies.get(LOGIN_COOKIE) or signer.new_login_nonce()
    resp = render.page(request, "login.html", status=status, title="登录", error=error, name=name,
                       login_token=signer.login_token(nonce),
                       next=local_target(request.args.get("next") or request.form.get("next")))
    _cookie(resp, request, LOGIN_COOKIE, nonce, LOGIN_FORM_LIFETIME, path="/login")
    return resp


@blueprint.get("/login")
@public
async def login_form(request: Request):
    if await current_session(request):
        return response.redirect(local_target(request.args.get("next")), status=303)
    return login_page(request)


@blueprint.post("/login")
@public
async def login(request: Request):
    app, settings = request.app, request.app.ctx.settings
    form = request.form
    if not app.ctx.signer.login_token_valid(form.get("login_token"), request.cookies.get(LOGIN_COOKIE)):
        return login_page(request, 403, "登录表单已失效，请重新输入用户名和密码。")
    name, password = (form.get("name") or "").strip(), form.get("password") or ""
    if not name or not password:
        return login_page(request, 400, "请输入用户名和密码。", name)
    accounts = app.ctx.accounts
    result = await asyncio.to_thread(accounts.authenticate, name, password, limit=settings.lockout_failures,
                                     window=settings.lockout_window)
    if result.outcome != OK:
        await asyncio.to_thread(accounts.record, name.lower(), f"login_{result.outcome}")
        if result.outcome == LOCKED:
            minutes = round(settings.lockout_window.total_seconds() / 60)
            return login_page(request, 429, f"登录失败次数过多，该账号已暂时锁定。请 {minutes} 分钟后再试，"
                                            "或联系管理员。", name)
        if result.outcome == DISABLED:
            return login_page(request, 403, "该账号已停用，请联系管理员。", name)
        return login_page(request, 401, "用户名或密码不正确。", name)
    token = await asyncio.to_thread(accounts.start_session, result.user, idle=settings.session_idle,
                                    lifetime=settings.session_lifetime)
    await asyncio.to_thread(accounts.record, result.user.name, "login")
    resp = response.redirect(local_target(form.get("next")), status=303)
    _cookie(resp, request, SESSION_COOKIE, app.ctx.signer.cookie_value(token), settings.session_lifetime)
    _cookie(resp, request, LOGIN_COOKIE, "", timedelta(0), path="/login")
    return resp


@blueprint.post("/logout")
@requires(STAFF)
async def logout(request: Request):
    accounts = request.app.ctx.accounts
    token = request.app.ctx.signer.token_from_cookie(request.cookies.get(SESSION_COOKIE))
    await asyncio.to_thread(accounts.end_session, token)
    await asyncio.to_thread(accounts.record, request.ctx.session.user.name, "logout")
    resp = response.redirect("/login?done=signed_out", status=303)
    clear_session_cookie(resp)
    return resp
