"""Reading a conversation back from Rasa's SQL tracker store by its new rows only.

Rasa's `SQLTrackerStore` reads a conversation with an ORM query (a sub-query for the latest session
start, then every row as an ORM object) before each message: 12 % of the assistant's CPU per
message under load, most of it SQLAlchemy's ORM rather than the database (docs/benchmarks.md).
`IncrementalReads` keeps each recent conversation's rows (id, timestamp, type, stored JSON) in
the process and asks the database only for what it does not hold: one count and the rows with a
higher id. The database stays the only truth — a row written by another instance is read on
the next message, and when the rows the process holds no longer match the count (rows deleted,
or a lower id committed late) it reads the whole conversation again. The events returned are
those Rasa's query returns: from the latest `session_started` on, by timestamp, in id order.

The rows become events with each event type's class looked up once (`event_class`): Rasa's
`Event.from_parameters` walks every subclass of `Event` for every event it reads, 1.1 ms of a
33-event conversation's 1.3 ms read (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

# Conversations held in the process; the least recently read is dropped first.
HELD_CONVERSATIONS = 2000


@dataclass
class HeldRows:
    """One conversation's stored rows as (id, timestamp, type name, JSON text), in id order."""

    rows: list[tuple[int, float, str, str]] = field(default_factory=list)

    @property
    def last_id(self) -> int:
        return self.rows[-1][0] if self.rows else 0

    def latest_session(self) -> list[dict[str, Any]]:
        """The events Rasa's `_event_query` returns when not asked for all sessions."""
        starts = [timestamp for _, timestamp, kind, _ in self.rows if kind == SessionStarted.type_name]
        since = max(starts) if starts else None
        return [json.loads(data) for _, timestamp, _, data in self.rows
                if since is None or (timestamp is not None and timestamp >= since)]


@functools.cache
def event_class(type_name: str) -> type[Event] | None:
    """`Event.resolve_by_type`, once a type name (an unknown name raises, and is not cached)."""
    return Event.resolve_by_type(type_name)


def deserialise_events(serialised: list[dict[str, Any]]) -> list[Event]:
    """`rasa.shared.core.events.deserialise_events` with the classes looked up once."""
    events = []
    for data in serialised:
        kind = data.get("event")
        cls = event_class(kind) if kind is not None else None
        event = cls._from_parameters(data) if cls is not None else None
        if event:
            events.append(event)
    return events


class IncrementalReads:
    """Mixin for `SQLTrackerStore`: `retrieve` reads only the rows the process has not seen."""

    engine: sa.engine.Engine
    domain: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: OrderedDict[str, HeldRows] = OrderedDict()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)  # type: ignore[misc]
        events = self._rows(sender_id).latest_session()
        if self.domain and events:
            return DialogueStateTracker.from_events(sender_id, deserialise_events(events),
                                                    self.domain.slots)
        return None

    def _rows(self, sender_id: str) -> HeldRows:
        table = self.SQLEvent.__table__  # type: ignore[attr-defined]

        def rows(after: int | None = None) -> sa.sql.Select:
            """The conversation's rows in id order; only those with an id above `after` if given."""
            query = sa.select(table.c.id, table.c.timestamp, table.c.type_name, table.c.data).where(
                table.c.sender_id == sender_id)
            return (query if after is None else query.where(table.c.id > after)).order_by(table.c.id)

        held = self._held.pop(sender_id, None) or HeldRows()
        with self.engine.connect() as connection:
            newer = connection.execute(rows(after=held.last_id if held.rows else None)).all()
            if held.rows:
                older = connection.execute(
                    sa.select(sa.func.count()).select_from(table)
                    .where(table.c.sender_id == sender_id, table.c.id <= held.last_id)).scalar_one()
                if older != len(held.rows):  # rows gone, or committed late below what we hold
                    held, newer = HeldRows(), connection.execute(rows()).all()
        held.rows.extend(tuple(row) for row in newer)
        if held.rows:
            self._held[sender_id] = held
            while len(self._held) > HELD_CONVERSATIONS:
                self._held.popitem(last=False)
        return held
