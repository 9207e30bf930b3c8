"""The national 好差评 rating: asked after an answer the resident thanks for, or at goodbye.

Five levels as buttons (非常满意 … 非常不满意); for the two lowest the form also asks what went
wrong. Each rating is stored with the conversation id and the topic it rates (the knowledge topic
or catalogue service under discussion) in the staff database (bot/requests).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.failures import user_turn
from actions.handoff import answer_if_question, one_line
from bot.dialogue.turn import SUBJECT_SERVICE
from bot.requests.store import RATING_LEVELS, StaffStoreUnavailable, shared_store

logger = logging.getLogger(__name__)

RATING_QUESTION = "请问您对本次服务满意吗？请选择一项评价（好差评）。"
RATING_BUTTONS = [{"title": label, "payload": f'/rate{{"rating_level": "{level}"}}'}
                  for level, label in RATING_LEVELS.items()]
LOW_LEVELS = (1, 2)
# Actions whose reply answers a question: a rating rates one of them.
ANSWER_ACTIONS = frozenset({"action_answer_knowledge", "action_tell_more", "action_answer_service",
                            "action_list_services_by_channel", "action_submit_callback"})
# Longest first: "非常不满意" before "不满意" before "满意".
LEVEL_WORDS = (("非常不满意", 1), ("很不满意", 1), ("特别不满意", 1), ("差评", 1), ("不满意", 2),
               ("不太满意", 2), ("非常满意", 5), ("很满意", 5), ("特别满意", 5), ("好评", 5),
               ("基本满意", 3), ("一般", 3), ("还行", 3), ("满意", 4))
STARS = re.compile(r"([1-5一二三四五])\s*(?:星|分|颗星)")
SKIP = re.compile(r"^(?:跳过|不用了?|没有|算了|不填|不想填|不想写|无|取消)[。！!]?$")
RATING_SLOTS = ("rating_level", "rating_comment")
RATING_AGAIN = "以上先回答您的问题。方便的话，请为本次服务选一项评价；不想评价可以回复“取消”。"


def parse_level(value: Any) -> int | None:
    """1–5 from a button's "4", a level's name or "五星"; None when it says none."""
    text = str(value or "").strip()
    if text in {"1", "2", "3", "4", "5"}:
        return int(text)
    stars = STARS.search(text)
    if stars:
        count = stars.group(1)
        return int(count) if count.isdigit() else "一二三四五".index(count) + 1
    return next((level for word, level in LEVEL_WORDS if word in text), None)


def should_ask(tracker: Tracker) -> bool:
    """An answer came after the last time the rating was asked (or it never was)."""
    asked, answered = -1, -1
    for index, event in enumerate(tracker.events):
        if event.get("event") == "action" and event.get("name") in ANSWER_ACTIONS:
            answered = index
        elif event.get("event") == "slot" and event.get("name") == "rating_asked_turn":
            asked = index
    return answered > asked


def rated_topic(tracker: Tracker) -> str | None:
    if tracker.get_slot("subject") == SUBJECT_SERVICE and tracker.get_slot("service_code"):
        return f"service:{tracker.get_slot('service_code')}"
    return tracker.get_slot("knowledge_topic")


def ask_for_rating(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The five 好差评 buttons, and the mark that they were asked (see `should_ask`)."""
    dispatcher.utter_message(text=RATING_QUESTION, buttons=RATING_BUTTONS)
    return [SlotSet("rating_asked_turn", user_turn(tracker))]


class ActionAskRating(Action):
    """After thanks or goodbye: the five 好差评 buttons, once per answered stretch of conversation."""

    def name(self) -> str:
        return "action_ask_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return ask_for_rating(dispatcher, tracker) if should_ask(tracker) else []


class ActionAskRatingLevel(Action):
    """The rating form's question for the level (the same buttons)."""

    def name(self) -> str:
        return "action_ask_rating_level"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return ask_for_rating(dispatcher, tracker)


class ValidateRatingForm(FormValidationAction):
    """The level (1–5) and, only for the two lowest, a comment."""

    def name(self) -> str:
        return "validate_rating_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        level = parse_level(tracker.get_slot("rating_level"))
        return domain_slots if level in LOW_LEVELS else [s for s in domain_slots if s != "rating_comment"]

    async def validate_rating_level(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        level = parse_level(value)
        if level is None:
            answered = await answer_if_question(dispatcher, tracker, domain, note=RATING_AGAIN)
            if answered is not None:
                return {**answered, "rating_level": None}
            dispatcher.utter_message(text="请点选一项评价：非常满意、满意、基本满意、不满意或非常不满意。")
            return {"rating_level": None}
        return {"rating_level": str(level)}

    async def validate_rating_comment(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        comment = one_line(value)
        answered = await answer_if_question(dispatcher, tracker, domain, note=None) or {}
        return {**answered, "rating_comment": "" if SKIP.match(comment) else comment}


class ActionSubmitRating(Action):
    """Stores the rating with the conversation id and the topic it rates."""

    def name(self) -> str:
        return "action_submit_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in RATING_SLOTS]
        level = parse_level(tracker.get_slot("rating_level"))
        if level is None:
            return reset
        try:
            shared_store().add_rating(tracker.sender_id, level, tracker.get_slot("rating_comment"),
                                      rated_topic(tracker), tracker.get_latest_input_channel())
        except StaffStoreUnavailable as error:
            logger.error("rating not stored: %s", error)
            dispatcher.utter_message(text="抱歉，评价系统暂时出了故障，没能保存您的评价。"
                                          "如有意见建议，请拨打12345市民服务热线。")
            return reset
        if level in LOW_LEVELS:
            dispatcher.utter_message(text=f"已收到您的评价（{RATING_LEVELS[level]}），我们会认真改进。"
                                          "如需进一步帮助，请说“转人工”留言，或拨打12345市民服务热线。")
        else:
            dispatcher.utter_message(text=f"已收到您的评价（{RATING_LEVELS[level]}），感谢您的支持！")
        return reset
