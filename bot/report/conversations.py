"""From stored conversations and staff records to the report's figures; no drawing, no HTML.

Rasa's SQL tracker store keeps one row per event (`events`: sender_id, type_name, timestamp,
action_name, intent_name, data as JSON); this module reads that table directly, read-only.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import sqlalchemy as sa

from bot.endpoints import tracker_store_url
from bot.privacy.masking import mask_text
from bot.requests.phone import mask_phone
from bot.requests.store import BEIJING, RATING_LEVELS, CallbackRequest, Rating, StaffStore, beijing_time
from bot.sql import create_engine

# A turn "fell back" when one of these answered it: the staff should add an answer for it.
FALLBACK_ACTIONS = frozenset({"action_two_stage_fallback", "action_default_fallback", "action_out_of_scope",
                              "action_default_ask_affirmation", "action_default_ask_rephrase"})
# The router's decisions (a bot message's metadata "routing", bot/dialogue/router.py) that leave a
# turn unanswered; a turn the router answered counts by its decision, whichever action ran.
UNANSWERED_DECISIONS = frozenset({"out_of_scope", "unsure_offer", "not_found", "nothing_fits",
                                  "catalogue_unavailable"})
# Replies no router decision stands behind that mean a failure all the same.
UNROUTED_FAILURES = frozenset({"action_default_fallback", "action_default_ask_rephrase"})
# Of the failures, those that handed the resident on to 12345 as out of scope (sometimes rightly:
# editors record that in the unanswered inbox), by routing decision and, before routing, by action.
OUT_OF_SCOPE_DECISIONS = frozenset({"out_of_scope"})
OUT_OF_SCOPE_ACTIONS = frozenset({"action_out_of_scope"})
FELL_BACK, OUT_OF_SCOPE = "fell_back", "out_of_scope"
# Answers and the slot that names what they were about (turns stored before routing was recorded).
ANSWER_SLOTS = {"action_answer_knowledge": "knowledge_topic", "action_tell_more": "knowledge_topic",
                "action_answer_service": "service_code"}
# Actions whose reply a rating rates (as actions/rating.py's ANSWER_ACTIONS), and any later
# `action_answer_…`: the answer a 差评 is about is the last of these before it.
ANSWER_ACTIONS = frozenset({*ANSWER_SLOTS, "action_list_services_by_channel", "action_submit_callback"})
LOW_LEVELS = (1, 2)
IGNORED_SENDERS = frozenset({"warm-up"})


@dataclass
class FellBack:
    text: str
    count: int
    last_seen: datetime


@dataclass
class RatedAnswer:
    """A 不满意 or 非常不满意 rating with what it rated: the question asked and the answer given."""

    rating: Rating
    topic: str
    question: str
    answer: str


@dataclass
class ReportFigures:
    """Everything the report shows, computed once."""

    first: datetime | None = None
    last: datetime | None = None
    conversations: int = 0
    user_messages: int = 0
    conversations_per_day: dict[date, int] = field(default_factory=dict)
    top_topics: list[tuple[str, int]] = field(default_factory=list)
    fell_back: list[FellBack] = field(default_factory=list)
    fell_back_turns: int = 0
    asked_for_person: int = 0
    callback_requests: list[CallbackRequest] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    low_rated: list[RatedAnswer] = field(default_factory=list)

    @property
    def handoffs(self) -> int:
        """Callback requests left (each one a conversation handed on to staff)."""
        return len(self.callback_requests)

    @property
    def open_requests(self) -> int:
        return sum(1 for request in self.callback_requests if request.status == "open")

    @property
    def rating_distribution(self) -> dict[int, int]:
        counts = Counter(rating.level for rating in self.ratings)
        return {level: counts.get(level, 0) for level in RATING_LEVELS}

    @property
    def satisfied_share(self) -> float | None:
        """Share of ratings 基本满意 or better (the 好评 side of 好差评)."""
        if not self.ratings:
            return None
        return sum(1 for rating in self.ratings if rating.level >= 3) / len(self.ratings)

    def masked_requests(self) -> list[dict[str, str]]:
        """Callback requests as the report shows them: phone masked, text masked again (rows an
        older version stored keep numbers its rules missed)."""
        return [{"id": str(r.id), "status": r.status, "created": beijing_time(r.created_at).strftime("%Y-%m-%d %H:%M"),
                 "topic": mask_text(r.topic), "description": mask_text(r.description), "phone": mask_phone(r.phone)}
                for r in self.callback_requests]


def tracker_url() -> str:
    return tracker_store_url()


def read_events(url: str) -> list[tuple[str, str, float, dict]]:
    """(sender, event type, timestamp, event data) of every stored event, in stored order."""
    engine = create_engine(sa.engine.make_url(url))
    try:
        if not sa.inspect(engine).has_table("events"):
            return []
        events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                          sa.column("timestamp"), sa.column("data"))
        query = sa.select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.data)
        with engine.connect() as connection:
            rows = connection.execute(query.order_by(events.c.id)).all()
    finally:
        engine.dispose()
    return [(sender, kind, float(stamp or 0), json.loads(data or "{}")) for sender, kind, stamp, data in rows]


def topic_titles() -> dict[str, str]:
    """Knowledge topic ids and catalogue codes (`service:CODE`) → the names staff know them by."""
    from bot.catalogue.files import load_catalogue
    from bot.knowledge.model import load

    titles = {topic.id: topic.title for topic in load().topics.values()}
    # Even a catalogue with problems names its valid services; the others keep their codes.
    titles.update({f"service:{s.code}": s.name for s in load_catalogue().services})
    return titles


Turn = tuple[float, dict, list[tuple[str, dict]]]


def turns(stream: list[tuple[str, float, dict]]) -> list[Turn]:
    """A conversation's events cut into turns: (time, user event data, the events after it)."""
    cut: list[Turn] = []
    for kind, stamp, data in stream:
        if kind == "user":
            cut.append((stamp, data, []))
        elif cut:
            cut[-1][2].append((kind, data))
    return cut


