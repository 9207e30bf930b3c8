"""Re-masking rows stored by older versions: the tracker store's events and the staff database.

An older version masked fewer shapes (no landlines, e-mail addresses, full-width digits, 15-digit
IDs…) or none; its rows keep what it missed. `remask_tracker` reads every event row, conversation
by conversation in stored order, and writes back the ones today's rules mask differently — the
same masking the tracker store applies to new rows (bot/privacy/tracker_store.py), the answers to
the phone question and numbers split over two messages included. Masking only ever adds `*`, so
running it twice changes nothing the second time. `StaffStore.remask` does the same for the staff
database's free text and purges expired drafts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.endpoints import EVENTS_TABLE
from bot.privacy.continued import continuation
from bot.privacy.tracker_store import PhoneQuestion, masked_event_data, replaced_in_json
from bot.sql import create_engine

BATCH = 1000


@dataclass
class Row:
    id: int
    stored: str
    text: str  # what it is to become


@dataclass
class Conversation:
    """One conversation's rows being re-masked; the rows since its last user message stay pending,
    since the next user message may end a number it began."""

    question: PhoneQuestion = field(default_factory=PhoneQuestion)
    previous_user: str | None = None
    pending: list[Row] = field(default_factory=list)
    # This turn's part of a number split over two messages, to mask in the replies that follow.
    current: tuple[str, str] | None = None

    def add(self, row_id: int, stored: str) -> list[Row]:
        """Take one more row; returns the rows that are final now."""
        data: dict[str, Any] = json.loads(stored or "{}")
        row = Row(row_id, stored, json.dumps(masked_event_data(data, self.question.answers_data(data))))
        final = []
        if data.get("event") == "user":
            found = continuation(self.previous_user, data.get("text") or "") if self.previous_user else None
            if found is not None and found.earlier is not None:
                for earlier in self.pending:
                    earlier.text = replaced_in_json(earlier.text, found.earlier)
            self.current = found.current if found is not None else None
            final, self.pending = self.pending, []
        if self.current is not None:
            row.text = replaced_in_json(row.text, self.current)
        if data.get("event") == "user":
            self.previous_user = json.loads(row.text).get("text") or ""
        self.pending.append(row)
        return final


@dataclass
class Counts:
    rows: int = 0
    changed: int = 0


def remask_tracker(url: str, dry_run: bool = False) -> Counts:
    """Re-mask every stored event of the SQL tracker store at `url` (SQLite or PostgreSQL)."""
    engine = create_engine(sa.engine.make_url(url))
    counts = Counts()
    try:
        if not sa.inspect(engine).has_table(EVENTS_TABLE):
            return counts
        events = sa.table(EVENTS_TABLE, sa.column("id"), sa.column("sender_id"), sa.column("data"))
        with engine.begin() as connection:
            senders = connection.execute(sa.select(events.c.sender_id).distinct()).scalars().all()
            for sender in senders:
                _remask_conversation(connection, events, sender, counts, dry_run)
    finally:
        engine.dispose()
    return counts


def _remask_conversation(connection: Connection, events: sa.TableClause, sender: str, counts: Counts,
                         dry_run: bool) -> None:
    conversation, last_id = Conversation(), 0
    while True:
        rows = connection.execute(sa.select(events.c.id, events.c.data).where(
            events.c.sender_id == sender, events.c.id > last_id).order_by(events.c.id).limit(BATCH)).all()
        if not rows:
            break
        last_id = rows[-1].id
        for row_id, stored in rows:
            counts.rows += 1
            _write(connection, events, conversation.add(row_id, stored), counts, dry_run)
    _write(connection, events, conversation.pending, counts, dry_run)


def _write(connection: Connection, events: sa.TableClause, rows: list[Row], counts: Counts, dry_run: bool) -> None:
    for row in rows:
        if row.text != row.stored and json.loads(row.text) != json.loads(row.stored or "{}"):
            counts.changed += 1
            if not dry_run:
                connection.execute(events.update().where(events.c.id == row.id).values(data=row.text))
