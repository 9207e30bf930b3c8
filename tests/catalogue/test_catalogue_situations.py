"""Services' situations: the needs a service meets in residents' own words ("老伴走了，一个人没有
收入"), checked like the other fields, searched below names, aliases and the kind, and NLU examples
of ask_service. The queries here are worded apart from the catalogue's situations."""

from __future__ import annotations

import dataclasses

import yaml

from bot.catalogue.index import search_fields, situation_words
from bot.catalogue.nlu import rasa_lookup_yaml
from bot.catalogue.schema import MAX_SITUATION, Service, cross_problems, parse_service
from bot.catalogue.scoring import FIELD_WEIGHTS
from bot.catalogue.store import create_store
from bot.catalogue.tokens import bigram_tokenize
from tests.names import NAME


def by_name(services: list[Service], name: str) -> Service:
    return next(s for s in services if s.name == name)


def test_every_service_is_described_by_several_situations(services: list[Service]) -> None:
    thin = [s.name for s in services if len(s.situations) < 4]
    assert thin == []
    # A situation describes; it does not name the service (names and aliases do that).
    assert not [s.name for s in services if set(s.situations) & set(s.names())]


def test_situations_are_checked_like_the_other_fields(services: list[Service]) -> None:
    raw = services[0].to_dict()
    for bad in (["同一句话", "同一句话"], ["长" * (MAX_SITUATION + 1)], [services[0].name], 3):
        service, problems = parse_service({**raw, "situations": bad})
        assert service is None and [p.key for p in problems] == ["situations"], bad
    first, second = services[:2]
    shared = "同一个处境写在两处"
    twice = [dataclasses.replace(first, situations=(shared,)), dataclasses.replace(second, situations=(shared,))]
    assert [(s.code, p.key) for s, p in cross_problems(twice)] == [(second.code, "situations")]


def test_situations_round_trip_through_the_yaml_layout(services: list[Service]) -> None:
    service = by_name(services, "医疗救助")
    again, problems = parse_service(service.to_dict())
    assert problems == [] and again.situations == service.situations


def test_situations_become_ask_service_examples(services: list[Service]) -> None:
    data = yaml.safe_load(rasa_lookup_yaml(services))
    [block] = [b for b in data["nlu"] if b.get("intent") == "ask_service"]
    examples = [line[2:] for line in block["examples"].splitlines()]
    assert set(by_name(services, NAME["SZ-URB-03"]).situations) <= set(examples)
    assert len(examples) == len(set(examples)) == sum(len(s.situations) + len(s.examples) for s in services)


def test_a_situation_weighs_less_than_any_name_or_alias() -> None:
    assert FIELD_WEIGHTS["text"] < FIELD_WEIGHTS["situation"] < FIELD_WEIGHTS["alias"] < FIELD_WEIGHTS["name"]
    # A situation's one-character words say how it is told, not what it is about.
    assert situation_words(frozenset({"办", "都", "采光", "大树"})) == frozenset({"采光", "大树"})


def test_a_described_need_finds_its_service_and_names_stay_first(tmp_path, services: list[Service]) -> None:
    store = create_store(f"sqlite:///{tmp_path / 'c.db'}", tokenize=bigram_tokenize)
    store.replace_all(services)
    try:
        described = {
            "两口子都没了工作，家里没人挣钱": NAME["SZ-EMP-01"],
            "隔壁盖楼扬起的尘土飘进屋里": NAME["SZ-URB-03"],
            "老人在家一个人吃不上热饭": NAME["SZ-ELD-05"],
        }
        for query, name in described.items():
            assert store.search(query, 3)[0].service.name == name, query
        # The low-income family recognition's situations (SZ-SA-04) speak of 低保, but the alias names 最低生活保障.
        assert store.search("低保", 3)[0].service.name == "最低生活保障"
        assert "situation" in search_fields(services[0])
    finally:
        store.close()
