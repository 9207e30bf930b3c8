"""The console's report page whatever residents typed: a 1,000-character message opens on demand,
dates never wrap, and each 差评 shows its topic's title, the question and the answer it rated.
Screenshots in test-output/console/console-report-*.png."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from bot.knowledge.model import load
from bot.requests.store import StaffStore
from tests.console.conftest import (
    OUTPUT,
    PASSWORDS,
    TALENT,
    Said,
    make_accounts,
    start_console,
    store_conversations,
)

pytestmark = pytest.mark.browser
JUNK = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36] for i in range(1000))
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def test_the_report_page_reads_with_junk_and_low_ratings(tmp_path, chromium) -> None:
    staff_url, tracker_url = f"sqlite:///{tmp_path / 'staff.db'}", f"sqlite:///{tmp_path / 'tracker.db'}"
    make_accounts(staff_url, ("zhang", "staff"))
    an_hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).timestamp()
    junk = Said(JUNK, "out_of_scope", 0.2, ["action_default_fallback"], "抱歉，这个问题我暂时答不了。")
    store_conversations(tracker_url, {"web-junk": (an_hour_ago, [junk], "socketio"),
                                      "web-unhappy": (an_hour_ago, [TALENT], "socketio")})
    store = StaffStore(staff_url)
    try:
        store.add_rating("web-unhappy", 1, "太笼统了", "talent_plan", "socketio")
    finally:
        store.close()
    console = start_console(staff_url, tracker_url, "console-report")
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(console.url + "/report")
        page.get_by_label("用户名").fill("zhang")
        page.get_by_label("密码").fill(PASSWORDS["staff"])
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.locator("h1")).to_have_text("运行报告")
        for name, viewport in SCREENS.items():
            page.set_viewport_size(viewport)
            page.screenshot(path=str(OUTPUT / f"console-report-{name}.png"), full_page=True)
            heights = page.eval_on_selector_all("tr", "rows => rows.map(r => r.getBoundingClientRect().height)")
            assert max(heights) <= 250, heights

        junk_cell = page.locator("td").filter(has=page.locator("details")).filter(has_text=JUNK[:60])
        expect(junk_cell.locator("details .text")).to_be_hidden()
        junk_cell.locator("summary").click()
        expect(junk_cell.locator("details .text")).to_have_text(JUNK)

        rated = page.locator("tr").filter(has_text="经纬人才计划讲的是啥")
        expect(rated).to_contain_text("非常不满意")
        expect(rated).to_contain_text(load().topics["talent_plan"].title)
        expect(rated).to_contain_text(TALENT.reply)
        expect(rated).to_contain_text("太笼统了")
        assert "talent_plan" not in page.locator("main").inner_text()
    finally:
        context.close()
        console.stop()
