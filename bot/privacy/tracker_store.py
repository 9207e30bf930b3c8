"""`MaskingSQLTrackerStore`: Rasa's SQL tracker store that stores personal numbers masked.

Configured in endpoints.yml (Rasa imports the class by its dotted path, so the project must be on
PYTHONPATH; bot/serve.py sets it)::

    tracker_store:
      type: bot.privacy.tracker_store.MaskingSQLTrackerStore
      dialect: sqlite
      db: ${TRACKER_DB}

Everything `SQLTrackerStore` stores of an event comes from `event.as_dict()`; this class masks
every string in that dictionary (user text, `parse_data` text and entity values, slot values, bot
replies, metadata) before it is written or published to an event broker, and never the event
objects themselves: the turn in progress works on the real text, and the next turn reads the
masked one back. Two things only a store that sees the whole conversation can do:

- a message that answers the callback form's phone question has every run of digits masked,
  however it is written (the number itself goes to the staff database, actions/handoff.py);
- a number split over two messages is masked in both (bot/privacy/continued.py): the earlier
  rows, already stored, are rewritten.

An SQLite database is created owner-only (0600, its -wal/-shm too) before SQLite opens it.
Creating the store also installs the log filter (bot/privacy/logs.py), so the same numbers are
masked in the logs of the process that stores conversations.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActiveLoop, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.patches import require_pinned
from bot.patches.tracker_reads import IncrementalReads
from bot.privacy import logs
from bot.privacy.continued import continuation
from bot.privacy.files import private_sqlite, sqlite_path
from bot.privacy.masking import mask_every_number, mask_text, mask_value

logger = logging.getLogger(__name__)
require_pinned()  # IncrementalReads replaces SQLTrackerStore._retrieve (bot/patches)

CONNECT_TIMEOUT_SECONDS = 5
# Event fields that are identifiers or bookkeeping, never free text: stored as they are.
UNMASKED_KEYS = frozenset({"event", "timestamp", "message_id", "policy", "confidence", "input_channel"})


# A user message sent while the callback form asks one of these is a phone number, however written.
PHONE_QUESTIONS = frozenset({"callback_phone", "callback_confirmed"})
REQUESTED_SLOT = "requested_slot"


def masked_event_data(data: dict[str, Any], answers_phone_question: bool = False) -> dict[str, Any]:
    """A copy of one serialised event (`Event.as_dict()`) with personal numbers masked; in an
    answer to the phone question, every run of five or more digits."""
    return mask_value(data, UNMASKED_KEYS, mask_every_number if answers_phone_question else mask_text)


class PhoneQuestion:
    """Follows a conversation event by event: which user messages answer the phone question."""

    def __init__(self) -> None:
        self.requested: object = None

    def answers(self, kind: str | None, name: object, value: object = None) -> bool:
        """Whether the event (its type name, its slot's or loop's name, the slot's value) is a user
        message sent while the callback form asked for a phone number."""
        if kind == SlotSet.type_name and name == REQUESTED_SLOT:
            self.requested = value
        elif kind == ActiveLoop.type_name and not name:
            self.requested = None
        return kind == UserUttered.type_name and self.requested in PHONE_QUESTIONS

    def answers_event(self, event: Event) -> bool:
        name = event.key if isinstance(event, SlotSet) else getattr(event, "name", None)
        return self.answers(event.type_name, name, getattr(event, "value", None))

    def answers_data(self, data: dict[str, Any]) -> bool:
        return self.answers(data.get("event"), data.get("name"), data.get("value"))


def phone_answers(events: Iterable[Event]) -> set[int]:
    """The ids of the user events sent while the callback form asked for a phone number."""
    question = PhoneQuestion()
    return {id(event) for event in events if question.answers_event(event)}


def replaced_in_json(data: str, replacement: tuple[str, str]) -> str:
    """Stored event JSON with one piece of text (as written) replaced, as `json.dumps` escapes it."""
    raw, masked = (json.dumps(text)[1:-1] for text in replacement)
    return data.replace(raw, masked)


class MaskingSQLTrackerStore(IncrementalReads, SQLTrackerStore):
    """`SQLTrackerStore` whose stored events have personal numbers and e-mail addresses masked.

    It reads a conversation back by its new rows only (bot/patches/tracker_reads.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        logs.install()
        if kwargs.get("dialect", "sqlite") == "sqlite" and "://" not in str(kwargs.get("host") or ""):
            path = sqlite_path(kwargs.get("db", "rasa.db"))
            if path is not None:
                private_sqlite(path)
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._use_pooled_sqlite()
        elif self.engine.dialect.name == "postgresql":
            self._use_checked_connections()
        logger.info("Tracker store masks personal numbers and e-mail addresses before storing.")

    def _use_pooled_sqlite(self) -> None:
        """SQLite in write-ahead-log mode through a small pool of open connections.

        Rasa's engine opens and closes a connection for every read and every save (SQLAlchemy's
        default for SQLite files); with the log, the last close also checkpoints it into the
        database, so reading a conversation costs a disk write. Kept open, a connection reads
        without, and a turn being saved (in a worker thread, below) no longer blocks reading
        another conversation. Commits stay synchronous (durable)."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8,
                                       connect_args={"check_same_thread": False})
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _use_checked_connections(self) -> None:
        """PostgreSQL connections checked before each use, and a connection attempt given up
        after `CONNECT_TIMEOUT_SECONDS`. After the database has been unreachable (or restarted)
        the pool's broken connections are replaced rather than failing a turn each; while it is
        unreachable a turn fails at once (the apology naming 12345) instead of waiting for the
        operating system's TCP timeout."""
        url = self.engine.url
        options = create_engine_kwargs(url)  # Rasa's pool size and schema
        connect_args = {**options.pop("connect_args", {}), "connect_timeout": CONNECT_TIMEOUT_SECONDS}
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events not yet stored, masked; as `SQLTrackerStore.save` otherwise.

        The database work runs in a worker thread: its commit waits for the disk (SQLite's or
        PostgreSQL's fsync), and Rasa's own store would hold the event loop, and every other
        conversation, meanwhile. Rasa awaits the save while it holds this conversation's lock,
        so the conversation's turns stay in order."""
        await self.stream_events(tracker)
        await asyncio.to_thread(self._store_new_events, tracker)

    def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            answers = phone_answers(tracker.events)
            previous_user = self._previous_user_text(tracker, new_events)
            rows, current = [], None  # current: this turn's part of a split number, to mask in its replies too
            for event in new_events:
                data = masked_event_data(event.as_dict(), id(event) in answers)
                text = json.dumps(data)
                if isinstance(event, UserUttered):
                    found = continuation(previous_user, event.text or "") if previous_user else None
                    if found is not None and found.earlier is not None:
                        self._mask_earlier_part(session, tracker.sender_id, found.earlier)
                        rows = [(e, d, replaced_in_json(t, found.earlier)) for e, d, t in rows]
                    current = found.current if found is not None else None
                    previous_user = event.text
                if current is not None:
                    text = replaced_in_json(text, current)
                rows.append((event, data, text))
            if rows:
                # One INSERT of many rows, not an ORM object a row (SQLAlchemy's unit of work).
                session.execute(sa.insert(self.SQLEvent.__table__), [{
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": (data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": text,
                } for event, data, text in rows])
            session.commit()

        logger.debug(f"Tracker with sender_id '{tracker.sender_id}' stored to database")

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterable[Event]:
        """The tracker's events not stored yet: as Rasa's, which counts the rows of the latest
        session through an ORM query, with the same count in one Core statement."""
        table = self.SQLEvent.__table__
        session_start = sa.select(sa.func.max(table.c.timestamp)).where(
            table.c.sender_id == tracker.sender_id,
            table.c.type_name == SessionStarted.type_name).scalar_subquery()
        stored = session.execute(sa.select(sa.func.count()).select_from(table).where(
            table.c.sender_id == tracker.sender_id,
            sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))).scalar_one()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    @staticmethod
    def _previous_user_text(tracker: DialogueStateTracker, new_events: list[Event]) -> str | None:
        """The text (as stored) of the last user message stored before the new events."""
        stored = len(tracker.events) - len(new_events)
        for event in reversed(list(tracker.events)[:stored]):
            if isinstance(event, UserUttered):
                return event.text
        return None

    def _mask_earlier_part(self, session: Any, sender_id: str, earlier: tuple[str, str]) -> None:
        """Rewrite the stored rows from the last user message on with its part of a split number."""
        table = self.SQLEvent.__table__
        last_user = session.execute(sa.select(sa.func.max(table.c.id)).where(
            table.c.sender_id == sender_id, table.c.type_name == UserUttered.type_name)).scalar()
        if last_user is None:
            return
        rows = session.execute(sa.select(table.c.id, table.c.data).where(
            table.c.sender_id == sender_id, table.c.id >= last_user)).all()
        for row_id, data in rows:
            masked = replaced_in_json(data or "", earlier)
            if masked != data:
                session.execute(table.update().where(table.c.id == row_id).values(data=masked))
        self._held.pop(sender_id, None)  # bot/patches/tracker_reads.py: read the rewritten rows anew

    async def _stream_new_events(self, event_broker: EventBroker, new_events: list[Event],
                                 sender_id: str) -> None:
        """Publishes new events to the event broker (when one is configured) masked as well."""
        for event in new_events:
            event_broker.publish({"sender_id": sender_id, **masked_event_data(event.as_dict())})
