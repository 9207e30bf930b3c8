"""Replies that mean the assistant could not help, counted so that the second in a row offers a
callback (留言回电) beside 12345.

Used by Rasa's last-resort fallback, the router's out-of-scope, unsure and "please rephrase"
replies (actions/replies.py); the callback form itself is actions/handoff.py.
"""

from __future__ import annotations

import abc

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

OFFER_BUTTONS = [{"title": "留言请工作人员回电", "payload": "/request_callback"},
                 {"title": "不用了", "payload": "/deny"}]
OFFER_AFTER_FAILURES = "看来我没能帮上您。需要的话，可以留言请工作人员给您回电，或拨打12345市民服务热线。"


def user_turn(tracker: Tracker) -> int:
    """How many messages the user has sent in this conversation (reverted ones included)."""
    return sum(1 for event in tracker.events if event.get("event") == "user")


def offered_last_turn(tracker: Tracker) -> bool:
    """Whether the assistant's reply to the user's previous message offered the callback."""
    return tracker.get_slot("callback_offered_turn") == user_turn(tracker) - 1


def mark_failure(tracker: Tracker) -> tuple[list[EventType], bool]:
    """The events that mark this turn as failed, and whether the callback is to be offered (the
    previous turn failed too; the events then record the offer)."""
    turn = user_turn(tracker)
    events: list[EventType] = [SlotSet("last_failure_turn", turn)]
    offer = tracker.get_slot("last_failure_turn") == turn - 1
    if offer:
        events.append(SlotSet("callback_offered_turn", turn))
    return events, offer


def record_failure(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
    """Mark this turn as failed; when the previous one failed too, offer the callback."""
    events, offer = mark_failure(tracker)
    if offer:
        dispatcher.utter_message(text=OFFER_AFTER_FAILURES, buttons=OFFER_BUTTONS)
    return events


def fail_with(response: str, dispatcher: CollectingDispatcher, tracker: Tracker,
              revert: bool = False, **metadata: object) -> list[EventType]:
    """Utter `response` and count the turn as failed (the message taken back when `revert`)."""
    dispatcher.utter_message(response=response, **metadata)
    reverted: list[EventType] = [UserUtteranceReverted()] if revert else []
    # The failure mark comes after the revert, so that it stays.
    return [*reverted, *record_failure(tracker, dispatcher)]


def ask_rephrase(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """“Please rephrase”, counted as a failure."""
    return fail_with("utter_ask_rephrase", dispatcher, tracker)


class FailureReply(Action, abc.ABC):
    """A reply that means the assistant could not help: its response, counted as a failure.
    Abstract, so the action server registers only the subclasses."""

    response: str
    # Take the user's message back, as Rasa's own last-stage fallback does.
    revert: bool = False

    @abc.abstractmethod
    def name(self) -> str:
        """The action's name in the domain."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return fail_with(self.response, dispatcher, tracker, self.revert)


class ActionDefaultFallback(FailureReply):
    """The fallback's last stage: an apology naming 12345. The message is taken back, so that the
    dialogue policies do not predict on it again (they would, until Rasa's circuit breaker stops
    the conversation)."""

    response = "utter_default"
    revert = True

    def name(self) -> str:
        return "action_default_fallback"
