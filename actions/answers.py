"""The answering actions: thin adapters between Rasa and the router.

Each reads the turn (the NLU's parse data and the slots), asks the router which answer it gets
(bot/dialogue/router.py) and phrases it (actions/replies.py). Which of them runs is Rasa's choice
(data/rules); they differ only in the name the rule gives them, so a Rasa engineer reads the
dialogue in the rules and a decision's reasons in the router.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import render
from bot.catalogue import CatalogueStore, create_store
from bot.catalogue.fields import shared_fields
from bot.catalogue.segmented import Segmentation
from bot.catalogue.tokens import STOP_TOKENS
from bot.dialogue.router import Router
from bot.dialogue.rules import shared_rules
from bot.dialogue.topics import ranking
from bot.dialogue.turn import Turn
from bot.knowledge.lexical import TopicIndex
from bot.knowledge.model import shared as shared_knowledge
from bot.knowledge.model import shared_folder as shared_knowledge_folder

# The slots the router reads.
STATE_SLOTS = ("subject", "service_code", "knowledge_topic", "topics_shown", "options_offered", "field")


@lru_cache(maxsize=1)
def segmentation() -> Segmentation:
    """The words search uses, segmented by the NLU (the message's) and the set-up (the knowledge
    base's): the action server loads no segmenter (bot/catalogue/segmented.py)."""
    return Segmentation.load()


@lru_cache(maxsize=1)
def store() -> CatalogueStore:
    """One catalogue store per action server, created on first use (not at import)."""
    return create_store(tokenize=segmentation())


def topic_index() -> TopicIndex:
    """Built on first use, with the same segmentation as the catalogue search; built again once
    that reads another table or the knowledge base is another's (a publish switched releases)."""
    return _topic_index(segmentation().version, shared_knowledge_folder())


@lru_cache(maxsize=1)
def _topic_index(version: object, knowledge_folder: str) -> TopicIndex:
    return TopicIndex(shared_knowledge(), segmentation(), STOP_TOKENS)


def router() -> Router:
    """One router per knowledge base (the live release's: bot/knowledge/model.py)."""
    return _router(shared_knowledge_folder())


@lru_cache(maxsize=1)
def _router(knowledge_folder: str) -> Router:
    return Router(shared_rules(), store(), shared_knowledge(), lambda text: topic_index().scores(text),
                  shared_fields())


def options_asked(tracker: Tracker) -> str:
    """The resident's message the options now offered answered: the last user message before the
    slot `options_offered` was set to them (its normalised text, as the NLU read it)."""
    options = tracker.get_slot("options_offered")
    if not options:
        return ""
    asked = found = ""
    for event in tracker.events:
        if event.get("event") == "user":
            asked = (event.get("parse_data") or {}).get("text") or event.get("text") or ""
        elif event.get("event") == "slot" and event.get("name") == "options_offered" and event.get("value") == options:
            found = asked
    return found


def turn_of(tracker: Tracker) -> Turn:
    """The tracker's latest message and state as the router reads them."""
    parse = tracker.latest_message or {}
    slots = {name: tracker.get_slot(name) for name in STATE_SLOTS}
    return Turn.from_parse(parse, slots, shared_fields(), ranking(parse, shared_knowledge()),
                           options_asked(tracker))


def segments_of_conversation(tracker: Tracker) -> dict:
    """The NLU's search segments of every message of the conversation, the latest last: the router
    also searches an earlier message (the one a list of options answered)."""
    from bot.catalogue.segmented import PARSE_KEY

    earlier = [e.get("parse_data") or {} for e in tracker.events if e.get("event") == "user"]
    records = [r for parse in [*earlier, tracker.latest_message or {}] for r in parse.get(PARSE_KEY) or ()]
    return {PARSE_KEY: records}


async def answer_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Route the latest message and phrase the decision; the events record the new state."""
    turn = turn_of(tracker)
    with segmentation().of_message(segments_of_conversation(tracker)):
        decision = await asyncio.to_thread(router().route, turn)
    return render(decision, turn, dispatcher, tracker, shared_fields())


class AnsweringAction(Action):
    """An action whose answer the router chooses."""

    action_name = ""

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return await answer_question(dispatcher, tracker)


class ActionAnswerKnowledge(AnsweringAction):
    """A question about the article (faq): a topic, or whatever the router finds fits better."""

    action_name = "action_answer_knowledge"


class ActionAnswerService(AnsweringAction):
    """A question about a service, a pick from a list, an unsure turn while a service is discussed."""

    action_name = "action_answer_service"


class ActionTellMore(AnsweringAction):
    """"还有吗 / 具体呢" after a topic."""

    action_name = "action_tell_more"


class ActionOutOfScope(AnsweringAction):
    """Out of scope: handed on to 12345, unless the article or the catalogue has it after all."""

    action_name = "action_out_of_scope"


class ActionListServicesByChannel(AnsweringAction):
    """Which services a channel (一证通办、全程网办 …) offers."""

    action_name = "action_list_services_by_channel"


class ActionAnswerUnsure(AnsweringAction):
    """The NLU unsure: a follow-up the router recognises is answered; otherwise the services and
    topics the message most likely means, as buttons (data/rules/fallback.yml)."""

    action_name = "action_answer_unsure"
