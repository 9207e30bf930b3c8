"""Conversations read for review from the tracker store's tables (SQLite and PostgreSQL), as the
assistant's tracker store wrote them: filters, search, and one conversation turn by turn."""

from __future__ import annotations

from datetime import date

import pytest

from bot.console.conversations import ConversationIndex, Filters
from bot.requests.store import StaffStore
from tests.console.conftest import PHONE, leave_callback


@pytest.fixture
def index(tracker_url: str):
    reader = ConversationIndex(tracker_url)
    yield reader
    reader.close()


@pytest.fixture
def staff(staff_url: str):
    store = StaffStore(staff_url)
    store.add_rating("web-talent", 2, "太笼统", "talent_plan", "socketio")
    store.add_rating("rest-fell-back", 5, None, "talent_plan", "rest")
    yield store
    store.close()


def found(index: ConversationIndex, staff: StaffStore, **filters) -> list[str]:
    return [s.sender_id for s in index.search(Filters(**filters), staff.ratings(), staff.callback_requests(None))]


def test_filters(index: ConversationIndex, staff: StaffStore, staff_url: str) -> None:
    assert found(index, staff) == ["wx-human", "web-talent", "rest-fell-back"]  # the latest first
    assert found(index, staff, fell_back=True) == ["rest-fell-back"]
    assert found(index, staff, unhappy=True) == ["web-talent"]
    assert found(index, staff, handed_off=True) == ["wx-human"]  # asked for a person
    leave_callback(staff_url, "web-talent", "人才落户", "想问材料")
    assert found(index, staff, handed_off=True) == ["wx-human", "web-talent"]  # or left a callback
    assert found(index, staff, channel="socketio") == ["web-talent"]
    assert index.channels() == ["rest", "socketio", "wechat"]
    assert found(index, staff, since=date(2026, 11, 3)) == ["wx-human", "web-talent"]
    assert found(index, staff, until=date(2026, 11, 3)) == ["web-talent", "rest-fell-back"]
    assert found(index, staff, since=date(2026, 11, 3), until=date(2026, 11, 3)) == ["web-talent"]
    assert found(index, staff, fell_back=True, channel="socketio") == []


def test_search_by_words_and_by_id(index: ConversationIndex, staff: StaffStore) -> None:
    assert found(index, staff, words="火锅") == ["rest-fell-back"]  # what the resident said
    assert found(index, staff, words="经纬人才") == ["web-talent", "rest-fell-back"]
    assert found(index, staff, words="12345") == ["wx-human", "rest-fell-back"]  # what the assistant said
    assert found(index, staff, words="WX-HUM") == ["wx-human"]
    assert found(index, staff, words="text") == []  # a JSON key is no text
    assert found(index, staff, words="100%_") == []
    assert found(index, staff, words=PHONE) == []  # stored masked, so not findable whole


def test_a_conversation_turn_by_turn(index: ConversationIndex, staff: StaffStore) -> None:
    conversation = index.conversation("rest-fell-back", staff.ratings(), staff.callback_requests(None))
    assert conversation.channel == "rest" and len(conversation.turns) == 2
    first, second = conversation.turns
    assert (first.text, first.intent, first.confidence, first.fell_back) == ("经纬人才计划讲的是啥", "faq", 0.97, False)
    assert [(s.kind, s.label) for s in first.steps] == [
        ("action", "action_answer_knowledge"), ("slot", "knowledge_topic"),
        ("bot", "经纬人才计划……（来源：区政府 2020 年工作安排）")]
    assert first.steps[0].detail == "RulePolicy 1.00" and first.routing == []
    assert second.fell_back and second.intent == "out_of_scope" and second.confidence == 0.41
    assert second.routing == [{"decision": "fallback", "reason": "no topic above threshold", "score": 0.41}]
    assert [r.level for r in second.ratings] == [5] and [r.level for r in conversation.ratings] == [5]


def test_text_is_shown_as_stored_masked(index: ConversationIndex, staff: StaffStore) -> None:
    conversation = index.conversation("wx-human", staff.ratings(), staff.callback_requests(None))
    [turn] = conversation.turns
    assert turn.text == "转人工，我电话139****5678" and turn.channel == "wechat"
    assert [s.buttons for s in turn.steps if s.kind == "bot"] == [["好", "不用了"]]
    assert index.conversation("nobody", [], []) is None


def test_an_empty_tracker_store_lists_nothing(tmp_path) -> None:
    reader = ConversationIndex(f"sqlite:///{tmp_path / 'none.db'}")
    try:
        assert reader.search(Filters(), [], []) == [] and reader.channels() == []
        assert reader.conversation("x", [], []) is None
    finally:
        reader.close()
