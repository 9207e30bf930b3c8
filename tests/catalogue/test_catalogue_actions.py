"""The catalogue actions with real trackers, against both stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.answers as service_actions
from bot.catalogue import CatalogueStore, CatalogueUnavailable
from tests.names import NAME


def tracker(text: str, entities: list[tuple[str, str]] = (), **slots) -> Tracker:
    parse = {"text": text, "intent": {"name": "ask_service", "confidence": 0.9},
             "entities": [{"entity": e, "value": v} for e, v in entities]}
    return Tracker("user", slots, parse, [], False, None, {}, "action_listen")


def run(action, tr: Tracker) -> tuple[str, list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tr, {}))
    text = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    buttons = [b for m in dispatcher.messages for b in m.get("buttons") or []]
    return text, buttons, events


@pytest.fixture(autouse=True)
def use_store(store: CatalogueStore, monkeypatch: pytest.MonkeyPatch) -> CatalogueStore:
    """The actions' router on this store (the router is made once per action server)."""
    monkeypatch.setattr(service_actions, "store", lambda: store)
    service_actions._router.cache_clear()
    yield store
    service_actions._router.cache_clear()


def slot(events: list[dict], name: str):
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def test_named_service_and_aspect() -> None:
    text, _, events = run(service_actions.ActionAnswerService(),
                          tracker("临时救助在哪申请", [("service", "临时救助"), ("field", "地点")]))
    assert "办理地点" in text and "临时救助" in text and "示例" in text and "12345" in text
    assert "申请材料" not in text
    assert "更新于" in text
    assert slot(events, "subject") == "service"


def test_service_found_by_full_text_without_entity() -> None:
    text, _, events = run(service_actions.ActionAnswerService(), tracker("人才住房补贴要怎么申请"))
    assert "人才住房补贴申领" in text and "申请材料" in text
    code = slot(events, "service_code")
    follow_up, _, _ = run(service_actions.ActionAnswerService(),
                          tracker("要带什么", [("field", "材料")], service_code=code, subject="service"))
    assert "人才住房补贴申领" in follow_up and "申请材料" in follow_up


def test_follow_up_does_not_use_a_stale_service_after_a_knowledge_answer() -> None:
    text, _, _ = run(service_actions.ActionAnswerService(),
                     tracker("具体在哪", [("field", "地点")], service_code="SZ-SA-01",
                             subject="knowledge", knowledge_topic="platform_new_city"))
    assert "临时救助" not in text


def test_unknown_service_is_said_honestly() -> None:
    text, buttons, _ = run(service_actions.ActionAnswerService(), tracker("火星移民签证怎么办理"))
    assert ("没有找到" in text and "12345" in text) or buttons


def test_list_by_channel() -> None:
    parse = {"text": "只带身份证能办的事项有哪些", "intent": {"name": "list_services_by_channel", "confidence": 0.9},
             "entities": []}
    text, buttons, _ = run(service_actions.ActionListServicesByChannel(),
                           Tracker("user", {}, parse, [], False, None, {}, "action_listen"))
    assert "一证通办" in text and "项" in text and buttons


