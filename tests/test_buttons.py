"""Every button the assistant can show leads somewhere (issue 19, point 3).

The walk (tests/button_walk.py) starts from the greeting, the help, a thank-you (the rating's
buttons), 转人工 (the callback offer), the callback form up to its 称呼 and confirmation steps, one
topic answer of each area of the article, one service of each kind of the catalogue, every
channel's list, the service centre and the 12345 hotline, and presses every button reached, breadth-first, through
the REST channel of the running assistant. A reply that falls back (please rephrase, the unsure
offer, "没有找到", out of scope, a turn counted as a failure) fails the test. The walk must also have
pressed every button of the domain's responses and of the actions' fixed button sets, and buttons
of every kind of reply the router renders with buttons.
"""

from __future__ import annotations

import pytest
import yaml

from actions.failures import OFFER_BUTTONS
from actions.handoff import CONFIRM_BUTTONS
from actions.rating import RATING_BUTTONS
from bot import paths
from bot.catalogue.files import load_services
from bot.catalogue.schema import CHANNELS
from bot.dialogue.rules import shared_rules
from bot.dialogue.topics import topic_question
from bot.knowledge.model import shared as shared_knowledge
from tests.button_walk import Assistant, Walk, new_sender, walk

pytestmark = pytest.mark.server

# The callback form typed up to the step that offers 跳过 (称呼); the confirmation follows.
CALLBACK_TO_NAME = ("我想留个电话请工作人员回电", "其他事项", "想问问家里老人能领哪些补贴", "13800138000")
# Replies the router renders with buttons, each of which the walk must have pressed from.
ROUTED_WITH_BUTTONS = {"menu", "channel_list", "kind_list", "service_centre", "channel_unnamed", "hotline"}


def starts() -> list[tuple[str, ...]]:
    """The conversations the walk starts from (each its turns, said in a new conversation)."""
    knowledge = shared_knowledge()
    first_of_area: dict[str, str] = {}
    for topic in knowledge.topics.values():
        first_of_area.setdefault(topic.area, topic_question(topic, shared_rules()))
    first_of_kind: dict[str, str] = {}
    for service in load_services():
        first_of_kind.setdefault(service.topic, f"{service.name}怎么办理")
    return [("你好",), ("你能帮我做些什么",), ("离婚登记得准备些什么", "多谢了"), ("转人工",), CALLBACK_TO_NAME,
            *((question,) for question in first_of_area.values()),
            *((question,) for question in first_of_kind.values()),
            *((f"哪些事可以{channel}",) for channel in CHANNELS), ("有哪些事项",),
            ("区政务服务中心在哪",), ("12345热线是做什么的",)]


def domain_buttons() -> set[tuple[str, str]]:
    """(response, payload) of every button in domain.yml's responses."""
    responses = yaml.safe_load(paths.DOMAIN.read_text(encoding="utf-8"))["responses"]
    return {(name, button["payload"]) for name, variants in responses.items()
            for variant in variants for button in variant.get("buttons") or []}


@pytest.fixture(scope="module")
def walked(servers) -> Walk:
    return walk(Assistant(servers.rasa_url, servers.auth_token), starts())


def test_the_walk_tells_a_reply_that_falls_back(servers) -> None:
    """The check itself: an out-of-scope request and gibberish fall back, a service question does not."""
    api = Assistant(servers.rasa_url, servers.auth_token)
    assert api.say(new_sender(), "帮我叫一辆出租车").fallback()
    assert api.say(new_sender(), "zzqx qwpo").fallback()
    assert api.say(new_sender(), "离婚登记得准备些什么").fallback() is None


def test_no_start_of_the_walk_falls_back(walked: Walk) -> None:
    failed = [f"{reply.said!r}: {reply.fallback()}" for reply in walked.starts if reply.fallback()]
    assert not failed, failed


def test_no_button_leads_to_a_reply_that_falls_back(walked: Walk) -> None:
    failures = walked.failures()
    assert not failures, f"{len(failures)} of {len(walked.presses)} presses fell back:\n" + "\n".join(failures)


def test_the_walk_pressed_every_button_of_the_domain_and_the_actions(walked: Walk) -> None:
    pressed = {press.payload for press in walked.presses}
    missing = {(name, payload) for name, payload in domain_buttons() if payload not in pressed}
    assert not missing, f"domain buttons never reached: {sorted(missing)}"
    fixed = {b["payload"] for b in (*OFFER_BUTTONS, *CONFIRM_BUTTONS, *RATING_BUTTONS)}
    assert fixed <= pressed, f"action buttons never reached: {sorted(fixed - pressed)}"


def test_the_walk_pressed_buttons_of_every_kind_of_routed_reply(walked: Walk) -> None:
    shown = {decision for press in walked.presses for decision in press.shown_by.split("/")}
    assert ROUTED_WITH_BUTTONS <= shown, sorted(ROUTED_WITH_BUTTONS - shown)
    cards = [p for p in walked.presses if any("service" in r and not r.get("fields") for r in p.reply.routing)]
    fields = [p for p in walked.presses if any(r.get("fields") and "service" in r for r in p.reply.routing)]
    topics = [p for p in walked.presses if any(r.get("next") or r.get("related") for r in p.reply.routing)]
    assert len(cards) >= 30 and len(fields) >= 100 and len(topics) >= 30, (len(cards), len(fields), len(topics))
