"""Conversations as staff review them, read from the tracker store's `events` table (read only).

Rasa's HTTP API lists no conversations, so, like the report (bot/report/conversations.py), this
reads the SQL tracker store's table directly: SQLite (build/tracker.db) or PostgreSQL
(TRACKER_STORE_URL). Text is shown masked: bot/privacy masked personal numbers before storing, and
they are masked again for display (rows an older version stored keep what its rules missed).

`ConversationIndex.search` lists conversations (newest first) with what staff filter on: fell back,
handed off, rated 不满意, channel, dates, words; `ConversationIndex.conversation` cuts one into turns,
each with what the assistant understood (intent, confidence), what it did (actions with the policy
that chose them, replies) and why, where the bot recorded it (a "routing" entry in an event's
metadata), and the ratings given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from bot.privacy.masking import mask_text
from bot.report.conversations import FALLBACK_ACTIONS, IGNORED_SENDERS, failed_turn, turns
from bot.requests.store import BEIJING, CallbackRequest, Rating
from bot.sql import create_engine

EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                  sa.column("timestamp"), sa.column("intent_name"), sa.column("action_name"), sa.column("data"))
HANDOFF_INTENTS = ("request_human",)
UNHAPPY_LEVEL = 2  # 不满意 and 非常不满意
ROUTING_KEY = "routing"
QUIET_ACTIONS = frozenset({"action_listen"})


@dataclass(frozen=True)
class Filters:
    words: str = ""
    fell_back: bool = False
    unhappy: bool = False
    handed_off: bool = False
    channel: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def window(self) -> tuple[float | None, float | None]:
        """The dates as timestamps: from the start of `since` to the end of `until` (Beijing)."""
        start = datetime.combine(self.since, time(), BEIJING).timestamp() if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time(), BEIJING).timestamp() if self.until else None
        return start, end


@dataclass
class Summary:
    """One conversation in the list."""

    sender_id: str
    started: datetime
    last: datetime
    messages: int
    channel: str = ""
    opening: str = ""
    fell_back: bool = False
    handed_off: bool = False
    unhappy: bool = False
    ratings: list[Rating] = field(default_factory=list)


@dataclass
class Step:
    """One thing the assistant did in a turn: an action, a reply, a slot set, a form started."""

    kind: str  # "action", "bot", "slot", "loop"
    label: str
    detail: str = ""
    buttons: list[str] = field(default_factory=list)
    fallback: bool = False


@dataclass
class Turn:
    at: datetime
    text: str
    intent: str | None
    confidence: float | None
    entities: list[str]
    channel: str
    steps: list[Step]
    routing: list[Any]
    fell_back: bool
    ratings: list[Rating] = field(default_factory=list)


@dataclass
class Conversation:
    sender_id: str
    turns: list[Turn]
    ratings: list[Rating]
    requests: list[CallbackRequest]

    @property
    def channel(self) -> str:
        return next((turn.channel for turn in self.turns if turn.channel), "")


def beijing(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, BEIJING)


def _stored_as_json(words: str) -> str:
    """`words` as they appear inside the stored JSON (Rasa's json.dumps escapes non-ASCII)."""
    return json.dumps(words)[1:-1].lower()


def _policy(name: str | None) -> str:
    """"policy_2_RulePolicy" → "RulePolicy"."""
    return (name or "").split("_", 2)[-1] if (name or "").startswith("policy_") else (name or "")


def _routing(data: dict) -> Any:
    metadata = data.get("metadata")
    return metadata.get(ROUTING_KEY) if isinstance(metadata, dict) else None


def _step(kind: str, data: dict) -> Step | None:
    if kind == "action":
        name = data.get("name") or ""
        if name in QUIET_ACTIONS:
            return None
        confidence = data.get("confidence")
        detail = _policy(data.get("policy"))
        if isinstance(confidence, int | float):
            detail = f"{detail} {confidence:.2f}".strip()
        return Step("action", name, detail, fallback=name in FALLBACK_ACTIONS)
    if kind == "bot":
        buttons = [str(b.get("title", "")) for b in ((data.get("data") or {}).get("buttons") or [])]
        return Step("bot", mask_text(data.get("text") or ""), buttons=buttons)
    if kind == "slot":
        value = data.get("value")
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        return Step("slot", data.get("name") or "", mask_text(shown))
    if kind == "active_loop":
        return Step("loop", data.get("name") or "", "开始" if data.get("name") else "结束")
    return None


def _turn(stamp: float, user: dict, after: list[tuple[str, dict]]) -> Turn:
    parse = user.get("parse_data") or {}
    intent = parse.get("intent") or {}
    entities = [mask_text(f"{e.get('entity')}={e.get('value')}") for e in parse.get("entities") or []]
    steps = [step for kind, data in after if (step := _step(kind, data))]
    routing = [r for r in (_routing(user), *(_routing(data) for _, data in after)) if r is not None]
    return Turn(at=beijing(stamp), text=mask_text(user.get("text") or ""), intent=intent.get("name"),
                confidence=intent.get("confidence"), entities=entities, channel=user.get("input_channel") or "",
                steps=steps, routing=routing, fell_back=failed_turn(after))


def _rated_at(rating: Rating) -> float:
    return rating.created_at.replace(tzinfo=timezone.utc).timestamp()


class ConversationIndex:
    """Reads the tracker store at `url`; one engine, opened on first use."""

    def __init__(self, url: str) -> None:
        self.url = sa.engine.make_url(url)
        self._engine: sa.engine.Engine | None = None

    def _connect(self):
        if self._engine is None:
            self._engine = create_engine(self.url)
        return self._engine.connect()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _has_events(self, connection) -> bool:
        return sa.inspect(connection).has_table("events")

    def search(self, filters: Filters, ratings: list[Rating], requests: list[CallbackRequest]) -> list[Summary]:
        """Conversations matching `filters`, the latest active first. `ratings` and `requests`
        (the staff database's) say which were rated and which were handed on to staff."""
        e = EVENTS.c
        start, end = filters.window()
        scope = e.sender_id.not_in(sorted(IGNORED_SENDERS))
        if start is not None:
            scope &= e.timestamp >= start
        if end is not None:
            scope &= e.timestamp < end
        with self._connect() as connection:
            if not self._has_events(connection):
                return []
            rows = connection.execute(
                sa.select(e.sender_id, sa.func.min(e.timestamp), sa.func.max(e.timestamp),
                          sa.func.sum(sa.case((e.type_name == "user", 1), else_=0)))
                .where(scope).group_by(e.sender_id)).all()
            fell_back = set(connection.execute(sa.select(e.sender_id).distinct().where(
                scope & (e.type_name == "action") & e.action_name.in_(sorted(FALLBACK_ACTIONS)))).scalars())
            asked_for_person = set(connection.execute(sa.select(e.sender_id).distinct().where(
                scope & (e.type_name == "user") & e.intent_name.in_(HANDOFF_INTENTS))).scalars())
            first_ids = sa.select(sa.func.min(e.id)).where(scope & (e.type_name == "user")).group_by(e.sender_id)
            openings = {sender: json.loads(data or "{}") for sender, data in connection.execute(
                sa.select(e.sender_id, e.data).where(e.id.in_(first_ids)))}
            matching = self._matching(connection, scope, filters.words) if filters.words else None
        rated: dict[str, list[Rating]] = {}
        for rating in ratings:
            rated.setdefault(rating.conversation_id, []).append(rating)
        handed_on = asked_for_person | {request.conversation_id for request in requests}
        found = []
        for sender, first, last, messages in rows:
            if not messages:
                continue
            opening = openings.get(sender, {})
            summary = Summary(sender_id=sender, started=beijing(first), last=beijing(last), messages=int(messages),
                              channel=opening.get("input_channel") or "",
                              opening=mask_text(opening.get("text") or ""),
                              fell_back=sender in fell_back, handed_off=sender in handed_on,
                              ratings=rated.get(sender, []))
            summary.unhappy = any(rating.level <= UNHAPPY_LEVEL for rating in summary.ratings)
            if ((filters.fell_back and not summary.fell_back) or (filters.unhappy and not summary.unhappy)
                    or (filters.handed_off and not summary.handed_off)
                    or (filters.channel and summary.channel != filters.channel)
                    or (matching is not None and sender not in matching)):
                continue
            found.append(summary)
        return sorted(found, key=lambda s: (s.last, s.sender_id), reverse=True)

    @staticmethod
    def _matching(connection, scope, words: str) -> set[str]:
        """Conversations whose id, or a resident's or the assistant's text, contains `words`."""
        e, needle = EVENTS.c, words.strip().lower()
        senders = set(connection.execute(sa.select(e.sender_id).distinct().where(
            scope & sa.func.lower(e.sender_id).contains(needle, autoescape=True))).scalars())
        candidates = connection.execute(sa.select(e.sender_id, e.data).where(
            scope & e.type_name.in_(("user", "bot"))
            & sa.func.lower(e.data).contains(_stored_as_json(needle), autoescape=True)))
        for sender, data in candidates:  # the JSON matched; was it the text?
            if sender not in senders and needle in (json.loads(data or "{}").get("text") or "").lower():
                senders.add(sender)
        return senders

    def channels(self) -> list[str]:
        """The channels conversations came in on (for the filter's choices)."""
        e = EVENTS.c
        with self._connect() as connection:
            if not self._has_events(connection):
                return []
            first_ids = sa.select(sa.func.min(e.id)).where(e.type_name == "user").group_by(e.sender_id)
            rows = connection.execute(sa.select(e.data).where(e.id.in_(first_ids))).scalars()
            return sorted({json.loads(data or "{}").get("input_channel") or "" for data in rows} - {""})

    def conversation(self, sender_id: str, ratings: list[Rating],
                     requests: list[CallbackRequest]) -> Conversation | None:
        """One conversation in turns; None when the store has no message from `sender_id`."""
        e = EVENTS.c
        with self._connect() as connection:
            if not self._has_events(connection):
                return None
            rows = connection.execute(sa.select(e.type_name, e.timestamp, e.data)
                                      .where(e.sender_id == sender_id).order_by(e.id)).all()
        stream = [(kind, float(stamp or 0), json.loads(data or "{}")) for kind, stamp, data in rows]
        cut = turns(stream)
        if not cut:
            return None
        shown = [_turn(stamp, user, after) for stamp, user, after in cut]
        mine = [rating for rating in ratings if rating.conversation_id == sender_id]
        for rating in mine:  # in the turn it was given in: the last one that began before it
            moment = _rated_at(rating)
            given_in = [turn for (stamp, _, _), turn in zip(cut, shown, strict=True) if stamp <= moment]
            (given_in[-1] if given_in else shown[0]).ratings.append(rating)
        return Conversation(sender_id=sender_id, turns=shown, ratings=mine,
                            requests=[r for r in requests if r.conversation_id == sender_id])
