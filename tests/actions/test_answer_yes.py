"""A message the NLU took for a yes: acknowledged, unless it is a correction naming a service
("…弄错了，我要问的是…"), which the router answers."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionAnswerYes
from bot import paths
from tests.names import NAME


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


def test_a_correction_read_as_a_yes_answers_the_service_it_names() -> None:
    text = "对不起说错了，我想问的是居住证申领"
    messages, events = run(text, [entity("service", NAME["SZ-CIV-03"], text)], service_code="SZ-CIV-01",
                           subject="service")
    assert "【居住证申领】" in messages[0]["text"]
    assert {"event": "slot", "timestamp": None, "name": "service_code", "value": "SZ-CIV-03"} in events


@pytest.mark.parametrize(("text", "name", "value", "said", "current"), [
    ("好的，材料我都准备好了", "field", "材料", "材料", "SZ-CIV-02"),
    ("是的，我已经领了结婚证", "service", "结婚登记", "结婚证", "SZ-CIV-02"),
    ("好，不收费就好", "field", "费用", "收费", "SZ-CIV-02"),
    # a question word inside a statement asks nothing
    ("好的，我知道要带哪些材料了", "field", "材料", "材料", "SZ-CIV-03"),
    ("好的，那么我周一带材料过去", "field", "材料", "材料", "SZ-CIV-03"),
    ("嗯嗯，知道去哪里办了，谢谢", "field", "地点", "去哪里办", "SZ-CIV-03"),
    ("是的，我已经在办居住证了", "service", NAME["SZ-CIV-03"], "居住证", "SZ-CIV-03"),
])
def test_a_yes_that_names_something_in_a_statement_is_acknowledged(text: str, name: str, value: str,
                                                                     said: str, current: str) -> None:
    messages, events = run(text, [entity(name, value, text, said)], service_code=current, subject="service")
    assert [m.get("response") for m in messages] == ["utter_ok"] and events == []


def test_a_yes_that_asks_a_field_of_the_service_under_discussion_gets_that_field() -> None:
    text = "好的，那这个收费吗"
    messages, _ = run(text, [entity("field", "费用", text, "收费")], service_code="SZ-CIV-03", subject="service")
    assert messages[0].get("response") != "utter_ok" and NAME["SZ-CIV-03"] in messages[0]["text"]
    assert "费用" in messages[0]["text"] or "收费" in messages[0]["text"]


def test_a_yes_naming_an_offered_service_in_a_statement_is_acknowledged() -> None:
    text = "嗯对，临时救助我已经办过了"
    messages, events = run(text, [entity("service", "临时救助", text)], subject="options",
                           options_offered=["service:SZ-SA-02", "service:SZ-SA-01"])
    assert [m.get("response") for m in messages] == ["utter_ok"] and events == []


def test_a_yes_that_asks_which_of_the_topic_discussed_gets_the_topic() -> None:
    """"是哪几家" read as a yes while the library branches are discussed: it asks which, the article answers."""
    messages, events = run("是哪几家呀", [], subject="knowledge", knowledge_topic="livelihood_library_branches")
    assert messages[0].get("response", "").startswith("utter_faq/"), messages
    assert any(e.get("name") == "knowledge_topic" for e in events)


def test_a_long_question_read_as_a_yes_is_answered_though_nothing_was_marked() -> None:
    messages, _ = run("嗯，我腿脚不好走路费劲，也能申请居家养老上门服务吗", [])
    assert messages[0].get("response") != "utter_ok", messages


@pytest.mark.parametrize("text", ["好的，没什么要问的了", "行，知道几点去了", "嗯嗯，怎么都行", "是吗", "可以吗"])
def test_a_yes_that_knows_or_only_checks_is_acknowledged(text: str) -> None:
    messages, events = run(text, [], service_code="SZ-CIV-03", subject="service")
    assert [m.get("response") for m in messages] == ["utter_ok"] and events == [], messages


# An independent review's wordings: acknowledgements the first version took for questions …
@pytest.mark.parametrize("text", ["好的，我过几天再去", "行，有什么问题我再来咨询", "好的，不管怎么样谢谢你",
                                  "好的我正在准备材料呢", "好的，身份证什么的我都准备好"])
def test_a_yes_with_a_question_word_in_a_set_phrase_is_acknowledged(text: str) -> None:
    messages, events = run(text, [], service_code="SZ-CIV-03", subject="service")
    assert [m.get("response") for m in messages] == ["utter_ok"] and events == [], messages


# … and questions its statement words took for acknowledgements.
@pytest.mark.parametrize("text", ["好的，不过我不清楚要去哪里办", "好的，哪天去都可以吗",
                                  "好的，那还有没有什么要注意的"])
def test_a_yes_that_asks_what_one_does_not_know_is_answered(text: str) -> None:
    messages, _ = run(text, [], service_code="SZ-CIV-03", subject="service")
    assert messages[0].get("response") != "utter_ok", messages
