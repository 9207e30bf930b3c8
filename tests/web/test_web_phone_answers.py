"""On a phone (390×844) in Debian's chromium, the answer to a service question fits one screen.

A resident asks how a service is done; the card (name, channels and visits, materials, one sample
notice) and its buttons for the rest of the guide (条件、时限、费用、地点、电话、网上办) must all be on
screen inside the conversation, from the card's first line to its last button, without the
resident scrolling. A greeting button opens a menu of questions, and a long channel list comes in
groups. Screenshots go to test-output/web/phone-*.png.
"""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import expect

from bot.catalogue.files import load_services
from bot.catalogue.schema import Service
from bot.catalogue.text import card as card_text
from tests.web.browsing import PHONE, Visit
from tests.web.conftest import OUTPUT

pytestmark = [pytest.mark.browser, pytest.mark.server]
CARD_BUTTONS = ("条件", "时限", "费用", "地点", "电话", "网上办")


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found, f"{locator} is not on the page"
    return found


def longest_card() -> str:
    """The service whose card is longest on a phone (its lines as they wrap, 16 characters a line)."""
    def lines(service: Service) -> int:
        return sum(math.ceil(len(line) / 16) for line in card_text(service).splitlines())

    return max(load_services(), key=lines).name


@pytest.mark.parametrize("name", ["居住证申领", longest_card()])
def test_a_service_answer_is_seen_whole_on_a_phone_without_scrolling(servers, widget, chromium, name: str):
    visit = Visit(chromium, widget.url, PHONE)
    page = visit.page
    try:
        expect(page.locator(".rw-reply").filter(has_text="人才政策")).to_be_visible()  # greeted
        visit.ask(f"我想问问{name}怎么办理")
        card = visit.answer(f"【{name}】").filter(has_text="申请材料")
        expect(card).to_be_visible()
        for title in CARD_BUTTONS:
            expect(page.locator(".rw-reply").filter(has_text=title).last).to_be_visible()
        visit.settle()
        page.screenshot(path=str(OUTPUT / f"phone-service-answer-{name}.png"))

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
