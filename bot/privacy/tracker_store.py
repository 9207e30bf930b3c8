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
masked one back. Creating the store
also installs the log filter (bot/privacy/logs.py), so the same numbers are masked in the logs of
the process that stores conversations.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.patches import require_pinned
from bot.patches.tracker_reads import IncrementalReads
from bot.privacy import logs
from bot.privacy.masking import mask_value

logger = logging.getLogger(__name__)
require_pinned()  # IncrementalReads replaces SQLTrackerStore._retrieve (bot/patches)

CONNECT_TIMEOUT_SECONDS = 5
# Event fields that are identifiers or bookkeeping, never free text: stored as they are.
UNMASKED_KEYS = frozenset({"event", "timestamp", "message_id", "policy", "confidence", "input_channel"})


def masked_event_data(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of one serialised event (`Event.as_dict()`) with personal numbers masked."""
    return mask_value(data, UNMASKED_KEYS)


class MaskingSQLTrackerStore(IncrementalReads, SQLTrackerStore):
    """`SQLTrackerStore` whose stored events have ID-card, mobile and bank-card numbers masked.

    It reads a conversation back by its new rows only (bot/patches/tracker_reads.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        logs.install()
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._use_pooled_sqlite()
        elif self.engine.dialect.name == "postgresql":
            self._use_checked_connections()
        logger.info("Tracker store masks ID-card, mobile and bank-card numbers before storing.")

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
            for event in self._additional_events(session, tracker):
                data = masked_event_data(event.as_dict())
                # noinspection PyArgumentList
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))
            session.commit()

        logger.debug(f"Tracker with sender_id '{tracker.sender_id}' stored to database")

    async def _stream_new_events(self, event_broker: EventBroker, new_events: list[Event],
                                 sender_id: str) -> None:
        """Publishes new events to the event broker (when one is configured) masked as well."""
        for event in new_events:
            event_broker.publish({"sender_id": sender_id, **masked_event_data(event.as_dict())})
