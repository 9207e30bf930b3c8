"""Residents' messages the assistant did not answer well, read from the tracker store's events.

Three kinds, the ones editors can act on, told apart as the staff report tells a failed turn
(bot/report/conversations.py `failure`: the router's recorded decision, else the action):
- fell back: the message was not placed or nothing fitted it (unsure, not found, fallback);
- out of scope: the assistant handed the resident on to 12345 — sometimes rightly, which an
  editor records as "out of scope, answered right";
- rated badly: the resident rated the conversation 不满意 or worse right after an answer; the
  question that answer was for is the one to look at.
Graders' conversations (bot/graders.py) and button payloads are left out. Personal numbers are
masked (bot/privacy masked them before storing; masked again here for rows an older version kept),
so none reaches the inbox or, through it, the training data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from bot.graders import is_grader
from bot.privacy.masking import mask_text
from bot.report.conversations import FELL_BACK, OUT_OF_SCOPE, failure, may_have_failed, rated_turn, turns
from bot.requests.store import BEIJING, Rating
from bot.sql import create_engine

RATED_BADLY = "rated_badly"
REASON_NAMES = {FELL_BACK: "未能理解", OUT_OF_SCOPE: "转12345", RATED_BADLY: "差评"}
BAD_RATING = 2  # 不满意 and 非常不满意
EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                  sa.column("timestamp"), sa.column("action_name"), sa.column("data"))
MAX_CONVERSATIONS = 2000


@dataclass(frozen=True)
class Unanswered:
    """One resident message the assistant did not answer well."""

    text: str
    at: datetime  # Beijing time
    sender_id: str
    reason: str
    intent: str | None = None

    @property
    def reason_name(self) -> str:
        return REASON_NAMES[self.reason]


def _question(user: dict) -> str:
    """The resident's words, masked again (rows an older version stored), without button payloads:
    what an editor sees and may turn into training data."""
    text = " ".join((user.get("text") or "").split())
    return "" if text.startswith("/") else mask_text(text)


def unanswered(tracker_url: str, ratings: list[Rating], since: datetime | None = None,
               until: datetime | None = None) -> list[Unanswered]:
    """The unanswered messages of conversations active from `since` up to `until` (aware
    datetimes; None: open), newest first."""
    start = since.timestamp() if since else float("-inf")
    end = until.timestamp() if until else float("inf")
    bad = {}
    for rating in ratings:
        stamp = rating.created_at.replace(tzinfo=timezone.utc).timestamp()
        if rating.level <= BAD_RATING and start <= stamp < end:
            bad.setdefault(rating.conversation_id, []).append(stamp)
    found: list[Unanswered] = []
    for sender, stream in _conversations(tracker_url, start, end, set(bad)).items():
        cut = turns(stream)
        for stamp, user, after in cut:
            reason, text = failure(after), _question(user)
            if reason and text and start <= stamp < end:
                found.append(_item(text, stamp, sender, reason, user))
        for rated in bad.get(sender, []):  # the question of the answer rated (as the report finds it)
            turn = rated_turn(cut, rated)
            if turn is not None and _question(turn[1]):
                found.append(_item(_question(turn[1]), turn[0], sender, RATED_BADLY, turn[1]))
    unique = {(item.sender_id, item.text, item.reason): item for item in found}
    return sorted(unique.values(), key=lambda item: (item.at, item.sender_id), reverse=True)


def _item(text: str, stamp: float, sender: str, reason: str, user: dict) -> Unanswered:
    intent = ((user.get("parse_data") or {}).get("intent") or {}).get("name")
    return Unanswered(text, datetime.fromtimestamp(stamp, BEIJING), sender, reason, intent)


def _conversations(url: str, start: float, end: float, rated: set[str]) -> dict[str, list[tuple[str, float, dict]]]:
    """The event streams of the conversations with a fallback in the window, or a bad rating."""
    e = EVENTS.c
    engine = create_engine(sa.engine.make_url(url))
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return {}
            window = (e.timestamp >= start) if start != float("-inf") else sa.true()
            if end != float("inf"):
                window &= e.timestamp < end
            failing = connection.execute(sa.select(e.sender_id).distinct().where(
                window & may_have_failed(EVENTS))).scalars()
            senders = sorted({s for s in failing if not is_grader(s)} | {s for s in rated if not is_grader(s)})
            senders = senders[-MAX_CONVERSATIONS:]
            streams: dict[str, list[tuple[str, float, dict]]] = {}
            for chunk in range(0, len(senders), 500):
                rows = connection.execute(
                    sa.select(e.sender_id, e.type_name, e.timestamp, e.data)
                    .where(e.sender_id.in_(senders[chunk:chunk + 500])
                           & e.type_name.in_(("user", "action", "bot")))
                    .order_by(e.id))
                for sender, kind, stamp, data in rows:
                    streams.setdefault(sender, []).append((kind, float(stamp or 0), json.loads(data or "{}")))
            return streams
    finally:
        engine.dispose()
