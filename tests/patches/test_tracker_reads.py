"""Reading conversations by their new rows (bot/patches/tracker_reads.py) returns what Rasa's query returns.

On SQLite and on PostgreSQL: over several sessions, when another instance (another store on the same
database) adds to the conversation, and when rows vanish behind the process's back.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot import paths
from bot.endpoints import drop_database, ensure_database
from bot.privacy.tracker_store import MaskingSQLTrackerStore

POSTGRES = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(paths.DOMAIN))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kwargs(request, tmp_path: Path) -> Iterator[dict]:
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
        return
    name = f"reads_test_{uuid.uuid4().hex[:10]}"
    url = f"{POSTGRES}/{name}"
    ensure_database(url)
    try:
        yield {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "username": "postgres", "db": name}
    finally:
        drop_database(url)


def stock_read(store: SQLTrackerStore, sender: str) -> list[dict] | None:
    """What Rasa's own SQLTrackerStore reads for `sender` from the same database."""
    tracker = asyncio.run(SQLTrackerStore._retrieve(store, sender, fetch_events_from_all_sessions=False))
    return None if tracker is None else tracker.current_state(EventVerbosity.ALL)["events"]


def our_read(store: MaskingSQLTrackerStore, sender: str) -> list[dict] | None:
    tracker = asyncio.run(store.retrieve(sender))
    return None if tracker is None else tracker.current_state(EventVerbosity.ALL)["events"]


def turn(tracker: DialogueStateTracker, text: str) -> None:
    now = time.time()
    tracker.update(UserUttered(text, {"name": "faq", "confidence": 1.0}, timestamp=now))
    tracker.update(ActionExecuted("action_answer_knowledge", timestamp=now))
    tracker.update(BotUttered(f"答：{text}", timestamp=now))
    tracker.update(ActionExecuted("action_listen", timestamp=now))


def save(store: MaskingSQLTrackerStore, tracker: DialogueStateTracker) -> None:
    asyncio.run(store.save(tracker))


def test_reads_as_rasa_over_sessions_and_instances(domain, store_kwargs) -> None:
    first = MaskingSQLTrackerStore(domain, **store_kwargs)
    second = MaskingSQLTrackerStore(domain, **store_kwargs)  # another instance on the same database
    sender = f"reads-{uuid.uuid4().hex[:8]}"
    assert our_read(first, sender) is None and stock_read(first, sender) is None

    tracker = DialogueStateTracker(sender, domain.slots)
    started = time.time() - 100
    tracker.update(ActionExecuted("action_session_start", timestamp=started))
    tracker.update(SessionStarted(timestamp=started))
    turn(tracker, "今年要改造多少个老旧小区")
    save(first, tracker)
    assert our_read(first, sender) == stock_read(first, sender)
    assert len(our_read(first, sender)) == 6

    # The other instance answers the next message; the first reads it on the one after.
    tracker = asyncio.run(second.retrieve(sender))
    turn(tracker, "还有吗")
    tracker.update(SlotSet("knowledge_topic", "environment_old_communities"))
    save(second, tracker)
    ours = our_read(first, sender)
    assert ours == stock_read(first, sender) and len(ours) == 11
    assert ours[-1]["name"] == "knowledge_topic"

    # A new session: only its events are read, as Rasa reads them.
    tracker = asyncio.run(first.retrieve(sender))
    started = time.time()
    tracker.update(ActionExecuted("action_session_start", timestamp=started))
    tracker.update(SessionStarted(timestamp=started))
    turn(tracker, "谢谢")
    save(first, tracker)
    ours = our_read(first, sender)
    assert ours == stock_read(first, sender)
    assert [e["event"] for e in ours][:3] == ["action", "session_started", "user"]


def test_rows_gone_behind_its_back_are_noticed(domain, store_kwargs) -> None:
    store = MaskingSQLTrackerStore(domain, **store_kwargs)
    sender = f"reads-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker(sender, domain.slots)
    for text in ("您好", "啥是一窗办", "一证通办呢"):
        turn(tracker, text)
        save(store, tracker)
    assert len(our_read(store, sender)) == 12
    table = store.SQLEvent.__table__
    with store.engine.begin() as connection:  # e.g. an operator removes a turn
        first_ids = connection.execute(sa.select(table.c.id).where(table.c.sender_id == sender)
                                       .order_by(table.c.id).limit(4)).scalars().all()
        connection.execute(sa.delete(table).where(table.c.id.in_(first_ids)))
    ours = our_read(store, sender)
    assert ours == stock_read(store, sender)
    assert len(ours) == 8 and ours[0]["text"] == "啥是一窗办"
    with store.engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.sender_id == sender))
    assert our_read(store, sender) is None and stock_read(store, sender) is None


