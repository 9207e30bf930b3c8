"""Out-of-scope how-to questions, with the catalogue searched as deployed (pkuseg segmentation)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.answers as service_actions
from actions.answers import ActionOutOfScope
from bot import paths
from bot.catalogue import CatalogueStore
from bot.catalogue.schema import Service
from tests.names import NAME

pytestmark = pytest.mark.skipif(not (paths.SPACY_PIPELINE / "meta.json").is_file(),
                                reason="the spaCy zh pipeline is not built (make setup)")


@pytest.fixture
def deployed_store(services: list[Service], tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CatalogueStore]:
    from bot.catalogue.store import create_store
    from bot.catalogue.tokens import SpacyTokenizer

    store = create_store(f"sqlite:///{tmp_path / 'c.db'}", tokenize=SpacyTokenizer())
    store.replace_all(services)
    monkeypatch.setattr(service_actions, "store", lambda: store)
    service_actions._router.cache_clear()
    yield store
    service_actions._router.cache_clear()


def out_of_scope(text: str) -> tuple[list[dict], list[dict]]:
    parse = {"text": text, "intent": {"name": "out_of_scope", "confidence": 1.0}, "entities": []}
    tracker = Tracker("user", {}, parse, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOutOfScope().run(dispatcher, tracker, {}))
    return dispatcher.messages, [b for m in dispatcher.messages for b in m.get("buttons") or []]


def test_a_how_to_question_gets_the_services_it_may_mean(deployed_store) -> None:
    # 营业执照 alone fits SZ-ENT-02 and SZ-ENT-03 about as well: both are offered.
    messages, buttons = out_of_scope("营业执照在哪办")
    titles = [b["title"] for b in buttons]
    assert titles[:2] == [NAME["SZ-ENT-02"], NAME["SZ-ENT-03"]], titles
    assert buttons[0]["payload"].startswith(NAME["SZ-ENT-02"])  # + the aspect the NLU found
    assert "12345" in messages[0]["text"]


def test_a_name_one_service_owns_is_answered_at_once(deployed_store) -> None:
    # 个体户营业执照 is an alias of SZ-ENT-03 alone: its entry, not a choice of three.
    messages, buttons = out_of_scope("个体户营业执照去哪办")
    assert all(b["payload"].startswith(NAME["SZ-ENT-03"]) for b in buttons), buttons  # its next fields
    assert messages[0]["text"].startswith(f"【{NAME['SZ-ENT-03']}】"), messages[0]["text"]


def test_two_verbs_after_how_still_ask_how_to(deployed_store) -> None:
    # "怎么认定和申请" is a how-to question as much as "怎么申请": the fitting services are offered.
    # 零就业家庭 is a name residents use for one service only: its entry at once.
    messages, buttons = out_of_scope("零就业家庭怎么认定和申请帮扶")
    assert messages[0]["text"].startswith(f"【{NAME['SZ-EMP-01']}】"), messages
    assert all(b["payload"].startswith(NAME["SZ-EMP-01"]) for b in buttons), buttons  # the card's fields
    assert "12345" in messages[0]["text"]


def test_a_word_many_services_share_offers_none(deployed_store) -> None:
    # 孩子 meets 生育登记 and the school registrations equally: that says nothing of a service.
    messages, buttons = out_of_scope("孩子走丢了怎么办")
    assert not buttons and [m.get("response") for m in messages] == ["utter_out_of_scope"]


def test_a_place_only_the_article_names_gets_its_topic(deployed_store) -> None:
    messages, _ = out_of_scope("花漾街区一共几条，都在哪儿")
    assert messages[0].get("response") == "utter_faq/environment_flower_streets"


def test_a_figure_the_article_lacks_is_said_so_beside_the_topic(deployed_store) -> None:
    messages, _ = out_of_scope("雄安新区现在房价多少")
    assert messages[0].get("response") == "utter_faq/investment_beijing_xiongan"
    assert "12345" in messages[1]["text"]


def test_a_repair_near_home_is_handed_on_not_answered_from_the_article(deployed_store) -> None:
    messages, _ = out_of_scope("我家楼下路灯坏了")
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


def test_a_topic_term_in_another_city_is_handed_on(deployed_store) -> None:
    messages, _ = out_of_scope("上海人才公寓如何申请")
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]
