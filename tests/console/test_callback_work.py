"""Working callback requests in the staff store (SQLite and PostgreSQL): claims that two staff
cannot both win, the steps from new to closed, notes; an older database gaining the new columns;
and the queue's office-hours due times."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.console.callbacks import CALLED, CLAIMED, DONE, WAITING, queue, state_of
from bot.requests import office_hours
from bot.requests.store import CallbackRequest, StaffStore
from tests.console.conftest import ID_CARD, PHONE, at_once, leave_callback

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = office_hours.parse({"weekdays": [1, 2, 3, 4, 5], "periods": ["09:00-12:00", "13:30-17:00"],
                            "timezone": "Asia/Shanghai"})


@pytest.fixture
def store(staff_url: str):
    staff = StaffStore(staff_url)
    yield staff
    staff.close()


def test_two_staff_claiming_at_once_one_wins(store: StaffStore, staff_url: str) -> None:
    for attempt in range(5):
        request_id = leave_callback(staff_url, f"race-{attempt}", "人才落户", "想问材料")
        contenders = {f"staff{n}": StaffStore(staff_url) for n in range(4)}
        outcomes = at_once(*(partial(contender.claim, request_id, name) for name, contender in contenders.items()))
        for contender in contenders.values():
            contender.close()
        results = dict(zip(contenders, outcomes, strict=True))
        winners = [name for name, won in results.items() if won]
        assert len(winners) == 1, results
        assert store.callback_request(request_id).claimed_by == winners[0]


def test_a_request_from_new_to_closed_and_back(store: StaffStore, staff_url: str) -> None:
    request_id = leave_callback(staff_url, "c1", "临时救助", "家里困难")
    assert state_of(store.callback_request(request_id)) == WAITING
    assert not store.mark_called(request_id, "zhang")  # not claimed yet
    assert not store.close_claimed(request_id, "zhang")
    assert store.claim(request_id, "zhang") and not store.claim(request_id, "li")
    assert state_of(store.callback_request(request_id)) == CLAIMED
    assert not store.mark_called(request_id, "li") and not store.release(request_id, "li")
    assert store.mark_called(request_id, "zhang") and not store.mark_called(request_id, "zhang")
    called = store.callback_request(request_id)
    assert state_of(called) == CALLED and called.called_by == "zhang" and called.status == "open"
    assert not store.close_claimed(request_id, "li")
    assert store.close_claimed(request_id, "zhang", f"已回电，留了身份证{ID_CARD}")
    closed = store.callback_request(request_id)
    assert state_of(closed) == DONE and closed.closed_by == "zhang" and ID_CARD not in closed.closing_note
    assert not store.claim(request_id, "li") and not store.close_claimed(request_id, "zhang")
    assert store.callback_requests() == []  # the command line's open list
    assert store.reopen(request_id) and not store.reopen(request_id)
    reopened = store.callback_request(request_id)
    assert state_of(reopened) == WAITING and reopened.called_at is None and reopened.closing_note is None
    assert store.claim(request_id, "li") and store.release(request_id, "zhang", anyone=True)
    assert store.callback_request(request_id).claimed_by is None


def test_notes_are_kept_masked_in_order(store: StaffStore, staff_url: str) -> None:
    request_id = leave_callback(staff_url, "c1", "人才落户", "想问材料")
    assert store.add_note(request_id, "zhang", "  ") is None
    assert store.add_note(999, "zhang", "没有这个请求") is None
    store.add_note(request_id, "zhang", "第一次未接通")
    store.add_note(request_id, "li", f"居民另留号码 {PHONE}")
    notes = store.notes(request_id)
    assert [(n.author, n.text) for n in notes] == [("zhang", "第一次未接通"), ("li", "居民另留号码 139****5678")]
    assert store.callback_request(request_id).phone == PHONE  # the number to call stays whole


def test_an_older_database_gains_the_new_columns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:  # callback_requests as the first staff store made it
        connection.exec_driver_sql(
            "CREATE TABLE callback_requests (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id VARCHAR(255) "
            "NOT NULL, channel VARCHAR(64), topic VARCHAR(500) NOT NULL, description TEXT NOT NULL, phone "
            "VARCHAR(32) NOT NULL, status VARCHAR(16) NOT NULL, created_at DATETIME NOT NULL, closed_at DATETIME, "
            "closing_note TEXT)")
        connection.exec_driver_sql(
            "INSERT INTO callback_requests (conversation_id, topic, description, phone, status, created_at) "
            "VALUES ('old', '人才落户', '旧请求', '13812345678', 'open', '2026-11-02 01:00:00')")
    engine.dispose()
    store = StaffStore(url)
    try:
        [old] = store.callback_requests()
        assert old.description == "旧请求" and old.claimed_by is None
        assert store.claim(old.id, "zhang")
    finally:
        store.close()
    second = StaffStore(url)  # a second start finds the columns there
    try:
        assert second.callback_request(old.id).claimed_by == "zhang"
    finally:
        second.close()


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(("left", "due"), [
    ("2026-11-26T10:00", "2026-11-26T12:00"),  # Thursday morning: two hours later
    ("2026-11-26T11:00", "2026-11-26T14:30"),  # one hour before lunch, one after
    ("2026-11-26T12:30", "2026-11-26T15:30"),  # left at lunch: from 13:30
    ("2026-11-27T16:30", "2026-11-30T10:30"),  # Friday afternoon → Monday
    ("2026-11-28T20:00", "2026-11-30T11:00"),  # Saturday evening → Monday 09:00 + 2 h
])
def test_due_times_count_office_time_only(left: str, due: str) -> None:
    assert HOURS.after_open_time(beijing(left), timedelta(hours=2)) == beijing(due)


def request(number: int, left: str, **state) -> CallbackRequest:
    created = beijing(left).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    return CallbackRequest(id=number, conversation_id=f"c{number}", channel="rest", topic="t", description="d",
                           phone=PHONE, status=state.pop("status", "open"), created_at=created, **state)


def test_the_queue_puts_overdue_requests_first() -> None:
    now = beijing("2026-11-26T15:00")
    requests = [request(1, "2026-11-26T14:00"),  # due 16:00
                request(2, "2026-11-26T09:00"),  # due 11:00: overdue
                request(3, "2026-11-25T16:00", called_at=datetime(2026, 11, 25, 9)),  # called: never overdue
                request(4, "2026-11-26T10:30", claimed_by="li"),  # due 14:00: overdue though claimed
                request(5, "2026-11-20T10:00", status="closed")]
    listed = queue(requests, HOURS, timedelta(hours=2), now)
    assert [(i.request.id, i.overdue) for i in listed] == [(2, True), (4, True), (1, False), (3, False)]
    assert listed[0].masked_phone == "139****5678"
