"""`python -m bot.report` on a tracker store filled by real conversations over REST: its figures
match the conversations held, its charts are PNGs, personal numbers stay masked, and the page reads
in a browser on a phone and a desktop whatever residents typed (screenshots: test-output/report/)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bot import paths
from bot.knowledge.model import load
from bot.model import quiet_env
from bot.privacy.normalise import view
from bot.requests.store import StaffStore, ratings, utc_now
from tests.names import NAME
from tests.staff.conftest import Resident
from tests.staff.test_report_charts import bars

pytestmark = pytest.mark.server

PHONE, ID_CARD = "13912345678", "11010519491231002X"
LANDLINE, EMAIL = "0531-87654321", "zhang.san@example.com"
PHONE_FULL_WIDTH = "１３９ １２３４ ５６７８"
OUTPUT = paths.TEST_OUTPUT / "report"
# A thousand characters with nowhere to break a line: what made one row 1,160 px tall.
JUNK = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36] for i in range(1000))
SCREENS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
TALLEST_ROW = 250  # px


def hold_conversations(url: str) -> tuple[int, list[Resident]]:
    """Three residents; returns how many messages they sent."""
    sent = 0
    talent, lost, unhappy = Resident(url, "report"), Resident(url, "report"), Resident(url, "report")
    script = [
        (talent, ["经纬人才计划讲的是啥", "谢谢", '/rate{"rating_level": "5"}']),
        (lost, ["附近哪有好吃的火锅店", "帮我订一张去北京的机票", "/request_callback", "其他事项",
                f"想找人聊聊，我的身份证是{ID_CARD}，座机{LANDLINE}", PHONE, "跳过", "确认提交"]),
        (unhappy, ["你好", "经纬人才计划讲的是啥", "再见", '/rate{"rating_level": "2"}',
                   f"太笼统，回电{PHONE_FULL_WIDTH}，或发邮件到{EMAIL}"]),
    ]
    for resident, messages in script:
        for message in messages:
            resident.say(message)
            sent += 1
    return sent, [talent, lost, unhappy]


def write_report(servers, staff_url: str, since: datetime, out: Path) -> str:
    """Run `python -m bot.report` from `since` into `out`; what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.report", "--tracker", f"sqlite:///{servers.tracker_db}", "--staff", staff_url,
         "--since", since.isoformat(), "--out", str(out)],
        cwd=paths.PROJECT, env=quiet_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def start_afresh() -> datetime:
    since = datetime.now(timezone.utc)
    time.sleep(1.1)  # stored timestamps are floats; start cleanly after anything earlier
    return since


