"""WCAG 2.1 AA in Debian's chromium, on a phone (390×844) and a desktop, normal and 大字模式.

Each visit holds a real conversation with the running assistant (a greeting button chosen with the
keyboard, a typed question, the way to a person) so that answers and quick-reply buttons are on
screen, then runs axe-core on the page: no serious or critical violation may remain. The layout is
checked as a resident sees it: the input box on screen without scrolling, the conversation given
most of the screen, the title broken only between its words. Screenshots and axe's findings go to
test-output/web/a11y-*.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.browsing import DESKTOP, PHONE, Screen, Visit, axe_violations, blocking, save_violations
from tests.web.conftest import OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.server]
TITLE_WORDS = ("济南市市中区", "政务服务助手")
# The share of the screen's height the conversation (messages and input box) gets at least.
CONVERSATION_SHARE = 0.7


def relative_luminance(rgb: tuple[float, ...]) -> float:
    channels = [c / 255 for c in rgb[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of two computed CSS colours (`rgb(…)`/`rgba(…)`, opaque)."""
    lighter, darker = sorted((relative_luminance(tuple(float(v) for v in re.findall(r"[\d.]+", colour)))
                              for colour in (foreground, background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def title_lines(page) -> list[str]:
    """The page title's text as the screen shows it, one entry per line."""
    return page.evaluate("""() => {
        const lines = [];
        let top = null;
        const walker = document.createTreeWalker(document.querySelector('h1'), NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getBoundingClientRect();
                if (top === null || rect.top > top + rect.height / 2) { lines.push(''); top = rect.top; }
                lines[lines.length - 1] += node.data[i];
            }
        }
        return lines;
    }""")


def hold_a_conversation(visit: Visit) -> None:
    """A greeting button by keyboard, a typed question, then the way to a person (its buttons)."""
    page = visit.page
    choice = page.get_by_role("button", name="民生工程")
    expect(choice).to_be_visible()
    visit.wait_for_session()
    choice.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".rw-client").filter(has_text="民生工程")).to_be_visible()
    expect(visit.answer("民生工程方面")).to_be_visible()  # its menu of questions
    visit.ask("经纬人才计划讲的是啥")
    expect(visit.answer("经纬人才").filter(has_text="来源")).to_be_visible()
    page.locator("#handoff").click()
    expect(visit.answer("12345").last).to_be_visible()
    expect(page.locator(".rw-reply").first).to_be_visible()
    visit.settle()


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-text"])
@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=lambda screen: screen.name)
def test_a_conversation_meets_wcag_21_aa(servers, widget, chromium, screen: Screen, large: bool):
    visit = Visit(chromium, widget.url, screen)
    page = visit.page
    name = f"a11y-{screen.name}-{'large-text' if large else 'normal'}"
    try:
        if large:
            page.locator("#large-text").click()
            expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
        hold_a_conversation(visit)
        page.screenshot(path=str(OUTPUT / f"{name}.png"))

        violations = axe_violations(page)
        save_violations(violations, OUTPUT / f"{name}-axe.json")
        assert blocking(violations) == [], "\n".join(blocking(violations))

        # Names a screen reader announces; the quick replies are buttons.
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.get_by_role("button", name="发送")).to_have_count(1)
        expect(page.get_by_role("textbox", name=re.compile("请输入您的问题"))).to_be_visible()
        expect(page.get_by_role("log", name="对话记录")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("回电"))).not_to_have_count(0)
        reply = page.locator(".rw-reply").first
        colours = reply.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
        assert contrast(*colours) >= 4.5, colours

        # What the screen shows: the input box without scrolling, the conversation most of the screen.
        assert page.evaluate("window.scrollY") == 0
        box = page.locator(".rw-new-message").bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= screen.height, box
        chat = page.locator("#webchat").bounding_box()
        assert chat and chat["height"] >= CONVERSATION_SHARE * screen.height, chat
        lines = title_lines(page)
        assert "".join(lines) == "".join(TITLE_WORDS)
        assert lines in (["".join(TITLE_WORDS)], list(TITLE_WORDS)), lines
        assert visit.offsite() == [] and visit.errors == [], (visit.offsite(), visit.errors)
    finally:
        visit.close()


def focused(page) -> str:
    """The focused element as `tag#id.class "name"`, enough to tell the stops apart."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        const name = e.getAttribute('aria-label') || e.textContent.trim().slice(0, 20);
        return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.classList.length ? '.' + e.classList[0] : ''}`
            + ` "${name}"`;
    }""")


def test_the_keyboard_reaches_every_control_in_reading_order(servers, widget, chromium):
    visit = Visit(chromium, widget.url, DESKTOP)
    page = visit.page
    try:
        expect(page.get_by_role("button", name="人才政策")).to_be_visible()
        visit.wait_for_session()
        page.evaluate("document.activeElement.blur()")
        stops = []
        for _ in range(9):
            page.keyboard.press("Tab")
            stops.append(focused(page))
        assert stops[:8] == [
            'button#large-text.tool "大字模式"',
            'button#handoff.tool "转人工 / 12345"',
            'div#rw-messages.rw-messages-container "对话记录"',
            'button.rw-reply "人才政策"',
            'button.rw-reply "政务服务怎么办"',
            'button.rw-reply "民生工程"',
            'textarea.rw-new-message "请输入您的问题，例如：经纬人才计划讲的是什么"',
            'a "拨打 12345"',  # the send button is skipped while there is nothing to send
        ], stops

        # Focus is visible on a quick reply: a 3 px ring.
        reply = page.get_by_role("button", name="人才政策")
        reply.focus()
        ring = reply.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
        assert ring == ["solid", "3px"], ring
        page.screenshot(path=str(OUTPUT / "a11y-keyboard-focus.png"))

        # Enter chooses it; the button goes and focus lands on the conversation, not the page's top.
        page.keyboard.press("Enter")
        expect(page.locator(".rw-client").filter(has_text="人才政策")).to_be_visible()
        expect(page.locator("#rw-messages")).to_be_focused()
        page.keyboard.press("Tab")
        assert focused(page).startswith(("button.rw-reply", "textarea.rw-new-message")), focused(page)

        # A question typed and sent with the keyboard alone.
        page.locator(".rw-new-message").focus()
        page.keyboard.type("经纬人才计划讲的是啥")
        expect(page.get_by_role("button", name="发送")).to_be_enabled()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="发送")).to_be_focused()
        page.keyboard.press("Enter")
        expect(visit.answer("经纬人才").filter(has_text="来源")).to_be_visible()

        # 大字模式 with the keyboard: Space toggles it and says so.
        page.locator("#large-text").focus()
        page.keyboard.press("Space")
        expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
        expect(page.locator("html")).to_have_class(re.compile("large-text"))
        assert visit.errors == [], visit.errors
    finally:
        visit.close()
