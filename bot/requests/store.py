"""Callback requests and ratings in one SQL database (SQLite by default, PostgreSQL by URL).

SQLite (build/staff.db) is the embedded default; STAFF_DATABASE_URL names a PostgreSQL database
when several instances run. Like the catalogue store, creating a store touches no database: an
action server starts while the database is down, and each call then raises `StaffStoreUnavailable`
(the actions apologise and name 12345).

A phone number is kept only here, never in the tracker store: the form stores it as a draft when
the resident gives it (the tracker keeps the masked form), and submitting the request takes it from
the draft.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import paths
from bot.privacy.masking import mask_text
from bot.sql import create_engine

URL_ENV = "STAFF_DATABASE_URL"
DEFAULT_DB = paths.BUILD / "staff.db"
DRAFT_LIFETIME = timedelta(days=1)
MAX_TEXT = 500

RATING_LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
OPEN, CLOSED = "open", "closed"
BEIJING = ZoneInfo("Asia/Shanghai")

metadata = sa.MetaData()
callback_requests = sa.Table(
    "callback_requests", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(64)),
    sa.Column("topic", sa.String(MAX_TEXT), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default=OPEN, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("closing_note", sa.Text),
)
callback_drafts = sa.Table(
    "callback_drafts", metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
ratings = sa.Table(
    "ratings", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(64)),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("topic", sa.String(255)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.CheckConstraint("level BETWEEN 1 AND 5", name="rating_level_range"),
)


class StaffStoreUnavailable(RuntimeError):
    """The staff database cannot be reached; the driver's error is chained."""


@dataclass(frozen=True)
class CallbackRequest:
    id: int
    conversation_id: str
    channel: str | None
    topic: str
    description: str
    phone: str
    status: str
    created_at: datetime
    closed_at: datetime | None = None
    closing_note: str | None = None


@dataclass(frozen=True)
class Rating:
    id: int
    conversation_id: str
    channel: str | None
    level: int
    comment: str | None
    topic: str | None
    created_at: datetime

    @property
    def label(self) -> str:
        return RATING_LEVELS[self.level]


def utc_now() -> datetime:
    """Naive UTC, as both databases store it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def beijing_time(stored: datetime) -> datetime:
    """A stored (naive UTC) time as staff read it: Beijing time."""
    return stored.replace(tzinfo=timezone.utc).astimezone(BEIJING)


def clean_text(text: str | None) -> str:
    """Free text as stored: personal numbers masked (staff call the number left in its own
    field), control characters dropped, at most MAX_TEXT characters."""
    text = "".join(char for char in (text or "") if char.isprintable() or char in "\n")
    return mask_text(text.strip())[:MAX_TEXT]


class StaffStore:
    """What the actions, the staff command line and the report may do with the staff database."""

    def __init__(self, url: str | None = None) -> None:
        self.url = sa.engine.make_url(url or default_url())
        self._engine: Engine | None = None

    def _get_engine(self) -> Engine:
        if self._engine is None:
            engine = create_engine(self.url)
            try:
                metadata.create_all(engine)
            except SQLAlchemyError as error:
                engine.dispose()
                raise StaffStoreUnavailable(f"staff database {self.safe_url}: {error}") from error
            self._engine = engine
        return self._engine

    @property
    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self._get_engine().begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            raise StaffStoreUnavailable(f"staff database {self.safe_url}: {error}") from error

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # Callback requests ------------------------------------------------------------------------

    def save_draft(self, conversation_id: str, phone: str) -> None:
        """Keep the phone number given in a conversation until the request is submitted."""
        now = utc_now()
        with self._transaction() as connection:
            connection.execute(callback_drafts.delete().where(
                (callback_drafts.c.conversation_id == conversation_id)
                | (callback_drafts.c.created_at < now - DRAFT_LIFETIME)))
            connection.execute(callback_drafts.insert().values(
                conversation_id=conversation_id, phone=phone, created_at=now))

    def discard_draft(self, conversation_id: str) -> None:
        with self._transaction() as connection:
            connection.execute(callback_drafts.delete().where(callback_drafts.c.conversation_id == conversation_id))

    def submit_callback(self, conversation_id: str, topic: str, description: str,
                        channel: str | None = None) -> CallbackRequest | None:
        """Turn the conversation's draft into an open request; None when there is no draft
        (the number was never given, or the draft expired)."""
        with self._transaction() as connection:
            phone = connection.execute(sa.select(callback_drafts.c.phone).where(
                callback_drafts.c.conversation_id == conversation_id)).scalar()
            if phone is None:
                return None
            values = {"conversation_id": conversation_id, "channel": channel, "topic": clean_text(topic),
                      "description": clean_text(description), "phone": phone, "status": OPEN,
                      "created_at": utc_now()}
            new_id = connection.execute(callback_requests.insert().values(**values)).inserted_primary_key[0]
            connection.execute(callback_drafts.delete().where(callback_drafts.c.conversation_id == conversation_id))
        return CallbackRequest(id=new_id, **values)

    def callback_requests(self, status: str | None = OPEN) -> list[CallbackRequest]:
        """Requests with this status (all when None), oldest first."""
        query = sa.select(callback_requests).order_by(callback_requests.c.id)
        if status is not None:
            query = query.where(callback_requests.c.status == status)
        with self._transaction() as connection:
            return [CallbackRequest(**row._mapping) for row in connection.execute(query)]

    def callback_request(self, request_id: int) -> CallbackRequest | None:
        with self._transaction() as connection:
            row = connection.execute(sa.select(callback_requests).where(callback_requests.c.id == request_id)).first()
        return CallbackRequest(**row._mapping) if row else None

    def close_request(self, request_id: int, note: str | None = None) -> CallbackRequest | None:
        """Mark a request as handled; None when there is no such request. Closing twice keeps
        the first closing time."""
        with self._transaction() as connection:
            connection.execute(callback_requests.update().where(
                (callback_requests.c.id == request_id) & (callback_requests.c.status == OPEN)
            ).values(status=CLOSED, closed_at=utc_now(), closing_note=clean_text(note) or None))
        return self.callback_request(request_id)

    # Ratings ------------------------------------------------------------------------------------

    def add_rating(self, conversation_id: str, level: int, comment: str | None = None,
                   topic: str | None = None, channel: str | None = None) -> Rating:
        if level not in RATING_LEVELS:
            raise ValueError(f"a rating is 1–5, not {level!r}")
        values = {"conversation_id": conversation_id, "channel": channel, "level": level,
                  "comment": clean_text(comment) or None, "topic": topic, "created_at": utc_now()}
        with self._transaction() as connection:
            new_id = connection.execute(ratings.insert().values(**values)).inserted_primary_key[0]
        return Rating(id=new_id, **values)

    def ratings(self) -> list[Rating]:
        with self._transaction() as connection:
            return [Rating(**row._mapping) for row in connection.execute(sa.select(ratings).order_by(ratings.c.id))]


def default_url() -> str:
    return os.environ.get(URL_ENV) or f"sqlite:///{DEFAULT_DB}"


_STORES: dict[str, StaffStore] = {}


def shared_store() -> StaffStore:
    """One store per URL for the action server (engines pool their connections)."""
    url = default_url()
    if url not in _STORES:
        _STORES[url] = StaffStore(url)
    return _STORES[url]
