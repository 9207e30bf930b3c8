"""Handing a resident on to a person: the callback request (留言回电) and when it is offered.

It is offered when the resident asks for a person (转人工) and whenever the assistant fails twice
in a row (a fallback, a rephrase request or an out-of-scope reply right after another). The form
asks for the topic, a description and a phone number, shows them for confirmation and stores the
request with the conversation id (bot/requests). The number is kept only in the staff database: the
tracker keeps it masked. Every reply here names 12345.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import answer_question
from actions.failures import OFFER_BUTTONS, offered_last_turn, user_turn
from bot.dialogue.rules import shared_rules
from bot.requests import office_hours
from bot.requests.phone import find_phone, mask_phone
from bot.requests.store import MAX_TEXT, StaffStoreUnavailable, shared_store

logger = logging.getLogger(__name__)

CALLBACK_FORM = "callback_form"
CALLBACK_SLOTS = ("callback_topic", "callback_description", "callback_phone", "callback_confirmed")
STORE_DOWN = ("抱歉，登记系统暂时出了故障，没能保存您的回电请求。请稍后再试，"
              "或直接拨打12345市民服务热线，工作人员会为您办理。")
YES = re.compile(r"确认|提交|^(?:是|是的|对|对的|好|好的|可以|没问题|行|ok|OK|嗯)[。！!]?$")
REDO = re.compile(r"重新|重填|修改|改一下|不对|有误|错了")
MIN_DESCRIPTION_CHARS = 2
CONTINUE_NOTE = "以上先回答您的问题。如仍需工作人员回电，请接着填写；不需要了可以回复“取消”。"


def now() -> datetime:
    return datetime.now(timezone.utc)


class ActionOfferCallback(Action):
    """转人工: no live agent sits behind the assistant, so offer a callback and name 12345."""

    def name(self) -> str:
        return "action_offer_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        promise = office_hours.load().callback_promise(now())
        dispatcher.utter_message(
            text=("我是自动问答助手，不能直接转接人工客服。您可以留言登记，工作人员会给您回电；"
                  f"也可以直接拨打12345市民服务热线。\n{promise}"),
            buttons=OFFER_BUTTONS)
        return [SlotSet("callback_offered_turn", user_turn(tracker))]


class ActionAnswerYes(Action):
    """A bare “好/是的”: accepts a callback offered just before, otherwise an acknowledgement."""

    def name(self) -> str:
        return "action_answer_yes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if offered_last_turn(tracker):
            return [FollowupAction(CALLBACK_FORM)]
        dispatcher.utter_message(response="utter_ok")
        return []


class ActionAnswerNo(Action):
    """A bare “不用了/不是”: declines a callback offered just before; otherwise the router decides
    ("不是公寓，是人才住房补贴" corrects the service; a bare "不是" asks to rephrase)."""

    def name(self) -> str:
        return "action_answer_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if offered_last_turn(tracker):
            dispatcher.utter_message(text="好的。如需帮助，可随时说“转人工”留言，或拨打12345市民服务热线。")
            return []
        return await answer_question(dispatcher, tracker)


def one_line(value: Any) -> str:
    """A slot value as text on one line, runs of white space made one space."""
    return " ".join(str(value or "").split())


async def answer_if_question(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
                             note: str | None = CONTINUE_NOTE) -> dict[str, Any] | None:
    """Inside a form, a message that clearly asks a knowledge question is answered at once (the
    form goes on): the slots the answer sets, or None when the message is no such question."""
    intent = tracker.latest_message.get("intent") or {}
    if intent.get("name") != "faq" or float(intent.get("confidence") or 0) < shared_rules().form_question_confidence:
        return None
    events = await answer_question(dispatcher, tracker)
    if note:
        dispatcher.utter_message(text=note)
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


class ValidateCallbackForm(FormValidationAction):
    """Checks each answer of the callback form; a wrong one is asked again with a hint."""

    def name(self) -> str:
        return "validate_callback_form"

    async def validate_callback_topic(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        topic = one_line(value)[:100]
        if not topic:
            dispatcher.utter_message(text="请告诉我是哪方面的事，例如“人才落户”“临时救助”。")
            return {"callback_topic": None}
        return {**(await answer_if_question(dispatcher, tracker, domain) or {}), "callback_topic": topic}

    async def validate_callback_description(self, value: Any, dispatcher: CollectingDispatcher,
                                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        description = one_line(value)
        if len(description) < MIN_DESCRIPTION_CHARS:
            dispatcher.utter_message(text="描述太短了，请多说几句，方便工作人员了解情况。")
            return {"callback_description": None}
        if len(description) > MAX_TEXT:
            dispatcher.utter_message(text=f"描述有{len(description)}字，请精简到{MAX_TEXT}字以内。")
            return {"callback_description": None}
        return {**(await answer_if_question(dispatcher, tracker, domain) or {}), "callback_description": description}

    async def validate_callback_phone(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        phone = find_phone(str(value or ""))
        if phone is None:
            answered = await answer_if_question(dispatcher, tracker, domain)
            if answered is not None:
                return {**answered, "callback_phone": None}
            dispatcher.utter_message(text="这个号码格式不对。请输入11位手机号（如13812345678），"
                                          "或带区号的固定电话（如0531-87654321）；不想留号码可以回复“取消”。")
            return {"callback_phone": None}
        try:
            shared_store().save_draft(tracker.sender_id, phone)
        except StaffStoreUnavailable as error:
            logger.error("callback draft not saved: %s", error)
            dispatcher.utter_message(text=STORE_DOWN)
            return {"callback_phone": None}
        return {"callback_phone": mask_phone(phone)}

    async def validate_callback_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        answer = one_line(value)
        if REDO.search(answer):
            dispatcher.utter_message(text="好的，我们重新填写。")
            return dict.fromkeys(CALLBACK_SLOTS)
        if YES.search(answer):
            return {"callback_confirmed": "yes"}
        answered = await answer_if_question(dispatcher, tracker, domain)
        if answered is not None:
            return {**answered, "callback_confirmed": None}
        dispatcher.utter_message(text="请点“确认提交”提交请求，点“重新填写”修改，或回复“取消”。")
        return {"callback_confirmed": None}


class ActionSubmitCallback(Action):
    """Stores the confirmed request and tells the resident its number and when staff will call."""

    def name(self) -> str:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
        try:
            request = shared_store().submit_callback(
                tracker.sender_id, tracker.get_slot("callback_topic") or "",
                tracker.get_slot("callback_description") or "", tracker.get_latest_input_channel())
        except StaffStoreUnavailable as error:
            logger.error("callback request not stored: %s", error)
            dispatcher.utter_message(text=STORE_DOWN)
            return reset
        if request is None:
            dispatcher.utter_message(text="抱歉，您留的电话号码已过期或没有保存成功，请说“转人工”重新留言，"
                                          "或直接拨打12345市民服务热线。")
            return reset
        promise = office_hours.load().callback_promise(now())
        dispatcher.utter_message(text=(
            f"已为您登记回电请求，编号 {request.id}。\n事项：{request.topic}\n回电号码：{mask_phone(request.phone)}\n"
            f"{promise}\n如有急事，请直接拨打12345市民服务热线。"))
        return reset


class ActionCancelCallback(Action):
    """“取消” midway: nothing is stored, the number given (if any) is forgotten."""

    def name(self) -> str:
        return "action_cancel_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        try:
            shared_store().discard_draft(tracker.sender_id)
        except StaffStoreUnavailable as error:  # the draft expires by itself within a day
            logger.error("callback draft not discarded: %s", error)
        dispatcher.utter_message(response="utter_callback_cancelled")
        return [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
