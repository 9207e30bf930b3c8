"""The first stage of the two-stage fallback: offer the most likely services and topics as buttons."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import OFFER_BUTTONS, mark_failure, record_failure
from bot.knowledge.model import shared
from bot.knowledge.rasa_data import RETRIEVAL_INTENT

OFFERED_TOPICS = 2
HOTLINE_HINT = "如果都不是，请换个说法再问，或拨打12345市民服务热线咨询。"


@lru_cache(maxsize=1)
def _topics() -> dict[str, tuple[str, str]]:
    """Topic id → (title, a question that leads to it)."""
    return {t.id: (t.title, t.examples[0]) for t in shared().topics.values()}


def likely_topics(parse_data: dict[str, Any], count: int = OFFERED_TOPICS) -> list[str]:
    """The ids of the knowledge topics the ResponseSelector ranked highest for this message."""
    selector = parse_data.get("response_selector", {})
    ranking = (selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}).get("ranking", [])
    ids = [entry.get("intent_response_key", "").partition("/")[2] for entry in ranking]
    return [topic_id for topic_id in ids if topic_id in _topics()][:count]


class ActionOfferLikelyTopics(Action):
    """Replaces Rasa's default affirmation question ("Did you mean …?") with topic buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        # Not understood counts as a failure; right after another one, a callback is offered too
        # (here as one more button beside the topics).
        from actions.services import services_for_unsure

        # "社保卡丢了在哪补办" read as half service, half out of scope: the catalogue's services
        # come first; a button's payload is the rephrasing the second stage takes.
        services = await services_for_unsure(tracker.latest_message.get("text") or "")
        topics = likely_topics(tracker.latest_message, OFFERED_TOPICS - min(len(services), 1))
        if not topics and not services:
            dispatcher.utter_message(response="utter_default")
            return record_failure(tracker, dispatcher)
        events, offer = mark_failure(tracker)
        # The button says what it gives: the service's guide, not the article's words about it.
        buttons = [{"title": f"{s.name}怎么办理", "payload": f"{s.name}怎么办理"} for s in services]
        buttons += [{"title": _topics()[t][0], "payload": _topics()[t][1]} for t in topics]
        buttons.append({"title": "都不是", "payload": "/deny"})
        if offer:
            buttons.append(OFFER_BUTTONS[0])
        dispatcher.utter_message(text=f"抱歉，我不太确定您想问什么。您是想了解下面哪一项？{HOTLINE_HINT}",
                                 buttons=buttons)
        return events
