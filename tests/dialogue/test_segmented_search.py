"""The running assistant answers as the NLU's own segmentation would have it answered.

The action server cuts no words (bot/catalogue/segmented.py): it searches with the segments the
NLU put in the parse data and the set-up's table. Our own messages and the test stories' are sent
through REST; then, from each conversation's tracker, every turn an answering action routed (the
parse data and the slots the action saw) is routed again here with the spaCy tokenizer, and must
come to the decision the action server recorded; searches with the two segmentations find the
same services for the turn's texts; the action server never fell back to bigrams, and holds no
spaCy, thinc or TensorFlow.
"""

from __future__ import annotations

import json
import logging
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.answers import STATE_SLOTS
from bot import paths
from bot.catalogue.fields import shared_fields
from bot.catalogue.segmented import PARSE_KEY, Segmentation
from bot.catalogue.store import create_store
from bot.catalogue.tokens import STOP_TOKENS
from bot.dialogue.router import Router
from bot.dialogue.rules import shared_rules
from bot.dialogue.topics import ranking
from bot.dialogue.turn import Turn
from bot.knowledge.lexical import TopicIndex
from bot.knowledge.model import shared as shared_knowledge
from tests.fakes.residents import CONVERSATIONS, SINGLE

pytestmark = pytest.mark.server

UNKNOWN = "is not known"
HEAVY = ("/spacy/", "/thinc/", "/tensorflow/", "/pkuseg/", "/torch/")
Routed = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


def conversations() -> list[tuple[str, ...]]:
    stories = yaml.safe_load((paths.PROJECT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]
    told = [tuple(str(step["user"]).strip() for step in story["steps"] if "user" in step) for story in stories]
    return [*((text,) for text in SINGLE), *CONVERSATIONS, *told]


def tracker(servers, sender: str) -> list[dict[str, Any]]:
    from bot.channels.conversations import REST_PREFIX

    url = f"{servers.rasa_url}/conversations/{REST_PREFIX}{sender}/tracker?token={servers.auth_token}"
    with urllib.request.urlopen(urllib.request.Request(url), timeout=30) as response:
        return json.loads(response.read())["events"]


OPTIONS_ASKED = "(options asked)"  # not a slot: the text the offered options answered


def routed_turns(events: list[dict[str, Any]]) -> list[Routed]:
    """(parse data, slots, the routing the action server recorded) of each turn an action routed
    (answering actions, a "不是", a question inside a form): the slots as they stood when the
    action ran, the routing from its reply's metadata."""
    slots: dict[str, Any] = {}
    parse: dict[str, Any] = {}
    pending: tuple[dict[str, Any], dict[str, Any]] | None = None
    found, asked = [], ""
    for event in events:
        kind = event["event"]
        if kind == "user":
            parse, pending = event.get("parse_data") or {}, None
            asked = parse.get("text") or event.get("text") or ""
        elif kind == "action":
            pending = (parse, dict(slots)) if event.get("name") != "action_listen" else None
        elif kind == "bot" and pending is not None and (event.get("metadata") or {}).get("routing"):
            found.append((*pending, event["metadata"]["routing"]))
            pending = None
        elif kind == "slot":
            slots[event["name"]] = event.get("value")
            if event["name"] == "options_offered":  # the message the options answered (actions.answers)
                slots[OPTIONS_ASKED] = asked if event.get("value") else ""
        elif kind in ("restart", "reset_slots"):
            slots = {}
    return found


@dataclass(frozen=True)
class Replay:
    turns: list[Routed]  # (parse data, slots, recorded routing) of every routed turn
    log: str  # what the action server logged meanwhile


@pytest.fixture(scope="module")
def replayed(servers, assistant) -> Replay:
    """Every conversation sent through REST, and the routed turns of all of them."""
    log = paths.TEST_OUTPUT / "logs" / "actions.log"
    before = log.stat().st_size if log.exists() else 0
    turns = []
    for said in conversations():
        sender = f"segments-{uuid.uuid4().hex}"
        for text in said:
            assistant.ask(text, sender)
        turns += routed_turns(tracker(servers, sender))
    return Replay(turns, log.read_bytes()[before:].decode("utf-8", "replace") if log.exists() else "")


@pytest.fixture(scope="module")
def by_segments(router: Router) -> Router:
    """The router as the action server builds it, on the same catalogue database as `router`."""
    segmentation = Segmentation.load(paths.SEGMENTS)
    store = create_store(router.catalogue.url.render_as_string(hide_password=False), tokenize=segmentation)
    index = TopicIndex(shared_knowledge(), segmentation, STOP_TOKENS)
    return Router(shared_rules(), store, shared_knowledge(), index.scores, shared_fields())


def turn_of(parse: dict[str, Any], slots: dict[str, Any]) -> Turn:
    state = {name: slots.get(name) for name in STATE_SLOTS}
    return Turn.from_parse(parse, state, shared_fields(), ranking(parse, shared_knowledge()),
                           slots.get(OPTIONS_ASKED, ""))


def test_every_turn_carries_the_nlus_segments(replayed: Replay) -> None:
    """All but a button's payload ("/deny"): Rasa gives it its intent, not the NLU's data."""
    assert len(replayed.turns) > 200
    texts = [parse.get("text", "").strip() for parse, _, _ in replayed.turns]
    assert "/deny" in texts
    assert all(parse.get(PARSE_KEY) for (parse, _, _), text in zip(replayed.turns, texts, strict=True)
               if text and not text.startswith("/"))


def test_the_action_server_decided_as_the_spacy_tokenizer_would(replayed: Replay, router: Router) -> None:
    differ = []
    for parse, slots, recorded in replayed.turns:
        turn = turn_of(parse, slots)
        decided = router.route(turn).record(turn)
        if decided != recorded:
            differ.append((turn.text, recorded, decided))
    assert differ == []


def test_both_segmentations_route_and_search_alike(replayed: Replay, router: Router, by_segments: Router,
                                                   caplog) -> None:
    segmentation = by_segments.catalogue.tokenize
    differ = []
    seen: list[dict[str, Any]] = []  # the segments of the messages before (the action server has them too)
    with caplog.at_level(logging.WARNING):
        for parse, slots, _ in replayed.turns:
            turn = turn_of(parse, slots)
            seen += parse.get(PARSE_KEY) or []
            with segmentation.of_message({PARSE_KEY: seen}):
                if by_segments.route(turn) != router.route(turn):
                    differ.append(("decision", turn.text))
                for text in {turn.text, shared_rules().search_query(turn.text), *turn.services}:
                    if by_segments.catalogue.search(text, 5) != router.catalogue.search(text, 5):
                        differ.append(("search", text))
    assert differ == [] and UNKNOWN not in caplog.text


def test_the_action_server_never_fell_back_to_bigrams(replayed: Replay) -> None:
    assert UNKNOWN not in replayed.log and "no segmentation table" not in replayed.log


def test_the_action_server_holds_no_spacy_thinc_or_tensorflow(servers, replayed: Replay) -> None:
    mapped = Path(f"/proc/{servers.pid('actions')}/maps").read_text()
    assert [line for line in mapped.splitlines() if any(part in line for part in HEAVY)] == []
