"""Generated NLU data (lookup, synonyms, dictionary words) and reply text with 示例 marks."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from bot import paths
from bot.catalogue.nlu import dictionary_terms, rasa_lookup_yaml
from bot.catalogue.schema import Service
from bot.catalogue.text import ALL_SAMPLE_NOTE, SAMPLE_MARK, SAMPLE_NOTE, card, describe
from tests.names import NAME


def test_lookup_yaml_is_rasa_3_nlu_data(services: list[Service]) -> None:
    text = rasa_lookup_yaml(services)  # the field vocabulary's lookup is tested in test_catalogue_fields.py
    assert text.startswith("# Generated") and 'version: "3.1"' in text
    data = yaml.safe_load(text)
    (lookup, *synonyms) = [b for b in data["nlu"] if "intent" not in b]  # situations: ask_service
    assert lookup["lookup"] == "service"
    names = {line[2:] for line in lookup["examples"].splitlines()}
    assert names == {n for s in services for n in s.names()}
    by_name = {s.name: s for s in services}
    for synonym in synonyms:
        aliases = [line[2:] for line in synonym["examples"].splitlines()]
        assert aliases == list(by_name[synonym["synonym"]].aliases)


def test_dictionary_terms(services: list[Service]) -> None:
    terms = dictionary_terms(services)
    assert {"人才落户", "临时救助", NAME["SZ-EMP-01"], "急难救助"} <= terms
    assert all(2 <= len(t) <= 20 for t in terms)


def test_describe_says_once_that_every_value_shown_is_a_sample(services: list[Service]) -> None:
    service = next(s for s in services if s.name == "临时救助")
    text = describe(service, ("materials", "place", "fee", "time_limit"))
    lines = text.splitlines()
    assert lines[0] == "申请材料：" and lines[-1] == ALL_SAMPLE_NOTE and "12345" in ALL_SAMPLE_NOTE
    assert SAMPLE_MARK not in text and text.count("示例") == 1
    assert "临时救助申请书（原件1份）" in text and "法定办结时限：30个工作日" in text


def test_describe_marks_the_sample_lines_among_official_ones(services: list[Service]) -> None:
    service = dataclasses.replace(services[0], sample_fields=frozenset({"phone"}))
    text = describe(service, ("overview", "place"))
    assert SAMPLE_MARK not in text and SAMPLE_NOTE not in text and ALL_SAMPLE_NOTE not in text
    assert describe(service, ("phone",)).endswith(ALL_SAMPLE_NOTE)
    mixed = describe(service, ("overview", "phone")).splitlines()
    assert not mixed[0].endswith(SAMPLE_MARK) and mixed[1].endswith(SAMPLE_MARK) and mixed[2] == SAMPLE_NOTE


def test_the_card_is_name_channels_and_materials(services: list[Service]) -> None:
    service = next(s for s in services if s.name == "临时救助")
    lines = card(service).splitlines()
    assert lines[0] == "【临时救助】" and lines[1].startswith("办理渠道：") and lines[2] == "申请材料："
    assert len(lines) == 3 + len(service.materials) + 1 and lines[-1] == ALL_SAMPLE_NOTE
    assert not any(word in card(service) for word in ("办理地点", "收费", "时限", "受理条件"))
    with pytest.raises(ValueError):
        describe(service, ("weather",))


@pytest.mark.skipif(not (paths.SPACY_PIPELINE / "meta.json").is_file(),
                    reason="the spaCy zh pipeline is not built (make setup)")
def test_ranking_with_the_nlu_segmenter(services: list[Service], tmp_path) -> None:
    from bot.catalogue.store import create_store
    from bot.catalogue.tokens import SpacyTokenizer

    store = create_store(f"sqlite:///{tmp_path / 'c.db'}", tokenize=SpacyTokenizer())
    store.replace_all(services)
    for query, expected in [("人才落户要带哪些材料", "人才落户"), ("临时救助在哪申请", "临时救助"),
                            ("孩子上幼儿园", NAME["SZ-EDU-03"]), ("低保怎么办", "最低生活保障"),
                            ("我想开个饭店要办什么证", "食品经营许可")]:
        assert store.search(query)[0].service.name == expected, query


@pytest.mark.skipif(not (paths.SPACY_PIPELINE / "meta.json").is_file(),
                    reason="the spaCy zh pipeline is not built (make setup)")
@pytest.mark.parametrize(("query", "expected"), [
    ("孩子明年要上一年级，报名得准备什么材料", "小学一年级入学报名"),  # cut 上/一/年级
    ("人才落护需要啥材料", "人才落户"),  # a homophone slip kept as one word: 人才/落护
])
def test_words_cut_apart_still_find_their_service_clearly(services: list[Service], tmp_path,
                                                          query: str, expected: str) -> None:
    from bot.catalogue.fields import shared_fields
    from bot.catalogue.store import create_store
    from bot.catalogue.tokens import SpacyTokenizer
    from bot.dialogue.router import Router
    from bot.dialogue.rules import shared_rules
    from bot.dialogue.turn import Turn
    from bot.knowledge.model import shared

    store = create_store(f"sqlite:///{tmp_path / 'c.db'}", tokenize=SpacyTokenizer())
    store.replace_all(services)
    router = Router(shared_rules(), store, shared(), lambda text: {}, shared_fields())
    decision = router.route(Turn(query, "ask_service"))
    hits = [(h.service.name, h.score) for h in store.search(query, 3)]
    assert decision.service is not None and decision.service.name == expected, (decision.name, hits)