def test_unreachable_database_apologises_and_names_12345(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real PostgreSQL URL where no server listens: the driver's error becomes the apology."""
    from bot.catalogue import bigram_tokenize, create_store

    down = create_store("postgresql://postgres@127.0.0.1:9/catalogue", tokenize=bigram_tokenize)
    with pytest.raises(CatalogueUnavailable):
        down.search("临时救助")
    monkeypatch.setattr(service_actions, "store", lambda: down)
    service_actions._router.cache_clear()
    text, _, events = run(service_actions.ActionAnswerService(), tracker("临时救助在哪申请"))
    assert "12345" in text and events == []


def action_for(intent: str):
    """The action the assistant runs for a message the NLU put in `intent`."""
    from actions.answers import ActionAnswerKnowledge, ActionOutOfScope

    return ActionOutOfScope() if intent == "out_of_scope" else ActionAnswerKnowledge()


def procedural(text: str, intent: str) -> Tracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker("user", {}, parse, [], False, None, {}, "action_listen")


@pytest.mark.parametrize(("text", "intent", "service"), [
    ("社保卡弄丢了去哪里补", "out_of_scope", "社会保障卡申领"),
    ("区体育馆场地咋预约", "faq", NAME["SZ-CUL-03"]),
    ("自主就业退役士兵的一次性补助咋领", "faq", "自主就业退役士兵一次性经济补助"),
    ("门头招牌设置需不需要审批", "out_of_scope", "户外广告设施设置审批"),  # no how-to words, a clear service
    # May I get it / must I obtain it: as much a catalogue question as how to apply.
    ("进城务工的，孩子能在市中区入学吗", "faq", "随迁子女入学"),
    ("我妈八十五了，有没有高龄补贴能领", "faq", "高龄津贴"),
    ("换店招设置要审批吗", "faq", "户外广告设施设置审批"),
    ("开个体户可以在网上办吗", "faq", NAME["SZ-ENT-03"]),
])
def test_how_to_questions_the_nlu_missed_get_the_catalogue_service(text, intent, service) -> None:
    action = action_for(intent)
    reply, _, events = run(action, procedural(text, intent))
    assert f"【{service}】" in reply and "来源：市中区政务服务事项目录" in reply
    assert slot(events, "subject") == "service"
    assert not any(e.get("name") == "last_failure_turn" for e in events)  # not counted as a failure


@pytest.mark.parametrize(("text", "intent"), [
    ("临时救助今年有什么安排", "faq"),  # the article's plan, although the catalogue has 临时救助
    ("老板欠了我两个月工资怎么办", "out_of_scope"),  # how-to, but no service of the catalogue
    ("上海人才公寓如何申请", "out_of_scope"),  # another city's, not the district's service
    ("老旧小区改造今年有多少个", "faq"),  # the catalogue has SZ-URB-02, but this is no how-to
    ("哪些事可以在网上办", "faq"),  # online, but no one service
])
def test_other_questions_keep_their_answer(text, intent) -> None:
    action = action_for(intent)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, procedural(text, intent), {}))
    assert not any("事项目录" in (m.get("text") or "") for m in dispatcher.messages)
    expected = "utter_out_of_scope" if intent == "out_of_scope" else "utter_faq/"
    assert any((m.get("response") or "").startswith(expected) for m in dispatcher.messages)
    assert all(e.get("name") != "service_code" for e in events)


@pytest.mark.parametrize(("text", "figure"), [
    ("老旧小区改造了多少个", "13"),  # names 老旧小区改造(咨询), asks for the article's count
    ("今年新建改扩建几所学校", "17"),
])
def test_a_count_the_article_gives_is_answered_from_it_even_when_taken_for_a_service(text, figure) -> None:
    entities = [("service", NAME["SZ-URB-02"])] if "老旧小区" in text else []
    dispatcher = CollectingDispatcher()
    events = asyncio.run(service_actions.ActionAnswerService().run(dispatcher, tracker(text, entities), {}))
    assert not any("事项目录" in (m.get("text") or "") for m in dispatcher.messages)
    assert any((m.get("response") or "").startswith("utter_faq/") for m in dispatcher.messages)
    assert slot(events, "subject") == "knowledge"


@pytest.mark.parametrize(("text", "entities", "shown"), [
    (f"{NAME['SZ-URB-02']}要带几个证件", [("service", NAME["SZ-URB-02"])], NAME["SZ-URB-02"]),
    ("临时救助几个工作日能批下来", [("service", "临时救助")], "临时救助"),
    ("临时救助在哪申请，有几个窗口", [("service", "临时救助"), ("field", "地点")], "临时救助"),
])
def test_a_count_of_a_guide_stays_with_the_catalogue(text, entities, shown) -> None:
    reply, _, events = run(service_actions.ActionAnswerService(), tracker(text, entities))
    assert f"来源：市中区政务服务事项目录“{shown}”" in reply
    assert slot(events, "subject") == "service"


@pytest.mark.parametrize(("text", "response"), [
    ("12100是个啥", "utter_faq/livelihood_12100"),  # the article's own term, taken for out of scope
    ("什么是一证通办？", "utter_faq/business_one_certificate"),
    ("火锅是什么", "utter_out_of_scope"),  # no term of the article
    ("二环南路是什么", "utter_out_of_scope"),  # a term of more than one topic: no guess
])
def test_what_a_term_of_the_article_means_is_answered_from_it(text, response) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(action_for("out_of_scope").run(dispatcher, procedural(text, "out_of_scope"), {}))
    assert [m.get("response") for m in dispatcher.messages][:1] == [response]
