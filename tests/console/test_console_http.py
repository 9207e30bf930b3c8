"""The console over real HTTP (`python -m bot.console` on a free port, SQLite databases): every route
refuses anonymous, wrong-role and CSRF-less requests; cookies, sign-in lock-out, session expiry,
two staff claiming at once, where the full phone number appears, and the report's figures."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from datetime import date
from functools import partial
from urllib.parse import quote

import pytest

from bot import paths
from bot.console.access import PUBLIC, needed_role
from bot.console.app import create_app
from bot.console.report import day_range
from bot.console.settings import ConsoleSettings
from bot.report.conversations import compute
from bot.report.page import summary_lines
from bot.requests.store import StaffStore
from bot.staff.accounts import AccountStore
from bot.staff.roles import STAFF
from tests.console.conftest import (
    CONVERSATIONS,
    ID_CARD,
    PASSWORDS,
    PHONE,
    SECRET,
    Client,
    Console,
    at_once,
    leave_callback,
    make_accounts,
    signed_in,
    start_console,
    store_conversations,
)

ACCOUNTS = (("zhang", "staff"), ("li", "staff"), ("bian", "editor"), ("wang", "admin"))


class Site:
    def __init__(self, staff_url: str, tracker_url: str, console: Console) -> None:
        self.staff_url, self.tracker_url, self.console = staff_url, tracker_url, console

    def client(self, name: str) -> Client:
        return signed_in(self.console, name, dict(ACCOUNTS)[name])

    def callback(self, conversation: str = "rest-fell-back") -> int:
        return leave_callback(self.staff_url, conversation, "人才落户", f"硕士落户要什么材料，身份证{ID_CARD}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("console")
    staff_url, tracker_url = f"sqlite:///{folder / 'staff.db'}", f"sqlite:///{folder / 'tracker.db'}"
    make_accounts(staff_url, *ACCOUNTS)
    store_conversations(tracker_url, CONVERSATIONS)
    shutil.copytree(paths.SOURCES, folder / "sources")  # the editors' pages edit a copy, never sources/
    console = start_console(staff_url, tracker_url, "console-http", EDITOR_SOURCES=str(folder / "sources"),
                            PUBLISH_RELEASES=str(folder / "releases"))
    try:
        yield Site(staff_url, tracker_url, console)
    finally:
        console.stop()


def concrete_routes(request_id: int) -> list[tuple[str, str, str]]:
    """(method, path, needed role) of every route the console has, parameters filled in."""
    settings = ConsoleSettings(staff_url="sqlite://", tracker_url="sqlite://", secret=SECRET)
    app = create_app(settings, name="console_route_probe")
    app.router.finalize()
    routes = []
    for route in app.router.routes:
        path = re.sub(r"<request_id:int>", str(request_id), "/" + route.path)
        path = re.sub(r"<action:str>", "claim", path)
        path = re.sub(r"<code:str>", "SZ-TAL-01", path)
        path = re.sub(r"<(edit_id|job_id):str>", "no-such-one", path)
        path += "?id=rest-fell-back" if path == "/conversation" else ""
        for method in route.methods:
            routes.append((method, path, needed_role(route.handler)))
    return sorted(routes)


@pytest.fixture(scope="module")
def routes(site: Site) -> list[tuple[str, str, str]]:
    found = concrete_routes(site.callback())
    assert {path for _, path, _ in found} >= {"/callbacks", "/conversations", "/report", "/admin/audit", "/login"}
    return found


def test_anonymous_requests_go_to_the_sign_in_page(site: Site, routes) -> None:
    anonymous = Client(site.console.url)
    for method, path, role in routes:
        if role == PUBLIC:
            continue
        response = anonymous.get(path) if method == "GET" else anonymous.post(path, {"csrf_token": "x"})
        assert response.status_code == 303, (method, path, response.status_code)
        location = response.headers["Location"]
        assert location.startswith("/login"), (method, path, location)
        if method == "GET":
            assert location == f"/login?next={quote(path)}"
    # A forged cookie is no session.
    forged = Client(site.console.url)
    forged.http.cookies.set("shizhong_console", "eyJ0b2tlbiI6ImZvcmdlZCJ9.forged")
    assert forged.get("/callbacks").status_code == 303
    # The public routes answer without a session.
    assert anonymous.get("/health").json() == {"status": "ok"}
    assert "lang=\"zh-CN\"" in anonymous.get("/login").text
    assert anonymous.get("/static/console.css").status_code == 200
    missing = anonymous.get("/favicon.ico")
    assert missing.status_code == 404 and "没有这个页面" in missing.text


def test_wrong_roles_are_refused(site: Site, routes) -> None:
    clients = {name: site.client(name) for name, _ in ACCOUNTS}
    for method, path, role in routes:
        if role in (PUBLIC, STAFF) or method != "GET":
            continue
        for name, account_role in ACCOUNTS:
            response = clients[name].get(path)
            allowed = account_role == "admin" or (account_role == "editor" and role == "editor")
            expected = (200, 404) if allowed and "no-such-one" in path else (200,) if allowed else (403,)
            assert response.status_code in expected, (name, path, response.status_code)
            if not allowed:
                assert "无权访问" in response.text
    for method, path, role in routes:  # every staff page opens for every role
        if role == STAFF and method == "GET" and path != "/":
            for name, _ in ACCOUNTS:
                assert clients[name].get(path).status_code == 200, (name, path)


def test_forms_without_this_sessions_csrf_token_are_refused(site: Site, routes) -> None:
    admin, other = site.client("wang"), site.client("li")
    foreign_token = other.csrf()
    posts = [(path, role) for method, path, role in routes if method == "POST"]
    assert ("/logout", STAFF) in posts and ("/login", PUBLIC) in posts
    for path, role in posts:
        if role == PUBLIC:
            continue
        for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged"}, {"csrf_token": foreign_token}):
            response = admin.post(path, data)
            assert response.status_code == 403, (path, data, response.status_code)
            assert "表单已失效" in response.text
    assert admin.get("/callbacks").status_code == 200  # still signed in: nothing was done
    # The sign-in form needs its own token, tied to the browser's sign-in cookie.
    stranger = Client(site.console.url)
    refused = stranger.post("/login", {"name": "wang", "password": PASSWORDS["admin"]})
    assert refused.status_code == 403 and "shizhong_console=" not in refused.headers.get("Set-Cookie", "")
    token = re.search(r'name="login_token" value="([^"]+)"', Client(site.console.url).get("/login").text).group(1)
    assert stranger.post("/login", {"login_token": token, "name": "wang",
                                    "password": PASSWORDS["admin"]}).status_code == 403
    # With the token, the same form goes through.
    assert admin.submit("/logout").status_code == 303


def test_cookies_are_http_only_strict_and_expire(site: Site) -> None:
    client = Client(site.console.url)
    response = client.login("zhang", PASSWORDS["staff"])
    cookie = next(c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("shizhong_console="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain HTTP here; CONSOLE_TLS=1 adds it (below)
    assert response.headers["Location"] == "/callbacks"
    page = client.get("/callbacks")
    assert page.headers["Cache-Control"] == "no-store" and "script-src" not in page.headers["Content-Security-Policy"]
    kept = client.http.cookies.get("shizhong_console")
    assert client.submit("/logout").headers["Location"] == "/login?done=signed_out"
    replay = Client(site.console.url)
    replay.http.cookies.set("shizhong_console", kept)
    assert replay.get("/callbacks").status_code == 303  # signed out on the server, not only in the browser


def test_sign_in_tells_what_is_wrong_and_goes_only_to_this_site(site: Site) -> None:
    client = Client(site.console.url)
    assert "用户名或密码不正确" in client.login("zhang", "wrong password").text
    token = re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text).group(1)
    empty = client.post("/login", {"login_token": token, "name": "zhang", "password": ""})
    assert empty.status_code == 400 and "请输入用户名和密码" in empty.text
    offsite = client.post("/login", {"login_token": token, "name": "zhang", "password": PASSWORDS["staff"],
                                     "next": "//evil.example/"})
    assert offsite.status_code == 303 and offsite.headers["Location"] == "/callbacks"


def test_lock_out_after_five_failures(site: Site) -> None:
    make_accounts(site.staff_url, ("locked", "staff"))
    client = Client(site.console.url)
    statuses = [client.login("locked", f"wrong password {n}").status_code for n in range(5)]
    assert statuses == [401] * 4 + [429]
    refused = client.login("locked", PASSWORDS["staff"])
    assert refused.status_code == 429 and "锁定" in refused.text and "15 分钟" in refused.text
    assert site.client("zhang").get("/callbacks").status_code == 200  # others sign in as before
    audit = site.client("wang").get("/admin/audit?actor=locked").text
    assert audit.count("登录失败") == 4 and audit.count("登录被锁定") == 2


def test_sessions_expire_when_idle_and_after_their_lifetime(site: Site) -> None:
    console = start_console(site.staff_url, site.tracker_url, "console-expiry",
                            CONSOLE_SESSION_IDLE_SECONDS="2", CONSOLE_SESSION_MAX_SECONDS="6")
    try:
        idle = signed_in(console, "zhang", "staff")
        assert idle.get("/callbacks").status_code == 200
        time.sleep(3)
        expired = idle.get("/callbacks")
        assert expired.status_code == 303 and expired.headers["Location"].startswith("/login")
        busy = signed_in(console, "zhang", "staff")
        started, statuses = time.monotonic(), []
        while time.monotonic() - started < 8:
            statuses.append((round(time.monotonic() - started, 1), busy.get("/callbacks").status_code))
            time.sleep(1)
        alive = [moment for moment, status in statuses if status == 200]
        assert alive and max(alive) < 6.5 and statuses[-1][1] == 303, statuses  # used all the time, yet ended
    finally:
        console.stop()


def test_cookies_are_secure_behind_tls(site: Site) -> None:
    console = start_console(site.staff_url, site.tracker_url, "console-tls", CONSOLE_TLS="1")
    try:
        client = Client(console.url)
        form = client.get("/login")
        assert "Secure" in form.headers["Set-Cookie"]
        # The browser would send the sign-in cookie back over HTTPS; this test speaks plain HTTP.
        client.http.cookies.set("shizhong_console_login", client.http.cookies.get("shizhong_console_login"),
                                path="/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text).group(1)
        response = client.post("/login", {"login_token": token, "name": "zhang", "password": PASSWORDS["staff"]})
        session = next(c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("shizhong_console="))
        assert "Secure" in session and "HttpOnly" in session and "SameSite=Strict" in session
    finally:
        console.stop()


def test_two_staff_claiming_at_once_one_wins(site: Site) -> None:
    for _ in range(3):
        request_id = site.callback()
        zhang, li = site.client("zhang"), site.client("li")
        tokens = {"zhang": zhang.csrf(f"/callbacks/{request_id}"), "li": li.csrf(f"/callbacks/{request_id}")}
        claims = {name: partial(client.post, f"/callbacks/{request_id}/claim", {"csrf_token": tokens[name]})
                  for name, client in (("zhang", zhang), ("li", li))}
        results = dict(zip(claims, at_once(*claims.values()), strict=True))
        assert sorted(r.status_code for r in results.values()) == [303, 409]
        winner = next(name for name, r in results.items() if r.status_code == 303)
        loser = next(r for r in results.values() if r.status_code == 409)
        assert f"已由 {winner} 认领" in loser.text
        store = StaffStore(site.staff_url)
        assert store.callback_request(request_id).claimed_by == winner
        store.close()


def test_working_a_request_and_where_the_phone_number_shows(site: Site) -> None:
    request_id = site.callback("wx-human")
    zhang, li = site.client("zhang"), site.client("li")
    page = f"/callbacks/{request_id}"
    queue = zhang.get("/callbacks").text
    assert "139****5678" in queue and PHONE not in queue
    detail = zhang.get(page).text
    assert f'href="tel:{PHONE}"' in detail and ID_CARD not in detail and "110105********002X" in detail
    assert zhang.submit(f"{page}/called", page=page).status_code == 409  # not claimed yet
    assert zhang.submit(f"{page}/claim", page=page).headers["Location"] == f"{page}?done=claimed"
    assert "已认领" in zhang.get(f"{page}?done=claimed").text
    refused = li.submit(f"{page}/close", page=page)
    assert refused.status_code == 409 and "只有认领人或管理员" in refused.text
    assert zhang.submit(f"{page}/note", {"note": "第一次未接通"}, page=page).status_code == 303
    assert zhang.submit(f"{page}/note", {"note": "  "}, page=page).status_code == 400
    assert zhang.submit(f"{page}/called", page=page).status_code == 303
    assert zhang.submit(f"{page}/close", {"note": "已回电，已解答"}, page=page).status_code == 303
    closed = zhang.get(page).text
    assert "已办结" in closed and "已回电，已解答" in closed and "第一次未接通" in closed
    assert str(request_id) in zhang.get("/callbacks?view=closed").text
    assert li.submit(f"{page}/reopen", page=page).status_code == 303
    assert "待认领" in li.get(page).text
    assert zhang.submit(f"{page}/dance", page=page).status_code == 404
    assert zhang.get("/callbacks/999999").status_code == 404
    # Nowhere else: conversations, the report, the audit log.
    for client, path in ((zhang, "/conversations"), (zhang, "/conversation?id=wx-human"), (zhang, "/report"),
                         (site.client("wang"), "/admin/audit")):
        text = client.get(path).text
        assert PHONE not in text, path
    audit = site.client("wang").get("/admin/audit?actor=zhang").text
    for action in ("认领", "添加备注", "记录已回电", "办结", "查看回电请求（含完整电话）"):
        assert action in audit
    assert f"callback:{request_id}" in audit


def test_conversations_page_filters_and_shows_the_routing_decision(site: Site) -> None:
    client = site.client("zhang")
    fell_back = client.get("/conversations?fell_back=1").text
    assert "共 1 个会话" in fell_back and "rest-fell-back" in fell_back and "web-talent" not in fell_back
    assert "共 1 个会话" in client.get("/conversations?channel=wechat").text
    assert "共 2 个会话" in client.get("/conversations?since=2026-11-03&until=2026-11-05").text
    assert "共 1 个会话" in client.get("/conversations?q=火锅").text
    bad = client.get("/conversations?since=11/03")
    assert bad.status_code == 400 and "年-月-日" in bad.text
    detail = client.get("/conversation?id=rest-fell-back").text
    assert "附近哪有好吃的火锅店" in detail and "out_of_scope" in detail and "0.41" in detail
    assert "路由决定" in detail and "no topic above threshold" in detail and "action_default_fallback" in detail
    assert client.get("/conversation?id=nobody").status_code == 404


def test_the_report_page_has_make_reports_figures(site: Site) -> None:
    since, until = date(2026, 11, 2), date(2026, 11, 3)
    store = StaffStore(site.staff_url)
    try:
        expected = summary_lines(compute(site.tracker_url, store, *day_range(since, until)))
    finally:
        store.close()
    page = site.client("zhang").get(f"/report?since={since}&until={until}").text
    for line in expected:
        assert f"<li>{line}</li>" in page
    assert "会话数：2（用户消息 3 条）" in expected
    charts = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(charts) == 3 and all(chart.startswith("iVBORw0KGgo") for chart in charts)
    assert "附近哪有好吃的火锅店" in page
    bad = site.client("zhang").get("/report?since=2026-11-05&until=2026-11-01")
    assert bad.status_code == 400 and "不能晚于" in bad.text


def test_admins_see_accounts_and_the_audit_log(site: Site) -> None:
    admin = site.client("wang")
    users = admin.get("/admin/users").text
    assert all(name in users for name, _ in ACCOUNTS) and "$argon2" not in users
    audit = admin.get("/admin/audit").text
    assert "登录" in audit and "wang" in audit


def test_a_database_that_is_down_gets_an_apology(site: Site) -> None:
    from tests.fakes.net import free_port

    console = start_console(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing", site.tracker_url,
                            "console-down")
    try:
        response = Client(console.url).login("zhang", PASSWORDS["staff"])
        assert response.status_code == 503 and "暂时无法连接" in response.text
    finally:
        console.stop()


def test_disabled_accounts_are_signed_out_at_once(site: Site) -> None:
    make_accounts(site.staff_url, ("leaving", "staff"))
    client = signed_in(site.console, "leaving", "staff")
    assert client.get("/callbacks").status_code == 200
    accounts = AccountStore(site.staff_url)
    try:
        accounts.set_disabled("leaving", True)
    finally:
        accounts.close()
    assert client.get("/callbacks").status_code == 303
    assert "已停用" in client.login("leaving", PASSWORDS["staff"]).text
