"""The 好差评 rating, end to end over REST: asked after an answer the resident thanks for and at
goodbye, five levels as buttons, a comment for the two lowest, stored with the topic it rates."""

from __future__ import annotations

import pytest

from bot.requests.store import RATING_LEVELS
from tests.staff.conftest import Resident

pytestmark = pytest.mark.server


def ratings_of(staff_store, conversation_id: str):
    return [r for r in staff_store.ratings() if r.conversation_id == conversation_id]


def rating_buttons(resident: Resident) -> list[str]:
    return [p for p in resident.payloads() if p.startswith("/rate")]


def test_thanks_after_an_answer_asks_for_a_rating(resident: Resident, staff_store) -> None:
    assert "经纬人才" in resident.say("经纬人才计划讲的是啥")
    thanks = resident.say("谢谢")
    assert all(label in thanks for label in RATING_LEVELS.values())
    assert len(rating_buttons(resident)) == 5

    assert "非常满意" in resident.say('/rate{"rating_level": "5"}')
    [rating] = ratings_of(staff_store, resident.conversation_id)
    assert (rating.level, rating.topic, rating.comment) == (5, "talent_plan", None)
    # Asked once for that answer: thanking again does not ask again.
    resident.say("谢谢你")
    assert rating_buttons(resident) == []


def test_a_low_rating_at_goodbye_asks_for_a_comment(resident: Resident, staff_store) -> None:
    resident.say("临时救助在哪申请")
    bye = resident.say("再见")
    assert "再见" in bye and len(rating_buttons(resident)) == 5
    assert "哪里没做好" in resident.say('/rate{"rating_level": "1"}')
    assert ratings_of(staff_store, resident.conversation_id) == []  # stored only when the comment is in
    thanks = resident.say("回答太笼统了，我的身份证号11010519491231002X也没用上")
    assert "12345" in thanks
    [rating] = ratings_of(staff_store, resident.conversation_id)
    assert rating.level == 1 and rating.topic and rating.topic.startswith("service:")
    assert "回答太笼统" in rating.comment and "11010519491231002X" not in rating.comment


@pytest.mark.parametrize("no_comment", ["跳过", "取消"])  # cancelling the comment keeps the level
def test_a_typed_rating_and_a_skipped_comment(resident: Resident, staff_store, no_comment: str) -> None:
    resident.say("人才落户有什么政策")
    assert "哪里没做好" in resident.say("不满意")
    resident.say(no_comment)
    [rating] = ratings_of(staff_store, resident.conversation_id)
    assert rating.level == 2 and not rating.comment


def test_no_rating_without_an_answer(resident: Resident) -> None:
    resident.say("你好")
    resident.say("谢谢")
    assert rating_buttons(resident) == []
