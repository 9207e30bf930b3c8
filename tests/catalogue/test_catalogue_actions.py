"""The catalogue actions with real trackers, against both stores (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.services as service_actions
from bot.catalogue import CatalogueStore, CatalogueUnavailable


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
    monkeypatch.setattr(service_actions, "store", lambda: store)
    return store


def slot(events: list[dict], name: str):
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def test_named_service_and_aspect() -> None:
    text, _, events = run(service_actions.ActionAnswerService(),
                          tracker("临时救助在哪申请", [("service", "临时救助"), ("aspect", "place")]))
    assert "办理地点" in text and "临时救助" in text and "示例" in text and "12345" in text
    assert "申请材料" not in text
    assert "更新于" in text
    assert slot(events, "subject") == "service"


def test_service_found_by_full_text_without_entity() -> None:
    text, _, events = run(service_actions.ActionAnswerService(), tracker("人才住房补贴怎么申请"))
    assert "人才住房补贴申领" in text and "申请材料" in text
    code = slot(events, "service_code")
    follow_up, _, _ = run(service_actions.ActionAnswerService(),
                          tracker("要带什么", [("aspect", "materials")], service_code=code, subject="service"))
    assert "人才住房补贴申领" in follow_up and "申请材料" in follow_up


def test_follow_up_does_not_use_a_stale_service_after_a_knowledge_answer() -> None:
    text, _, _ = run(service_actions.ActionAnswerService(),
                     tracker("具体在哪", [("aspect", "place")], service_code="SZ-SA-01",
                             subject="knowledge", knowledge_topic="platform_new_city"))
    assert "临时救助" not in text


def test_unknown_service_is_said_honestly() -> None:
    text, buttons, _ = run(service_actions.ActionAnswerService(), tracker("火星移民签证怎么办理"))
    assert ("没有找到" in text and "12345" in text) or buttons


def test_list_by_channel() -> None:
    text, buttons, _ = run(service_actions.ActionListServicesByChannel(),
                           tracker("哪些事可以一证通办", [("channel", "一证通办")]))
    assert "一证通办" in text and "项" in text and buttons


def test_unreachable_database_apologises_and_names_12345(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real PostgreSQL URL where no server listens: the driver's error becomes the apology."""
    from bot.catalogue import bigram_tokenize, create_store

    down = create_store("postgresql://postgres@127.0.0.1:9/catalogue", tokenize=bigram_tokenize)
    with pytest.raises(CatalogueUnavailable):
        down.search("临时救助")
    monkeypatch.setattr(service_actions, "store", lambda: down)
    text, _, events = run(service_actions.ActionAnswerService(), tracker("临时救助在哪申请"))
    assert "12345" in text and events == []
