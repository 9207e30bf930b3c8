"""What the editors' pages keep between requests, in the staff database (SQLite or PostgreSQL).

- `pending_edits`: a change shown as a diff and waiting for the editor's "save": its files' new
  texts and the state they were made against. Keeping it here (not in the page) means the editor
  saves exactly the diff they saw, an uploaded workbook need not be sent twice, and any console
  instance can save it. A pending edit is its maker's only and lapses after an hour.
- `inbox_decisions`: what editors decided about a resident's unanswered question (placed on a
  topic or service, or "out of scope, answered right"): a decided question leaves the inbox.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.editing.tree import Change
from bot.sql import SQLStore, utc_now

PENDING_LIFETIME = timedelta(hours=1)
TOPIC, SERVICE, OUT_OF_SCOPE, NEW_SERVICE = "topic", "service", "out_of_scope", "new_service"
DECISION_NAMES = {TOPIC: "已加入话题", SERVICE: "已记到服务事项", OUT_OF_SCOPE: "不在服务范围，已正确答复",
                  NEW_SERVICE: "已新建服务事项"}

metadata = sa.MetaData()
pending_edits = sa.Table(
    "pending_edits", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("base", sa.String(64), nullable=False),
    sa.Column("files", sa.Text, nullable=False),  # JSON {path: text}
    sa.Column("added_texts", sa.Text, nullable=False),  # JSON [text]
    sa.Column("decision", sa.Text),  # JSON {"kind", "target", "texts"}: recorded when saved
)
inbox_decisions = sa.Table(
    "inbox_decisions", metadata,
    sa.Column("text_key", sa.String(255), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("target", sa.String(255), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("decided_at", sa.DateTime, nullable=False),
)


class EditorStoreUnavailable(RuntimeError):
    """The staff database cannot be reached."""


@dataclass(frozen=True)
class PendingEdit:
    id: str
    actor: str
    created_at: datetime
    change: Change
    base: str
    decision: dict | None


@dataclass(frozen=True)
class Decision:
    text_key: str
    text: str
    kind: str
    target: str
    actor: str
    decided_at: datetime

    @property
    def kind_name(self) -> str:
        return DECISION_NAMES.get(self.kind, self.kind)


def text_key(text: str) -> str:
    """The key a question is decided under: the same question typed again is the same key."""
    from bot.editing.eval_texts import normalise

    return (normalise(text) or text.strip())[:255]


class EditorStore(SQLStore):
    metadata = metadata
    unavailable = EditorStoreUnavailable
    description = "editors' store"

    def add_pending(self, actor: str, change: Change, base: str, decision: dict | None = None) -> str:
        edit_id = secrets.token_urlsafe(24)
        now = utc_now()
        with self._transaction() as connection:
            connection.execute(pending_edits.delete().where(pending_edits.c.created_at < now - PENDING_LIFETIME))
            connection.execute(pending_edits.insert().values(
                id=edit_id, actor=actor, created_at=now, summary=change.summary, base=base,
                files=json.dumps(change.files, ensure_ascii=False),
                added_texts=json.dumps(list(change.added_texts), ensure_ascii=False),
                decision=json.dumps(decision, ensure_ascii=False) if decision else None))
        return edit_id

    def pending(self, edit_id: str, actor: str) -> PendingEdit | None:
        """The actor's own pending edit, if it has not lapsed."""
        query = sa.select(pending_edits).where(
            (pending_edits.c.id == edit_id) & (pending_edits.c.actor == actor)
            & (pending_edits.c.created_at >= utc_now() - PENDING_LIFETIME))
        with self._transaction() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        change = Change(json.loads(row.files), row.summary, tuple(json.loads(row.added_texts)))
        return PendingEdit(row.id, row.actor, row.created_at, change, row.base,
                           json.loads(row.decision) if row.decision else None)

    def drop_pending(self, edit_id: str) -> None:
        with self._transaction() as connection:
            connection.execute(pending_edits.delete().where(pending_edits.c.id == edit_id))

    def decide(self, texts: list[str], kind: str, target: str, actor: str) -> None:
        """Record one decision for each text (a later decision replaces an earlier one)."""
        now = utc_now()
        rows = {text_key(text): text for text in texts if text.strip()}
        with self._transaction() as connection:
            connection.execute(inbox_decisions.delete().where(inbox_decisions.c.text_key.in_(sorted(rows))))
            if rows:
                connection.execute(inbox_decisions.insert(), [
                    {"text_key": key, "text": text[:2000], "kind": kind, "target": target[:255], "actor": actor,
                     "decided_at": now} for key, text in rows.items()])

    def decisions(self) -> dict[str, Decision]:
        with self._transaction() as connection:
            return {row.text_key: Decision(**row._mapping)
                    for row in connection.execute(sa.select(inbox_decisions))}

    def undo(self, key: str) -> None:
        with self._transaction() as connection:
            connection.execute(inbox_decisions.delete().where(inbox_decisions.c.text_key == key))