def routing(after: list[tuple[str, dict]]) -> list[dict]:
    """The routing records of one turn's bot messages."""
    return [data["metadata"]["routing"] for kind, data in after
            if kind == "bot" and isinstance((data.get("metadata") or {}).get("routing"), dict)]


def failure(after: list[tuple[str, dict]]) -> str | None:
    """How one turn's reply failed the resident: OUT_OF_SCOPE (handed on to 12345), FELL_BACK
    (not understood, nothing found), or None (answered). By the routing decision where one is
    recorded, whichever action ran; by the action for turns stored before routing was."""
    records = routing(after)
    actions = {data.get("name") for kind, data in after if kind == "action"}
    if records:
        decisions = {r.get("decision") for r in records}
        if decisions & OUT_OF_SCOPE_DECISIONS:
            return OUT_OF_SCOPE
        return FELL_BACK if decisions & UNANSWERED_DECISIONS or actions & UNROUTED_FAILURES else None
    if actions & OUT_OF_SCOPE_ACTIONS:
        return OUT_OF_SCOPE
    return FELL_BACK if actions & FALLBACK_ACTIONS else None


def failed_turn(after: list[tuple[str, dict]]) -> bool:
    """Whether one turn's reply meant the assistant could not help."""
    return failure(after) is not None


def may_have_failed(events: sa.TableClause) -> sa.ColumnElement[bool]:
    """SQL for the `events` rows that may mark a failed turn: a failing action, or a bot message
    whose data names an unanswering decision. A cheap first cut (a decision's name may stand
    elsewhere in the text); `failure` decides on the turn's events."""
    e = events.c
    named = sa.or_(*(e.data.contains(f'"{name}"', autoescape=True) for name in sorted(UNANSWERED_DECISIONS)))
    return (((e.type_name == "action") & e.action_name.in_(sorted(FALLBACK_ACTIONS | UNROUTED_FAILURES)))
            | ((e.type_name == "bot") & named))


def answered_topics(after: list[tuple[str, dict]], titles: dict[str, str]) -> list[str]:
    """The topics (knowledge or catalogue) the answers of one turn were about."""
    records = routing(after)
    if records:
        keys = [f"service:{r['service']}" if r.get("service") else r.get("topic") for r in records]
        return [titles.get(key, key) for key in keys if key]
    found, pending = [], None
    for kind, data in after:
        if kind == "action":
            pending = ANSWER_SLOTS.get(data.get("name"))
        elif kind == "slot" and pending and data.get("name") == pending and data.get("value"):
            key = data["value"] if pending == "knowledge_topic" else f"service:{data['value']}"
            found.append(titles.get(key, key))
            pending = None
    return found


def conversations(events: list[tuple[str, str, float, dict]]) -> dict[str, list[Turn]]:
    """Each conversation (sender) cut into its turns, test senders left out."""
    by_sender: dict[str, list[tuple[str, float, dict]]] = defaultdict(list)
    for sender, kind, stamp, data in events:
        if sender not in IGNORED_SENDERS:
            by_sender[sender].append((kind, stamp, data))
    return {sender: turns(stream) for sender, stream in by_sender.items()}


