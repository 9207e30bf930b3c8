"""A message the NLU took for a yes: a bare one is acknowledged, one that names a service or a field
is a question (a correction that opens with "对/是" or says "我要问的是…"), answered by the router."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionAnswerYes
from bot import paths


def run(text: str, entities: list[dict], **slots) -> tuple[list[dict], list[dict]]:
    """ActionAnswerYes on a message read as affirm, with the search segments the NLU's last component adds."""
    from bot.catalogue.segmented import PARSE_KEY
    from bot.nlp.pipeline import load
    from bot.nlp.search_segments import segments

    values = [text, *(e["value"] for e in entities)]
    parse = {"text": text, "intent": {"name": "affirm", "confidence": 0.7}, "entities": entities,
             PARSE_KEY: segments(load(paths.SPACY_PIPELINE), values)}
    events = [{"event": "user", "text": text, "parse_data": parse}]
    tracker = Tracker("user", slots, parse, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(ActionAnswerYes().run(dispatcher, tracker, {}))
    return dispatcher.messages, returned


def entity(name: str, value: str, text: str, said: str | None = None) -> dict:
    """The entity as the NLU gives it: `said` is where it stands in `text`, `value` what the synonym
    mapper made of it."""
    said = said or value
    start = text.index(said)
    return {"entity": name, "value": value, "start": start, "end": start + len(said)}


def test_a_bare_yes_is_acknowledged() -> None:
    messages, events = run("嗯嗯好的", [], service_code="SZ-CIV-01", subject="service")
    assert [m.get("response") for m in messages] == ["utter_ok"] and events == []


def test_a_yes_that_names_another_service_answers_that_service() -> None:
    text = "对的，我其实想问的是居住证申领"
    messages, events = run(text, [entity("service", "居住证申领", text)], service_code="SZ-CIV-01",
                           subject="service")
    assert "【居住证申领】" in messages[0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "subject", "value": "service"} in events


def test_a_yes_with_a_field_of_the_service_under_discussion_answers_that_field() -> None:
    text = "是的，那要多少钱"
    messages, _ = run(text, [entity("field", "费用", text, "多少钱")], service_code="SZ-CIV-01", subject="service")
    assert messages and messages[0].get("response") != "utter_ok"
    assert "费用" in messages[0]["text"] or "收费" in messages[0]["text"]
