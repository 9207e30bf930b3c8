"""Callback requests and ratings in one SQL database (SQLite by default, PostgreSQL by URL).

SQLite (build/staff.db) is the embedded default; STAFF_DATABASE_URL names a PostgreSQL database
when several instances run. Like the catalogue store, creating a store touches no database: an
action server starts while the database is down, and each call then raises `StaffStoreUnavailable`
(the actions apologise and name 12345).

A phone number is kept only here, never in the tracker store: the form stores it as a draft in the
turn the resident types it (the conversation keeps only its last four digits), and submitting the
request takes it from the draft. A draft nobody submits is deleted after a day (DRAFT_LIFETIME):
every write purges expired ones, and the action server purges hourly (`purge_periodically`).
Free text (descriptions, 称呼, rating comments, closing notes) is stored with personal numbers
masked (bot/privacy/masking.py); `remask` re-masks rows stored by older versions.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot import paths
from bot.privacy.masking import mask_text
from bot.sql import SQLStore, utc_now

logger = logging.getLogger(__name__)

URL_ENV = "STAFF_DATABASE_URL"
DEFAULT_DB = paths.BUILD / "staff.db"
DRAFT_LIFETIME = timedelta(days=1)
PURGE_INTERVAL_SECONDS = 3600
MAX_TEXT = 500
MAX_NAME = 50

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
    # Added with the staff console (bot/console); older databases get them on first use.
    sa.Column("claimed_by", sa.String(64)),
    sa.Column("claimed_at", sa.DateTime),
    sa.Column("called_at", sa.DateTime),
    sa.Column("called_by", sa.String(64)),
    sa.Column("closed_by", sa.String(64)),
    # How the resident would like to be addressed (称呼), from the callback form; older databases
    # get it on first use too.
    sa.Column("name", sa.String(MAX_NAME)),
)
callback_notes = sa.Table(
    "callback_notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, nullable=False, index=True),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
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
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    called_at: datetime | None = None
    called_by: str | None = None
    closed_by: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class CallbackNote:
    id: int
    request_id: int
    author: str
    text: str
    created_at: datetime


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


def beijing_time(stored: datetime) -> datetime:
    """A stored (naive UTC) time as staff read it: Beijing time."""
    return stored.replace(tzinfo=timezone.utc).astimezone(BEIJING)


def clean_text(text: str | None, limit: int = MAX_TEXT) -> str:
    """Free text as stored: personal numbers masked (staff call the number left in its own
    field), control characters dropped, at most `limit` characters."""
    text = "".join(char for char in (text or "") if char.isprintable() or char in "\n")
    return mask_text(text.strip())[:limit]


# The free-text columns `remask` goes over, by table.
FREE_TEXT = {callback_requests: ("topic", "description", "name", "closing_note"), callback_notes: ("text",),
             ratings: ("comment",)}


class StaffStore(SQLStore):
    """What the actions, the staff command line, the console and the report may do with the staff
    database."""

    metadata = metadata
    unavailable = StaffStoreUnavailable
    description = "staff database"
    grown_tables = (callback_requests,)

    def __init__(self, url: str | None = None) -> None:
        super().__init__(url or default_url())

    # Callback requests ------------------------------------------------------------------------

    def save_draft(self, conversation_id: str, phone: str) -> None:
        """Keep the phone number given in a conversation (replacing one given before) until the
        request is submitted."""
        now = utc_now()
        with self._transaction() as connection:
            connection.execute(callback_drafts.delete().where(
                (callback_drafts.c.conversation_id == conversation_id) | _expired(now)))
            connection.execute(callback_drafts.insert().values(
                conversation_id=conversation_id, phone=phone, created_at=now))

    def discard_draft(self, conversation_id: str) -> None:
        with self._transaction() as connection:
            connection.execute(callback_drafts.delete().where(
                (callback_drafts.c.conversation_id == conversation_id) | _expired(utc_now())))

    def purge_expired_drafts(self) -> int:
        """Delete the drafts older than DRAFT_LIFETIME (numbers given, never submitted); how many."""
        with self._transaction() as connection:
            return connection.execute(callback_drafts.delete().where(_expired(utc_now()))).rowcount

    def drafts(self) -> list[tuple[str, datetime]]:
        """(conversation id, created) of every draft held: what staff may check is purged."""
        with self._transaction() as connection:
            rows = connection.execute(sa.select(callback_drafts.c.conversation_id, callback_drafts.c.created_at)
                                      .order_by(callback_drafts.c.created_at)).all()
        return [tuple(row) for row in rows]

    def submit_callback(self, conversation_id: str, topic: str, description: str,
                        channel: str | None = None, name: str | None = None) -> CallbackRequest | None:
        """Turn the conversation's draft into an open request; None when there is no draft
        (the number was never given, or the draft expired)."""
        now = utc_now()
        with self._transaction() as connection:
            phone = connection.execute(sa.select(callback_drafts.c.phone).where(
                (callback_drafts.c.conversation_id == conversation_id) & ~_expired(now))).scalar()
            if phone is None:
                return None
            values = {"conversation_id": conversation_id, "channel": channel, "topic": clean_text(topic),
                      "description": clean_text(description), "phone": phone,
                      "name": clean_text(name, MAX_NAME) or None, "status": OPEN, "created_at": now}
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

    # Working a request in the console (bot/console) ------------------------------------------
    # Each change is one conditional UPDATE: it happens only in the state it is meant for, so two
    # staff acting at once cannot both claim a request, and a stale page changes nothing. Each
    # returns whether it happened.

    def _change(self, request_id: int, condition: sa.sql.ColumnElement, **values: object) -> bool:
        with self._transaction() as connection:
            result = connection.execute(callback_requests.update().where(
                (callback_requests.c.id == request_id) & condition).values(**values))
        return result.rowcount == 1

    def claim(self, request_id: int, user: str) -> bool:
        """`user` takes an open, unclaimed request."""
        c = callback_requests.c
        return self._change(request_id, (c.status == OPEN) & c.claimed_by.is_(None),
                            claimed_by=user, claimed_at=utc_now())

    def release(self, request_id: int, user: str, *, anyone: bool = False) -> bool:
        """Gives an open request back to the queue: its claimer does (an admin, `anyone`)."""
        c = callback_requests.c
        holder = c.claimed_by.is_not(None) if anyone else c.claimed_by == user
        return self._change(request_id, (c.status == OPEN) & holder, claimed_by=None, claimed_at=None)

    def mark_called(self, request_id: int, user: str) -> bool:
        """The claimer has called the resident back (the request stays open until closed)."""
        c = callback_requests.c
        return self._change(request_id, (c.status == OPEN) & (c.claimed_by == user) & c.called_at.is_(None),
                            called_at=utc_now(), called_by=user)

    def close_claimed(self, request_id: int, user: str, note: str | None = None, *, anyone: bool = False) -> bool:
        """The claimer (an admin, `anyone`) closes an open request."""
        c = callback_requests.c
        holder = c.claimed_by.is_not(None) if anyone else c.claimed_by == user
        return self._change(request_id, (c.status == OPEN) & holder, status=CLOSED, closed_at=utc_now(),
                            closed_by=user, closing_note=clean_text(note) or None)

    def reopen(self, request_id: int) -> bool:
        """A closed request goes back to the queue, unclaimed and not yet called (notes stay)."""
        return self._change(request_id, callback_requests.c.status == CLOSED, status=OPEN, closed_at=None,
                            closed_by=None, closing_note=None, claimed_by=None, claimed_at=None,
                            called_at=None, called_by=None)

    def add_note(self, request_id: int, author: str, text: str) -> CallbackNote | None:
        """A note on a request (masked like all free text); None when the text is empty or there
        is no such request."""
        text = clean_text(text)
        if not text:
            return None
        values = {"request_id": request_id, "author": author, "text": text, "created_at": utc_now()}
        with self._transaction() as connection:
            exists = connection.execute(sa.select(callback_requests.c.id).where(
                callback_requests.c.id == request_id)).first()
            if exists is None:
                return None
            new_id = connection.execute(callback_notes.insert().values(**values)).inserted_primary_key[0]
        return CallbackNote(id=new_id, **values)

    def notes(self, request_id: int) -> list[CallbackNote]:
        query = sa.select(callback_notes).where(callback_notes.c.request_id == request_id).order_by(callback_notes.c.id)
        with self._transaction() as connection:
            return [CallbackNote(**row._mapping) for row in connection.execute(query)]

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


    # Older rows ----------------------------------------------------------------------------------

    def remask(self) -> dict[str, int]:
        """Mask the free text of every stored row again with today's rules (rows stored by older
        versions), and purge expired drafts; how many rows changed, by table."""
        changed = {}
        with self._transaction() as connection:
            for table, columns in FREE_TEXT.items():
                count = 0
                for row in connection.execute(sa.select(table.c.id, *(table.c[c] for c in columns))).all():
                    masked = {c: mask_text(row._mapping[c]) for c in columns if row._mapping[c]}
                    masked = {c: v for c, v in masked.items() if v != row._mapping[c]}
                    if masked:
                        connection.execute(table.update().where(table.c.id == row.id).values(**masked))
                        count += 1
                changed[table.name] = count
        changed[callback_drafts.name] = self.purge_expired_drafts()
        return changed


def _expired(now: datetime) -> sa.sql.ColumnElement:
    return callback_drafts.c.created_at < now - DRAFT_LIFETIME


def purge_periodically(store: StaffStore, interval: float = PURGE_INTERVAL_SECONDS,
                       stop: threading.Event | None = None) -> threading.Thread:
    """A daemon thread purging expired drafts now and every `interval` seconds until `stop` is set
    (a database that is down is logged and tried again next time): the drafts of conversations
    nobody comes back to."""
    stop = stop or threading.Event()

    def purge() -> None:
        while True:
            try:
                purged = store.purge_expired_drafts()
                if purged:
                    logger.info("purged %d expired callback drafts", purged)
            except StaffStoreUnavailable as error:
                logger.error("expired callback drafts not purged: %s", error)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=purge, name="purge-callback-drafts", daemon=True)
    thread.start()
    return thread


def default_url() -> str:
    return os.environ.get(URL_ENV) or f"sqlite:///{DEFAULT_DB}"


_STORES: dict[str, StaffStore] = {}


def shared_store() -> StaffStore:
    """One store per URL for the action server (engines pool their connections)."""
    url = default_url()
    if url not in _STORES:
        _STORES[url] = StaffStore(url)
    return _STORES[url]
