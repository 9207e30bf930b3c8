"""Handing a resident on to a person: the callback request (留言回电) and when it is offered.

It is offered when the resident asks for a person (转人工) and whenever the assistant fails twice
in a row (a fallback, a rephrase request or an out-of-scope reply right after another). The form
asks for the topic, a description, a phone number and (optionally) how to address the person
(称呼), shows them for confirmation and stores the request with the conversation id
(bot/requests). The number goes to the staff database in the turn it is typed and is kept only
there: the conversation holds its last four digits ("尾号5678"), and the tracker store masks the
message that gave it (bot/privacy/tracker_store.py). "算了"/"不用了" leave the form at any step.
Every reply here names 12345.
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

from actions.answers import answer_question, turn_of
from actions.failures import OFFER_BUTTONS, offered_last_turn, user_turn
from bot.catalogue.fields import shared_fields
from bot.dialogue.router import asks_field, asks_in_form, asks_phone, yes_that_asks
from bot.dialogue.rules import shared_rules
from bot.requests import office_hours
from bot.requests.phone import find_phone, last_four
from bot.requests.store import MAX_TEXT, StaffStoreUnavailable, shared_store

logger = logging.getLogger(__name__)

CALLBACK_FORM = "callback_form"
CALLBACK_SLOTS = ("callback_topic", "callback_description", "callback_phone", "callback_name",
                  "callback_confirmed")
REQUESTED_SLOT = "requested_slot"
LEFT = "__left__"  # an extract_ method's "the resident left the form" for its validator
STORE_DOWN = ("抱歉，登记系统暂时出了故障，没能保存您的回电请求。请稍后再试，"
              "或直接拨打12345市民服务热线，工作人员会为您办理。")
YES = re.compile(r"确认|提交|^(?:是|是的|对|对的|好|好的|可以|没问题|行|ok|OK|嗯)[。！!]?$")
REDO = re.compile(r"重新|重填|修改|改一下|不对|有误|错了")
CHANGE_PHONE = re.compile(r"(?:改|换|更正|修改|重留).{0,3}(?:号码|电话|手机)"
                          r"|(?:号码|电话|手机).{0,4}(?:错|不对|有误|改)")
CHANGE_NAME = re.compile(r"(?:改|换|更正|修改).{0,3}称呼|称呼.{0,4}(?:错|不对|有误|改)")
# Leaving the form at any step: the whole message says so ("算了", "不用了，谢谢", "那算了吧").
LEAVE = re.compile(r"^(?:那|那就|还是|哦|嗯)?[，,]?"
                   r"(?:算了|不用了|不要了|不需要了|不留了|不登记了|不弄了|不办了|退出|取消)"
                   r"(?:吧|啊|呀|哈)?(?:[，,。！!～~\s]*(?:谢谢|谢了|谢谢你)?)?[。！!～~]*$")
SKIP_NAME = re.compile(r"^(?:跳过|不留|不填|无|没有|随便|都行|不用称呼|不需要称呼|不留称呼)[。！!]*$")
# A topic that asks something ("人才落户要交哪些材料？") is answered; a subject ("人才落户") is not.
QUESTION = re.compile(r"[？?]|吗|呢|怎么|什么|啥|哪|多少|如何|几|是否|能否|能不能|可不可以|有没有")
WORDS = re.compile(r"[\u3400-\u9fffA-Za-z]")
MAX_NAME_CHARS = 20
CONFIRM_BUTTONS = [{"title": "确认提交", "payload": "确认提交"}, {"title": "修改号码", "payload": "修改号码"},
                   {"title": "重新填写", "payload": "重新填写"}, {"title": "算了", "payload": "算了"}]
MIN_DESCRIPTION_CHARS = 2
CONTINUE_NOTE = "以上先回答您的问题。如仍需工作人员回电，请接着填写；不需要了可以回复“算了”。"


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
    """A bare “好/是的”: accepts a callback offered just before, otherwise an acknowledgement. A yes
    that says more — a correction naming a service, or a question (`yes_that_asks`) — goes to the
    router, which reads it as a service question."""

    def name(self) -> str:
        return "action_answer_yes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if offered_last_turn(tracker):
            return [FollowupAction(CALLBACK_FORM)]
        if yes_that_asks(turn_of(tracker), shared_rules()):
            return await answer_question(dispatcher, tracker)
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
                             note: str | None = CONTINUE_NOTE, offered_too: bool = False) -> dict[str, Any] | None:
    """Inside a form, a message the router takes for a question (bot/dialogue/router.py
    asks_in_form) is answered at once and the form goes on: the slots the answer sets, or None when
    the message is no such question."""
    if not asks_in_form(turn_of(tracker), shared_rules(), offered_too):
        return None
    events = await answer_question(dispatcher, tracker)
    if note:
        dispatcher.utter_message(text=note)
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def leaving() -> dict[str, Any]:
    """The validator's answer to "算了": every answer dropped and no slot requested, which ends the
    form; `ActionSubmitCallback`, run next, sees it unconfirmed and says it is cancelled. (Only a
    `validate_` method can end the form: rasa_sdk drops what an `extract_` method returns for
    `requested_slot`, so those return LEFT for their validator to see.)"""
    return {**dict.fromkeys(CALLBACK_SLOTS), REQUESTED_SLOT: None}


def topic_buttons(domain: DomainDict) -> set[str]:
    """What the topic question's buttons send: choosing one is an answer, not a question."""
    responses = domain.get("responses", {}).get("utter_ask_callback_topic") or [{}]
    return {button.get("payload") for response in responses for button in response.get("buttons") or []}


