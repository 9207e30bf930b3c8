"""On a phone (390×844) in Debian's chromium, the answer to a service question fits one screen.

A resident asks how a service is done; the card (name, channels and visits, materials, one sample
notice) and its buttons for the rest of the guide (条件、时限、费用、地点、电话、网上办) must all be on
screen inside the conversation, from the card's first line to its last button, without the
resident scrolling. In 大字模式 a card may be taller than the conversation: then its first screen
holds the name and the first line (the view starts at the answer, not at its end), the input box
stays on screen and axe-core finds no serious or critical violation. A greeting button opens a menu
of questions, and a long channel list comes in groups. Screenshots go to test-output/web/phone-*.png.
"""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import expect

from bot.catalogue.files import load_services
from bot.catalogue.schema import Service
from bot.catalogue.text import card as card_text
from tests.names import NAME
from tests.web.browsing import PHONE, Visit, axe_violations, blocking, save_violations
from tests.web.conftest import OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.server]
CARD_BUTTONS = ("条件", "时限", "费用", "地点", "电话", "网上办")


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found, f"{locator} is not on the page"
    return found


def text_box(locator, text: str) -> dict[str, float]:
    """Where a text inside the element stands on screen (all its lines, as wrapped)."""
    found = locator.evaluate("""(e, text) => {
        const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(text);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            const r = range.getBoundingClientRect();
            return {x: r.x, y: r.y, width: r.width, height: r.height};
        }
        return null;
    }""", text)
    assert found, f"{text!r} is not in {locator}"
    return found


def ask_for_card(visit: Visit, question: str, name: str, screenshot: str):
    """Once greeted, ask `question`; the card of service `name` once it and its buttons are all
    shown and no message follows, the screen kept as `screenshot`.png."""
    page = visit.page
    expect(page.locator(".rw-reply").filter(has_text="人才政策")).to_be_visible()  # greeted
    visit.ask(question)
    card = visit.answer(f"【{name}】").filter(has_text="申请材料")
    expect(card).to_be_visible()
    for title in CARD_BUTTONS:
        expect(page.locator(".rw-reply").filter(has_text=title).last).to_be_visible()
    visit.settle()
    page.screenshot(path=str(OUTPUT / f"{screenshot}.png"))
    return card


def longest_card() -> str:
    """The service whose card is longest on a phone (its lines as they wrap, 16 characters a line)."""
    def lines(service: Service) -> int:
        return sum(math.ceil(len(line) / 16) for line in card_text(service).splitlines())

    return max(load_services(), key=lines).name


@pytest.mark.parametrize("name", [NAME["SZ-CIV-03"], longest_card()])
def test_a_service_answer_is_seen_whole_on_a_phone_without_scrolling(servers, widget, chromium, name: str):
    visit = Visit(chromium, widget.url, PHONE)
    page = visit.page
    try:
        card = ask_for_card(visit, f"我想问问{name}怎么办理", name, f"phone-service-answer-{name}")

        # One sample notice, not a mark on every line.
        text = card.inner_text()
        assert text.count("示例") == 1 and "12345" in text, text
        # From the card's first line to its last button, inside the conversation's visible part.
        shown = box(page.locator("#rw-messages"))
        first = box(card)
        last = box(page.locator(".rw-reply").filter(has_text="网上办").last)
        assert page.evaluate("window.scrollY") == 0
        assert shown["y"] <= first["y"] and last["y"] + last["height"] <= shown["y"] + shown["height"], (
            shown, first, last)
        assert last["y"] + last["height"] <= PHONE.height
        # A button answers the field it names, in its text.
        page.locator(".rw-reply").filter(has_text="时限").last.click()
        expect(visit.answer(f"【{name}】办理时限")).to_be_visible()
        assert visit.offsite() == [] and visit.errors == [], (visit.offsite(), visit.errors)
    finally:
        visit.close()


@pytest.mark.parametrize("name", [NAME["SZ-CIV-03"], longest_card()])
def test_in_large_text_a_service_answer_starts_on_screen_with_the_input_box(servers, widget, chromium, name: str):
    """大字模式 on a phone: the whole answer when it fits; when it does not, the conversation shows
    the card from its name and first line (not its end), and the input box stays on screen."""
    visit = Visit(chromium, widget.url, PHONE)
    page = visit.page
    try:
        page.locator("#large-text").click()
        expect(page.locator("#large-text")).to_have_attribute("aria-pressed", "true")
        card = ask_for_card(visit, f"请问{name}要怎么办", name, f"phone-large-text-service-answer-{name}")

        violations = axe_violations(page)
        save_violations(violations, OUTPUT / f"phone-large-text-service-answer-{name}-axe.json")
        assert blocking(violations) == [], "\n".join(blocking(violations))

        assert page.evaluate("window.scrollY") == 0
        entry = box(page.locator(".rw-new-message"))
        assert 0 <= entry["y"] and entry["y"] + entry["height"] <= PHONE.height, entry
        shown = box(page.locator("#rw-messages"))
        last = box(page.locator(".rw-reply").filter(has_text="网上办").last)
        first = box(card)
        whole = shown["y"] <= first["y"] and last["y"] + last["height"] <= shown["y"] + shown["height"]
        if not whole:
            # The card's first screen: its name and its first line (the channels), as wrapped.
            heading = text_box(card, f"【{name}】")
            channels = text_box(card, "办理渠道")
            opening = card.inner_text().splitlines()[1]
            line = text_box(card, opening)
            for part in (heading, channels, line):
                assert shown["y"] <= part["y"] and part["y"] + part["height"] <= shown["y"] + shown["height"], (
                    shown, part)
        assert visit.offsite() == [] and visit.errors == [], (visit.offsite(), visit.errors)
    finally:
        visit.close()


def test_a_greeting_button_opens_a_menu_and_a_long_list_comes_in_groups(servers, widget, chromium):
    visit = Visit(chromium, widget.url, PHONE)
    page = visit.page
    try:
        page.locator(".rw-reply").filter(has_text="政务服务怎么办").click()
        expect(visit.answer("政务服务方面")).to_be_visible()
        page.locator(".rw-reply").filter(has_text="网上能办的事").click()
        expect(visit.answer("按类别分")).to_be_visible()
        groups = page.locator(".rw-reply").filter(has_text="项）")
        expect(groups.first).to_be_visible()
        assert 5 <= groups.count() <= 12, groups.count()
        visit.settle()
        page.screenshot(path=str(OUTPUT / "phone-channel-groups.png"))
        groups.first.click()
        expect(visit.answer("事项目录里有这")).to_be_visible()
        assert visit.offsite() == [] and visit.errors == [], (visit.offsite(), visit.errors)
    finally:
        visit.close()
