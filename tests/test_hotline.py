"""Questions about the 12345 citizen hotline itself, through REST: answered from its record
(sources/hotline.yml) — what it is, when the assistant hands on to it, its number — and for its
hours and cost the plain word that the district's article does not give them; never an article
topic that shares a digit (the 12100 project) nor its buttons (issue 19).

The routing decision each answer records in the tracker (metadata.routing) is checked too.
"""

from __future__ import annotations

import re
import uuid

import pytest

from bot.catalogue.hotline import LABELS, SAMPLE_NOTICE, load_hotline
from tests.button_walk import Assistant

pytestmark = pytest.mark.server

# (question, the record's field its answer opens with; None: what it is, then when to call it)
WORDINGS = [
    ("12345是干啥的", "purpose"),
    ("市民服务热线到底是干嘛用的", "purpose"),
    ("遇到什么问题才需要打12345", "hand_on"),
    ("为啥你老让我打12345", "hand_on"),
    ("打12345收不收钱", "cost"),
    ("12345热线晚上有人接听吗", "hours"),
    ("12345热线", None),
]


@pytest.fixture(scope="module")
def api(servers) -> Assistant:
    return Assistant(servers.rasa_url, servers.auth_token)


def opens_with(text: str, field: str | None) -> bool:
    hotline, first = load_hotline(), text.splitlines()[0]
    if field in (None, "purpose"):
        return first.startswith(f"{hotline.name}是")
    if field == "hand_on":
        return first.startswith(f"本助手会请您拨打{hotline.number}")
    return first.startswith(f"{hotline.name}{LABELS[field]}：")


@pytest.mark.parametrize(("question", "field"), WORDINGS, ids=[q for q, _ in WORDINGS])
def test_the_hotline_is_answered_from_its_record(api: Assistant, question: str, field: str | None) -> None:
    reply = api.say(f"hotline-{uuid.uuid4().hex}", question)
    assert reply.decisions[:1] == ["hotline"], (reply.decisions, reply.text)
    assert opens_with(reply.text, field), reply.text
    assert "12100" not in reply.text and "工作部署“" not in reply.text  # no article topic
    assert not any("12100" in b["title"] or "民生" in b["title"] for b in reply.buttons), reply.buttons
    # Hours and cost: no invented hour or fee, the sample notice once.
    if field in ("hours", "cost"):
        assert "没有写" in reply.text and reply.text.count(SAMPLE_NOTICE) == 1
        assert not re.search(r"\d+\s*(?:点|小时|元|分钱)", reply.text), reply.text
    # The other fields are a tap away, each asked of the hotline by its number.
    assert reply.buttons and all(b["payload"].startswith("12345") for b in reply.buttons)
    assert reply.fallback() is None


def test_a_follow_up_asks_the_hotline_again_and_its_buttons_answer(api: Assistant) -> None:
    sender = f"hotline-{uuid.uuid4().hex}"
    first = api.say(sender, "12345是个什么电话")
    assert first.decisions[:1] == ["hotline"] and first.slots.get("subject") == "hotline"
    cost = api.say(sender, "要花钱吗")
    assert cost.decisions[:1] == ["hotline_follow_up"] and opens_with(cost.text, "cost"), cost.text
    for button in first.buttons:
        pressed = api.say(f"hotline-{uuid.uuid4().hex}", button["payload"])
        assert pressed.decisions[:1] == ["hotline"] and pressed.fallback() is None, (button, pressed.text)


def test_a_number_holding_12345_is_no_question_about_the_hotline(api: Assistant) -> None:
    reply = api.say(f"hotline-{uuid.uuid4().hex}", "我的手机号是13912345678")
    assert "hotline" not in reply.decisions