def is_answer(action: str | None) -> bool:
    return bool(action) and (action in ANSWER_ACTIONS or action.startswith("action_answer_"))


def rated_turn(cut: list[Turn], moment: float) -> Turn | None:
    """The last turn before `moment` whose reply was an answer (what a rating given then rates)."""
    answered = [turn for turn in cut if turn[0] <= moment
                and any(kind == "action" and is_answer(data.get("name")) for kind, data in turn[2])]
    return answered[-1] if answered else None


def replies(after: list[tuple[str, dict]]) -> str:
    """What the assistant said in one turn, its messages one per line."""
    return "\n".join(data["text"] for kind, data in after if kind == "bot" and data.get("text"))


def rated_answers(ratings: list[Rating], by_sender: dict[str, list[Turn]],
                  titles: dict[str, str]) -> list[RatedAnswer]:
    """The low ratings, newest first, each with the question and the answer it rated (everything
    the resident wrote masked again: rows an older version stored keep numbers its rules missed)."""
    found = []
    for rating in sorted(ratings, key=lambda r: r.created_at, reverse=True):
        if rating.level not in LOW_LEVELS:
            continue
        moment = rating.created_at.replace(tzinfo=timezone.utc).timestamp()
        turn = rated_turn(by_sender.get(rating.conversation_id, []), moment)
        question = mask_text((turn[1].get("text") or "").strip()) if turn else ""
        answer = mask_text(replies(turn[2])) if turn else ""
        topic = titles.get(rating.topic, rating.topic) if rating.topic else ""
        shown = dataclasses.replace(rating, comment=mask_text(rating.comment) if rating.comment else None)
        found.append(RatedAnswer(shown, topic, question, answer))
    return found


def conversation_figures(by_sender: dict[str, list[Turn]], figures: ReportFigures,
                         titles: dict[str, str]) -> None:
    per_day: dict[date, set[str]] = defaultdict(set)
    topics: Counter[str] = Counter()
    fell_back: dict[str, FellBack] = {}
    for sender, cut in by_sender.items():
        for stamp, user, after in cut:
            moment = datetime.fromtimestamp(stamp, BEIJING)
            text = (user.get("text") or "").strip()
            intent = ((user.get("parse_data") or {}).get("intent") or {}).get("name")
            figures.user_messages += 1
            per_day[moment.date()].add(sender)
            figures.first = min(figures.first or moment, moment)
            figures.last = max(figures.last or moment, moment)
            figures.asked_for_person += intent == "request_human"
            topics.update(answered_topics(after, titles))
            # By what answered, not by the intent: inside a form, words the NLU could not place
            # are an answer to the form's question, not a failure.
            if failed_turn(after) and text and not text.startswith("/"):  # a button's payload is no question
                figures.fell_back_turns += 1
                entry = fell_back.setdefault(mask_text(text), FellBack(mask_text(text), 0, moment))
                entry.count += 1
                entry.last_seen = max(entry.last_seen, moment)
    figures.conversations = len({sender for day in per_day.values() for sender in day})
    figures.conversations_per_day = {day: len(per_day[day]) for day in sorted(per_day)}
    figures.top_topics = topics.most_common(10)
    figures.fell_back = sorted(fell_back.values(), key=lambda f: (-f.count, f.text))


def compute(tracker: str | None = None, staff: StaffStore | None = None,
            since: datetime | None = None, until: datetime | None = None) -> ReportFigures:
    """The report's figures from the tracker store at `tracker` (URL) and the staff database,
    for what happened from `since` up to (not including) `until` (aware datetimes; None: open)."""
    start = since.timestamp() if since else float("-inf")
    end = until.timestamp() if until else float("inf")

    def within(moment: datetime) -> bool:  # staff records: naive UTC
        return start <= moment.replace(tzinfo=timezone.utc).timestamp() < end

    figures = ReportFigures()
    events = [event for event in read_events(tracker or tracker_url()) if start <= event[2] < end]
    by_sender = conversations(events)
    titles = topic_titles()
    conversation_figures(by_sender, figures, titles)
    store = staff or StaffStore()
    figures.callback_requests = [r for r in store.callback_requests(None) if within(r.created_at)]
    figures.ratings = [r for r in store.ratings() if within(r.created_at)]
    figures.low_rated = rated_answers(figures.ratings, by_sender, titles)
    return figures