def stored_rows(store: SQLTrackerStore, sender: str) -> list[tuple]:
    table = store.SQLEvent.__table__
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(table.c.type_name, table.c.timestamp, table.c.intent_name, table.c.action_name, table.c.data)
            .where(table.c.sender_id == sender).order_by(table.c.id))]


def test_saves_the_rows_rasa_saves_over_sessions(domain, store_kwargs) -> None:
    """Our save (one INSERT of the new rows, the stored count in one statement) writes what Rasa's
    ORM save writes, turn by turn and across a new session (no personal numbers: nothing masked)."""
    ours = MaskingSQLTrackerStore(domain, **store_kwargs)
    stock = SQLTrackerStore(domain, **store_kwargs)
    sender = f"saves-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker(sender, domain.slots)
    started = time.time() - 100
    tracker.update(ActionExecuted("action_session_start", timestamp=started))
    tracker.update(SessionStarted(timestamp=started))
    for step, text in enumerate(("养老服务补贴怎么申请", "要带什么材料", "高龄津贴又怎么办")):
        turn(tracker, text)
        if step == 1:
            tracker.update(SlotSet("service_code", "SZ-ELD-01"))
        save(ours, tracker)
        asyncio.run(SQLTrackerStore.save(stock, _renamed(tracker, f"{sender}-stock")))
        assert stored_rows(ours, sender) == stored_rows(stock, f"{sender}-stock")
    again = time.time()
    tracker.update(ActionExecuted("action_session_start", timestamp=again))
    tracker.update(SessionStarted(timestamp=again))
    turn(tracker, "谢谢")
    save(ours, tracker)
    asyncio.run(SQLTrackerStore.save(stock, _renamed(tracker, f"{sender}-stock")))
    assert stored_rows(ours, sender) == stored_rows(stock, f"{sender}-stock")
    assert len(stored_rows(ours, sender)) == 2 + 3 * 4 + 1 + 2 + 4


def _renamed(tracker: DialogueStateTracker, sender: str) -> DialogueStateTracker:
    """The same events under another sender id (Rasa's store writes its own rows for it)."""
    return DialogueStateTracker.from_events(sender, list(tracker.events), tracker.slots.values())


def test_events_are_read_as_rasa_reads_them() -> None:
    """The class of each event type looked up once gives the events Rasa's deserialiser gives."""
    from rasa.shared.core import events as rasa_events
    from rasa.shared.utils.common import all_subclasses

    from bot.patches.tracker_reads import deserialise_events, event_class

    for cls in all_subclasses(rasa_events.Event):
        if cls.type_name != "event":
            assert event_class(cls.type_name) is rasa_events.Event.resolve_by_type(cls.type_name)
    now = time.time()
    conversation = [
        ActionExecuted("action_session_start", timestamp=now), SessionStarted(timestamp=now),
        UserUttered("社保卡补办要多久", {"name": "ask_service", "confidence": 0.9},
                    [{"entity": "field", "value": "时限", "start": 5, "end": 7}], timestamp=now),
        rasa_events.EntitiesAdded([{"entity": "service", "value": "社保卡补办"}], timestamp=now),
        SlotSet("service_code", "SZ-SOC-01", timestamp=now), rasa_events.ActiveLoop("callback_form"),
        rasa_events.LoopInterrupted(True), rasa_events.ActionExecutionRejected("callback_form"),
        BotUttered("示例：5个工作日", {"buttons": []}, timestamp=now), rasa_events.FollowupAction("action_listen"),
        rasa_events.UserUtteranceReverted(), rasa_events.ActionReverted(), rasa_events.Restarted(),
        rasa_events.AllSlotsReset(), rasa_events.DefinePrevUserUtteredFeaturization(False),
    ]
    stored = [event.as_dict() for event in conversation] + [{"event": "topic"}, {"no": "event"}]
    ours, theirs = deserialise_events(stored), rasa_events.deserialise_events(stored)
    assert ours == theirs and len(ours) == len(conversation)
    assert [type(e) for e in ours] == [type(e) for e in theirs]
    with pytest.raises(ValueError):
        deserialise_events([{"event": "no_such_event"}])