def test_the_report_matches_the_conversations(servers, staff_url: str, tmp_path: Path) -> None:
    since = start_afresh()
    sent, _ = hold_conversations(servers.rasa_url)
    out = tmp_path / "report"
    summary = write_report(servers, staff_url, since, out)
    assert f"会话数：3（用户消息 {sent} 条）" in summary
    assert "未能回答的提问：2 次，2 种说法" in summary
    assert "登记回电请求 1 条（待回电 1 条）" in summary
    assert "好差评：2 条，满意率（基本满意及以上）50%" in summary
    talent_plan = load().topics["talent_plan"].title
    assert f"问得最多：{talent_plan}（2）" in summary

    page = (out / "index.html").read_text(encoding="utf-8")
    for chart in ("conversations-per-day.png", "top-topics.png", "ratings.png"):
        assert f'src="{chart}"' in page
        assert (out / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "附近哪有好吃的火锅店" in page and "帮我订一张去北京的机票" in page
    assert re.search(r"<td class=nowrap>非常满意</td><td class=n>1</td>", page)
    assert re.search(r"<td class=nowrap>不满意</td><td class=n>1</td>", page)
    assert "139****5678" in page
    normal = view(page).text  # full-width digits made ASCII
    for raw in (PHONE, "139 1234 5678", ID_CARD, "87654321", EMAIL):
        assert raw not in normal, raw
    assert "0531-****4321" in normal and "z********@example.com" in normal and "１３９ **** ５６７８" in page
    assert "均已打码" not in page and "姓名、住址" in page  # says what is masked, and what cannot be


def test_the_report_masks_rows_an_older_version_stored_in_clear(servers, staff_url: str, tmp_path: Path) -> None:
    since = start_afresh()
    store = StaffStore(staff_url)
    try:
        with store._transaction() as connection:  # as the first version stored them
            connection.execute(ratings.insert().values(conversation_id="older", level=1, created_at=utc_now(),
                                                       comment=f"打{LANDLINE}没人接，我的邮箱{EMAIL}"))
    finally:
        store.close()
    out = tmp_path / "report"
    write_report(servers, staff_url, since, out)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "0531-****4321" in page and "87654321" not in page and EMAIL not in page


# Every line break of each cell's text, counted where the browser put them.
LINES_PER_CELL = """cells => cells.map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    return [cell.textContent, tops.size];
})"""


def test_the_report_reads_on_a_phone_and_a_desktop(servers, staff_url: str, tmp_path: Path, chromium) -> None:
    since = start_afresh()
    Resident(servers.rasa_url, "report").say(JUNK)  # falls back: listed under 未能回答
    service, knowledge = Resident(servers.rasa_url, "report"), Resident(servers.rasa_url, "report")
    for message in ["公司变更登记怎么办", "谢谢", '/rate{"rating_level": "1"}', "没说去哪个窗口"]:
        service.say(message)
    for message in ["经纬人才计划讲的是啥", "再见", '/rate{"rating_level": "2"}', "跳过"]:
        knowledge.say(message)
    out = tmp_path / "report"
    write_report(servers, staff_url, since, out)
    OUTPUT.mkdir(parents=True, exist_ok=True)

    # One day of conversations: one bar a tenth of the chart wide, not the whole chart.
    (bar,) = bars(out / "conversations-per-day.png")
    assert bar.width <= 0.15 * bar.image_width and bar.height <= 0.85 * bar.plot_height, bar

    talent_plan = load().topics["talent_plan"].title
    for name, viewport in SCREENS.items():
        context = chromium.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        try:
            page.goto((out / "index.html").as_uri())
            page.screenshot(path=str(OUTPUT / f"report-{name}.png"), full_page=True)
            heights = page.eval_on_selector_all("tr", "rows => rows.map(r => r.getBoundingClientRect().height)")
            assert max(heights) <= TALLEST_ROW, heights

            # Dates, times, states and counts on one line each.
            lines = page.eval_on_selector_all("td.nowrap, td.n", LINES_PER_CELL)
            assert lines and all(count == 1 for _, count in lines), [cell for cell in lines if cell[1] != 1]

            # The junk shows its beginning; the whole of it is a click away.
            junk = page.locator("details").filter(has_text=JUNK[:60])
            expect(junk.locator(".whole")).to_be_hidden()
            expect(junk.locator("summary")).to_contain_text("共 1000 字")
            junk.locator("summary").click()
            expect(junk.locator(".whole")).to_be_visible()
            assert junk.locator(".whole").text_content() == JUNK
            page.screenshot(path=str(OUTPUT / f"report-{name}-opened.png"), full_page=True)

            # Each 差评 with its topic's name, the question and the answer it rated.
            rows = page.locator("h3 + .scroll tr")
            rated_service = rows.filter(has_text="公司变更登记怎么办")
            expect(rated_service).to_contain_text("非常不满意")
            expect(rated_service).to_contain_text(NAME["SZ-ENT-04"])
            expect(rated_service).to_contain_text(f"【{NAME['SZ-ENT-04']}】")
            expect(rated_service).to_contain_text("没说去哪个窗口")
            rated_knowledge = rows.filter(has_text="经纬人才计划讲的是啥")
            expect(rated_knowledge).to_contain_text(talent_plan)
            expect(rated_knowledge).to_contain_text("不满意")
            text = page.locator("body").inner_text()
            assert "talent_plan" not in text and "service:" not in text and "SZ-ENT-04" not in text
        finally:
            context.close()
