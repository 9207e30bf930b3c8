"""A resident's visit in Debian's chromium: ask, tap a quick reply, reload, read the history.

Screenshots go to test-output/web/. Every request the page makes must stay on 127.0.0.1: the page
works with no internet (no CDN, no Google Fonts).
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.web.browsing import Visit
from tests.web.conftest import OUTPUT

pytestmark = pytest.mark.browser
CHAT_FONT = ".rw-response .rw-message-text"


@pytest.mark.server
def test_a_resident_chats_reloads_and_keeps_the_conversation(servers, widget, chromium):
    visit = Visit(chromium, widget.url)
    page = visit.page
    try:
        expect(page).to_have_title("济南市市中区政务服务助手")
        expect(page.locator("#welcome")).to_contain_text("欢迎使用济南市市中区政务服务助手")
        expect(page.locator("#handoff")).to_have_text("转人工 / 12345")
        expect(page.locator(".rw-new-message")).to_have_attribute(
            "placeholder", "请输入您的问题，例如：经纬人才计划讲的是什么")

        # The greeting (sent on first open) offers quick replies.
        expect(page.locator(".rw-reply").filter(has_text="人才政策")).to_be_visible()

        # A greeting button opens its menu of questions; a question of the menu is answered.
        page.locator(".rw-reply").filter(has_text="民生工程").click()
        expect(page.locator(".rw-client").filter(has_text="民生工程")).to_be_visible()
        expect(visit.answer("民生工程方面")).to_be_visible()
        page.locator(".rw-reply").filter(has_text="学校建设").click()
        expect(visit.answer("学校").filter(has_text="来源")).not_to_have_count(0)

        visit.ask("经纬人才计划讲的是啥")
        expect(visit.answer("经纬人才").filter(has_text="来源")).to_be_visible()
        page.wait_for_timeout(2_000)  # the rest of the answer, if any
        before = page.locator(".rw-message").count()
        session = json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]
        page.screenshot(path=str(OUTPUT / "widget.png"), full_page=True)

        page.reload()
        expect(page.locator(".rw-client").filter(has_text="经纬人才计划讲的是啥")).to_be_visible()
        expect(visit.answer("经纬人才").filter(has_text="来源")).to_be_visible()
        expect(page.locator(".rw-message")).to_have_count(before)
        assert json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"] == session

        # The way out, after the reload: the same conversation goes on.
        page.locator("#handoff").click()
        expect(page.locator(".rw-client").filter(has_text="转人工")).to_be_visible()
        expect(visit.answer("12345")).not_to_have_count(0)

        # 适老化: the large-text mode enlarges the conversation and is kept across reloads.
        size = page.locator(CHAT_FONT).first.evaluate("element => getComputedStyle(element).fontSize")
        page.locator("#large-text").click()
        expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
        large = page.locator(CHAT_FONT).first.evaluate("element => getComputedStyle(element).fontSize")
        assert float(large.removesuffix("px")) >= 1.4 * float(size.removesuffix("px")), (size, large)
        page.screenshot(path=str(OUTPUT / "widget-large-text.png"), full_page=True)
        page.reload()
        expect(page.locator("html")).to_have_class(re.compile("large-text"))

        assert any("/socket.io/" in url for url in visit.requests)
        assert visit.offsite() == []
        assert visit.errors == [], visit.errors
    finally:
        visit.close()


@pytest.mark.server
def test_a_resident_asks_for_a_person_and_leaves_a_callback_request(servers, widget, chromium):
    from bot.channels.conversations import WebSessions
    from bot.requests.store import StaffStore

    visit = Visit(chromium, widget.url)
    page = visit.page
    try:
        expect(page.locator(".rw-reply").filter(has_text="人才政策")).to_be_visible()  # greeted
        page.locator("#handoff").click()
        expect(visit.answer("12345").filter(has_text="回电")).to_be_visible()
        page.locator(".rw-reply").filter(has_text="留言请工作人员回电").click()
        expect(visit.answer("哪方面")).to_be_visible()
        page.locator(".rw-reply").filter(has_text="人才政策").last.click()
        expect(visit.answer("描述")).to_be_visible()
        visit.ask("想问硕士研究生落户市中区需要带哪些材料")
        expect(visit.answer("电话号码")).to_be_visible()
        visit.ask("13812345678")
        expect(visit.answer("称呼")).to_be_visible()
        page.locator(".rw-reply").filter(has_text="跳过").last.click()
        expect(visit.answer("请核对").filter(has_text="尾号5678")).to_be_visible()
        page.locator(".rw-reply").filter(has_text="确认提交").click()
        expect(visit.answer("已为您登记回电请求")).to_be_visible()
        page.screenshot(path=str(OUTPUT / "widget-callback.png"), full_page=True)
        session = json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]
        store = StaffStore(servers.extra_env["STAFF_DATABASE_URL"])
        conversation = WebSessions().conversation(session)  # web:<id>, the server's name for it
        [request] = [r for r in store.callback_requests() if r.conversation_id == conversation]
        store.close()
        assert (request.topic, request.phone, request.channel) == ("人才政策", "13812345678", "socketio")
        assert visit.offsite() == [] and visit.errors == [], (visit.offsite(), visit.errors)
    finally:
        visit.close()


def test_hostile_bot_markup_does_not_run(hostile_widget, chromium):
    """A stand-in Rasa answers with <img onerror>, javascript: links and a javascript: video."""
    visit = Visit(chromium, hostile_widget.url)
    page = visit.page
    try:
        visit.ask("你好")
        expect(visit.answer("以上都不该执行")).not_to_have_count(0)
        page.wait_for_timeout(1_000)
        links = visit.answer("点这里").locator("a")
        assert links.count() >= 1
        assert set(links.evaluate_all("links => links.map(link => link.getAttribute('href'))")) == {"#"}
        urls = page.eval_on_selector_all(
            "#webchat [href], #webchat [src]",
            "elements => elements.map(e => e.getAttribute('href') || e.getAttribute('src'))")
        assert not [url for url in urls if re.sub(r"[\x00-\x20]", "", url).lower().startswith(
            ("javascript", "vbscript"))], urls
        assert page.locator("#webchat img[src='x']").count() == 0
        expect(visit.answer("图片").first).to_contain_text("<img src=x")  # shown as text, not markup

        # Even markup that slipped past both, outside the widget, cannot run: no inline script.
        page.evaluate("""() => {
            const link = document.createElement('a');
            link.href = "javascript:window.__xss='policy-link'";
            document.body.appendChild(link);
            link.click();
            const box = document.createElement('div');
            box.innerHTML = '<img src="x" onerror="window.__xss=\\'policy-img\\'">';
            document.body.appendChild(box);
        }""")
        page.wait_for_timeout(1_000)
        page.screenshot(path=str(OUTPUT / "widget-hostile.png"), full_page=True)
        assert page.evaluate("window.__xss === undefined")
        assert visit.dialogs == []
        assert visit.offsite() == []
    finally:
        visit.close()
