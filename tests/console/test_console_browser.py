"""A member of staff at the console in Debian's chromium: sign in, work a callback request from new
to closed, find a conversation that fell back and open it.

Screenshots go to test-output/console/; with CONSOLE_DOC_SCREENSHOTS=1 they replace the ones in
docs/images/ that docs/staff.md shows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from bot import paths
from tests.console.conftest import (
    CONVERSATIONS,
    OUTPUT,
    PASSWORDS,
    PHONE,
    Console,
    leave_callback,
    make_accounts,
    start_console,
    store_conversations,
)

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
DOC_IMAGES = paths.PROJECT / "docs" / "images"


@pytest.fixture
def console(tmp_path) -> Iterator[tuple[Console, int]]:
    staff_url, tracker_url = f"sqlite:///{tmp_path / 'staff.db'}", f"sqlite:///{tmp_path / 'tracker.db'}"
    make_accounts(staff_url, ("zhang", "staff"))
    store_conversations(tracker_url, CONVERSATIONS)
    request_id = leave_callback(staff_url, "rest-fell-back", "其他事项", "想问附近的火锅店，助手没答上来，请回电")
    running = start_console(staff_url, tracker_url, "console-browser")
    try:
        yield running, request_id
    finally:
        running.stop()


def screenshot(page, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / name), full_page=False)
    if os.environ.get("CONSOLE_DOC_SCREENSHOTS") == "1":  # for docs/staff.md: 64 colours keep them small
        from PIL import Image

        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        with Image.open(OUTPUT / name) as image:
            image.convert("RGB").quantize(colors=64).save(DOC_IMAGES / name, optimize=True)


def unlabelled_fields(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(field => field.labels.length === 0).map(field => field.outerHTML)""")


def test_staff_work_a_callback_and_review_a_conversation_that_fell_back(chromium, console) -> None:
    running, request_id = console
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1100, "height": 760})
    requests, errors = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.status} {response.url}"))
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(f"{running.url}/callbacks")
        expect(page).to_have_url(re.compile(r"/login\?next=/callbacks$"))
        assert page.get_attribute("html", "lang") == "zh-CN" and unlabelled_fields(page) == []
        page.get_by_label("用户名").fill("zhang")
        page.get_by_label("密码").fill(PASSWORDS["staff"])
        screenshot(page, "console-login.png")
        page.get_by_role("button", name="登录", exact=True).click()

        # The queue: the new request, its number masked.
        expect(page).to_have_url(f"{running.url}/callbacks")
        row = page.locator("table.queue tbody tr").filter(has_text="其他事项")
        expect(row).to_contain_text("待认领")
        expect(row).to_contain_text("139****5678")
        screenshot(page, "console-callbacks.png")
        row.get_by_role("link", name=str(request_id)).click()

        # The request in full: claim, note, called, closed.
        expect(page.locator("a.phone")).to_have_text(PHONE)
        page.get_by_role("button", name="认领").click()
        expect(page.locator(".notice")).to_have_text("已认领。请尽快回电。")
        page.get_by_label("添加备注").fill("第一次未接通，下午再打")
        page.get_by_role("button", name="添加备注").click()
        expect(page.locator("ol.notes")).to_contain_text("第一次未接通，下午再打")
        page.get_by_role("button", name="已回电").click()
        expect(page.locator(".notice")).to_have_text("已记录回电。")
        page.get_by_label("办结说明（可选）").fill("已回电，告知可拨打 12345 咨询")
        assert unlabelled_fields(page) == []
        screenshot(page, "console-callback.png")
        page.get_by_role("button", name="办结", exact=True).click()
        expect(page.locator("h1 .state")).to_have_text("已办结")
        expect(page.locator(".facts")).to_contain_text("已回电，告知可拨打 12345 咨询")
        page.get_by_role("link", name="回电请求列表").click()
        expect(page.locator("main")).to_contain_text("没有待处理的回电请求")

        # Conversations: only those that fell back, then the one that did.
        page.get_by_role("link", name="会话记录").click()
        page.get_by_label("未能回答").check()
        page.get_by_role("button", name="筛选").click()
        expect(page.locator("main [role=status]")).to_have_text("共 1 个会话。")
        assert unlabelled_fields(page) == []
        screenshot(page, "console-conversations.png")
        page.get_by_role("link", name="查看会话 rest-fell-back").click()
        fell_back = page.locator("section.turn.fell-back")
        expect(fell_back).to_have_count(1)
        expect(fell_back).to_contain_text("附近哪有好吃的火锅店")
        expect(fell_back).to_contain_text("out_of_scope")
        expect(fell_back.locator(".routing")).to_contain_text("no topic above threshold")
        fell_back.scroll_into_view_if_needed()
        screenshot(page, "console-conversation.png")
        expect(page.locator(".facts")).to_contain_text(f"编号 {request_id}")

        page.get_by_role("link", name="运行报告").click()
        expect(page.locator("ul.summary")).to_contain_text("会话数：3")
        expect(page.locator("img[alt^=每日会话数]")).to_be_visible()
        screenshot(page, "console-report.png")
    finally:
        context.close()
    assert errors == [], "\n".join(errors)
    assert [url for url in requests if urlsplit(url).hostname != "127.0.0.1" and not url.startswith("data:")] == []
