"""The first fallback stage offers the two most likely topics as buttons and names 12345."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerUnsure
from bot import paths
from bot.knowledge.model import shared as knowledge


def run(parse: dict) -> list[dict]:
    """The unsure action on `parse`, with the search segments the NLU's last component adds."""
    from bot.catalogue.segmented import PARSE_KEY
    from bot.nlp.pipeline import load
    from bot.nlp.search_segments import segments

    parse = {**parse, PARSE_KEY: segments(load(paths.SPACY_PIPELINE), [parse["text"]])}
    dispatcher = CollectingDispatcher()
    tracker = Tracker("user", {}, parse, [], False, None, {}, "action_listen")
    asyncio.run(ActionAnswerUnsure().run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_two_likely_topics_as_buttons_with_a_way_out() -> None:
    parse = {"text": "人才那个咋弄", "intent": {"name": "nlu_fallback", "confidence": 0.4},
             "response_selector": {"faq": {"ranking": [
                 {"intent_response_key": "faq/talent_housing", "confidence": 0.31},
                 {"intent_response_key": "faq/talent_settlement", "confidence": 0.29},
                 {"intent_response_key": "faq/talent_plan", "confidence": 0.2}]}}}
    [message] = run(parse)
    titles = [b["title"] for b in message["buttons"]]
    topics = knowledge().topics
    assert titles == [topics["talent_housing"].title, topics["talent_settlement"].title, "都不是"]
    # Each topic button sends a question the assistant was trained on, so a click is understood.
    assert message["buttons"][0]["payload"] in topics["talent_housing"].examples
    assert message["buttons"][-1]["payload"] == "/deny"
    assert "12345" in message["text"]


def test_without_a_ranking_it_hands_on_to_12345() -> None:
    [message] = run({"text": "？？", "intent": {"name": "nlu_fallback", "confidence": 0.2}})
    assert message["response"] == "utter_default"


def test_a_how_to_question_gets_the_catalogue_service_first() -> None:
    # Half ask_service, half out of scope, naming no service: the service it fits leads, a topic follows.
    # (Few words of the service's situations: a need told in them is answered at once, below.)
    parse = {"text": "外地娃怎么报名", "intent": {"name": "nlu_fallback", "confidence": 0.45},
             "response_selector": {"faq": {"ranking": [
                 {"intent_response_key": "faq/platform_new_city_amenities", "confidence": 0.06},
                 {"intent_response_key": "faq/environment_ring_roads", "confidence": 0.05}]}}}
    [message] = run(parse)
    titles = [b["title"] for b in message["buttons"]]
    service = "随迁子女入学"  # the catalogue's service for a child from elsewhere
    asked = f"{service}怎么办理"  # the button asks how the service is done
    assert titles[0] == asked and titles[-2:] == [knowledge().topics["platform_new_city_amenities"].title, "都不是"]
    assert message["buttons"][0]["payload"] == asked
    assert "12345" in message["text"]


def test_a_need_told_in_a_services_situations_is_answered_at_once() -> None:
    parse = {"text": "非本地户口的孩子咋报名", "intent": {"name": "nlu_fallback", "confidence": 0.45},
             "entities": [], "response_selector": {"faq": {"ranking": [
                 {"intent_response_key": "faq/platform_new_city_amenities", "confidence": 0.06}]}}}
    [message] = run(parse)
    # No offer to choose from: the buttons ask the rest of this service's guide.
    assert message["text"].startswith("【随迁子女入学】"), message
    assert all(b["payload"].startswith("随迁子女入学") for b in message.get("buttons", [])), message["buttons"]


def test_a_how_to_question_naming_a_service_is_answered_at_once() -> None:
    parse = {"text": "社保卡丢了到哪儿补办", "intent": {"name": "nlu_fallback", "confidence": 0.45},
             "entities": [], "response_selector": {"faq": {"ranking": []}}}
    [message] = run(parse)
    assert message["text"].startswith("【社会保障卡申领】")
    # No offer to choose from: the buttons ask the rest of this service's guide.
    assert all(b["payload"].startswith("社会保障卡申领") for b in message["buttons"]), message["buttons"]