def keep_number(dispatcher: CollectingDispatcher, tracker: Tracker, phone: str) -> bool:
    """Store the number in the staff database's draft for this conversation (replacing one given
    before); False, with the apology said, when the database is down."""
    try:
        shared_store().save_draft(tracker.sender_id, phone)
    except StaffStoreUnavailable as error:
        logger.error("callback draft not saved: %s", error)
        dispatcher.utter_message(text=STORE_DOWN)
        return False
    return True


def forget_number(tracker: Tracker) -> None:
    try:
        shared_store().discard_draft(tracker.sender_id)
    except StaffStoreUnavailable as error:  # the draft expires by itself within a day
        logger.error("callback draft not discarded: %s", error)


def answer_to(tracker: Tracker, slot: str) -> str | None:
    """The latest message when it answers the form's question for `slot` (else None); LEFT when
    it leaves the form."""
    if tracker.get_slot(REQUESTED_SLOT) != slot:
        return None
    text = one_line(tracker.latest_message.get("text"))
    return LEFT if LEAVE.match(text) else text


def asked_nothing(tracker: Tracker) -> bool:
    """Whether the callback form ended before it asked anything (handed to an answer at its start):
    nothing was begun, so nothing is cancelled."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT and event.get("value"):
            return False
        if event.get("event") == "active_loop" and event.get("name") == CALLBACK_FORM:
            return True
    return False


def cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The request dropped: nothing stored, the number given (if any) forgotten, the slots empty."""
    forget_number(tracker)
    dispatcher.utter_message(response="utter_callback_cancelled")
    return [SlotSet(slot, None) for slot in CALLBACK_SLOTS]


class ValidateCallbackForm(FormValidationAction):
    """Checks each answer of the callback form; a wrong one is asked again with a hint.

    The phone number never reaches a slot: `extract_callback_phone` reads it from the message,
    keeps it in the staff database and sets the slot to its last four digits ("尾号5678"); the
    confirmation step reads a corrected number the same way. "算了"/"不用了" leave at any step."""

    def name(self) -> str:
        return "validate_callback_form"

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> list[EventType]:
        """At the form's start, a question for the phone number of the service under discussion
        that the NLU took for a wish to be called back ("电话是多少") is handed to the answer, and the
        form ends before it asks anything (ActionSubmitCallback then says nothing)."""
        if tracker.get_slot(REQUESTED_SLOT) is None and asks_phone(turn_of(tracker), shared_rules(), shared_fields()):
            return [*await answer_question(dispatcher, tracker), SlotSet(REQUESTED_SLOT, None)]
        return await super().get_validation_events(dispatcher, tracker, domain)

    async def validate_callback_topic(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        topic = one_line(value)[:100]
        if LEAVE.match(topic):
            return leaving()
        if not topic:
            dispatcher.utter_message(text="请告诉我是哪方面的事，例如“人才落户”“临时救助”。")
            return {"callback_topic": None}
        if topic in topic_buttons(domain):
            return {"callback_topic": topic}
        # "那先讲讲得准备啥" after a service or a list of them: answered, the topic asked again.
        if asks_field(turn_of(tracker), shared_rules(), offered_too=True):
            answered = await answer_if_question(dispatcher, tracker, domain, offered_too=True)
            return {**(answered or {}), "callback_topic": None}
        if not QUESTION.search(topic):  # a subject, not a question
            return {"callback_topic": topic}
        return {**(await answer_if_question(dispatcher, tracker, domain) or {}), "callback_topic": topic}

    async def validate_callback_description(self, value: Any, dispatcher: CollectingDispatcher,
                                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        description = one_line(value)
        if LEAVE.match(description):
            return leaving()
        if len(description) < MIN_DESCRIPTION_CHARS:
            dispatcher.utter_message(text="描述太短了，请多说几句，方便工作人员了解情况。")
            return {"callback_description": None}
        if len(description) > MAX_TEXT:
            dispatcher.utter_message(text=f"描述有{len(description)}字，请精简到{MAX_TEXT}字以内。")
            return {"callback_description": None}
        if asks_field(turn_of(tracker), shared_rules()):  # a field of the service asked: answered, no description
            return {**(await answer_if_question(dispatcher, tracker, domain) or {}), "callback_description": None}
        return {**(await answer_if_question(dispatcher, tracker, domain) or {}), "callback_description": description}

    async def extract_callback_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        text = answer_to(tracker, "callback_phone")
        if text is None or text == LEFT:
            return {} if text is None else {"callback_phone": LEFT}
        phone = find_phone(text)
        if phone is None:
            # Words may be a question; digits alone are a number in a shape no phone has.
            answered = await answer_if_question(dispatcher, tracker, domain) if WORDS.search(text) else None
            if answered is not None:
                return {**answered, "callback_phone": None}
            dispatcher.utter_message(text="这个号码格式不对。请输入11位手机号（如13812345678），"
                                          "或带区号的固定电话（如0531-87654321）；不想留号码可以回复“算了”。")
            return {"callback_phone": None}
        return {"callback_phone": last_four(phone) if keep_number(dispatcher, tracker, phone) else None}

    async def validate_callback_phone(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Checked (and masked) by `extract_callback_phone` already."""
        return leaving() if value == LEFT else {"callback_phone": value}

    async def validate_callback_name(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        name = one_line(value)
        if LEAVE.match(name):
            return leaving()
        if SKIP_NAME.match(name):
            return {"callback_name": ""}
        # A name ("张女士") may look like anything to the NLU: only a question is answered here.
        asked = QUESTION.search(name) or asks_field(turn_of(tracker), shared_rules())
        answered = await answer_if_question(dispatcher, tracker, domain) if asked else None
        if answered is not None:
            return {**answered, "callback_name": None}
        if len(name) > MAX_NAME_CHARS:
            dispatcher.utter_message(text=f"称呼请简短一些（{MAX_NAME_CHARS}字以内），例如“王先生”；不想留可以点“跳过”。")
            return {"callback_name": None}
        return {"callback_name": name}

    async def extract_callback_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> dict[str, Any]:
        answer = answer_to(tracker, "callback_confirmed")
        if answer is None or answer == LEFT:
            return {} if answer is None else {"callback_confirmed": LEFT}
        phone = find_phone(answer)
        if phone is not None:  # a corrected number: kept like the first, then confirmed again
            if not keep_number(dispatcher, tracker, phone):
                return {"callback_confirmed": None}
            dispatcher.utter_message(text=f"好的，回电号码已改为{last_four(phone)}。")
            return {"callback_phone": last_four(phone), "callback_confirmed": None}
        if CHANGE_PHONE.search(answer):
            return {"callback_phone": None, "callback_confirmed": None}
        if CHANGE_NAME.search(answer):
            return {"callback_name": None, "callback_confirmed": None}
        if REDO.search(answer):
            dispatcher.utter_message(text="好的，我们重新填写。")
            return dict.fromkeys(CALLBACK_SLOTS)
        if YES.search(answer):
            return {"callback_confirmed": "yes"}
        answered = await answer_if_question(dispatcher, tracker, domain)
        if answered is not None:
            return {**answered, "callback_confirmed": None}
        dispatcher.utter_message(text="请点“确认提交”提交请求，点“修改号码”更正电话，点“重新填写”从头再来，"
                                      "或回复“算了”不登记了。")
        return {"callback_confirmed": None}

    async def validate_callback_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Read by `extract_callback_confirmed` already."""
        return leaving() if value == LEFT else {"callback_confirmed": value}


class ActionAskCallbackConfirmed(Action):
    """The confirmation: the answers, the number as its last four digits (the resident recognises
    it; the conversation never holds more), the 称呼 when given, and how to correct them."""

    def name(self) -> str:
        return "action_ask_callback_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        lines = ["请核对您的回电请求：", f"事项：{tracker.get_slot('callback_topic') or ''}",
                 f"描述：{tracker.get_slot('callback_description') or ''}",
                 f"回电号码：{tracker.get_slot('callback_phone') or ''}"]
        if tracker.get_slot("callback_name"):
            lines.append(f"称呼：{tracker.get_slot('callback_name')}")
        lines.append("确认提交吗？号码不对可以点“修改号码”，或直接输入新号码。")
        dispatcher.utter_message(text="\n".join(lines), buttons=CONFIRM_BUTTONS)
        return []


class ActionSubmitCallback(Action):
    """The form is over: stores the confirmed request and tells the resident its number and when
    staff will call; a form left with "算了" (unconfirmed) is cancelled instead."""

    def name(self) -> str:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
        if tracker.get_slot("callback_confirmed") != "yes":
            return reset if asked_nothing(tracker) else cancel(dispatcher, tracker)
        try:
            request = shared_store().submit_callback(
                tracker.sender_id, tracker.get_slot("callback_topic") or "",
                tracker.get_slot("callback_description") or "", tracker.get_latest_input_channel(),
                name=tracker.get_slot("callback_name") or None)
        except StaffStoreUnavailable as error:
            logger.error("callback request not stored: %s", error)
            dispatcher.utter_message(text=STORE_DOWN)
            return reset
        if request is None:
            dispatcher.utter_message(text="抱歉，您留的电话号码已过期或没有保存成功，请说“转人工”重新留言，"
                                          "或直接拨打12345市民服务热线。")
            return reset
        promise = office_hours.load().callback_promise(now())
        addressed = f"\n称呼：{request.name}" if request.name else ""
        dispatcher.utter_message(text=(
            f"已为您登记回电请求，编号 {request.id}。\n事项：{request.topic}\n回电号码：{last_four(request.phone)}"
            f"{addressed}\n{promise}\n如有急事，请直接拨打12345市民服务热线。"))
        return reset


class ActionCancelCallback(Action):
    """“取消”/“算了” midway: nothing is stored, the number given (if any) is forgotten."""

    def name(self) -> str:
        return "action_cancel_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return cancel(dispatcher, tracker)
