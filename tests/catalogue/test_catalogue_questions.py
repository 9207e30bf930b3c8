"""Residents' questions editors place on a service (`examples`): NLU examples of ask_service,
exact search keys, one service each."""

from __future__ import annotations

import dataclasses

import yaml

from bot.catalogue.nlu import rasa_lookup_yaml
from bot.catalogue.schema import Service, cross_problems, parse_service
from bot.catalogue.store import create_store
from bot.catalogue.tokens import bigram_tokenize


def with_questions(services: list[Service], code: str, *questions: str) -> list[Service]:
    return [dataclasses.replace(s, examples=questions) if s.code == code else s for s in services]


def test_questions_become_ask_service_examples(services: list[Service]) -> None:
    services = [dataclasses.replace(s, situations=()) for s in services]  # those are examples too
    data = yaml.safe_load(rasa_lookup_yaml(with_questions(services, "SZ-TAL-01", "户口想迁到市中咋弄")))
    [block] = [b for b in data["nlu"] if b.get("intent") == "ask_service"]
    assert block["examples"].strip() == "- 户口想迁到市中咋弄"
    assert not any(b.get("intent") for b in yaml.safe_load(rasa_lookup_yaml(services))["nlu"])


def test_a_question_asked_again_finds_its_service(tmp_path, services: list[Service]) -> None:
    store = create_store(f"sqlite:///{tmp_path / 'c.db'}", tokenize=bigram_tokenize)
    store.replace_all(with_questions(services, "SZ-TAL-01", "户口想迁到市中咋弄"))
    [best, *_] = store.search("户口想迁到市中咋弄")
    assert best.service.code == "SZ-TAL-01" and best.score >= 85
    assert store.search("您好，户口想迁到市中咋弄？")[0].service.code == "SZ-TAL-01"
    assert all(hit.score < 50 for hit in store.search("市中") if hit.service.code == "SZ-TAL-01")
    store.close()


def test_one_question_names_one_service(services: list[Service]) -> None:
    first, second = services[0].code, services[1].code
    twice = with_questions(with_questions(services, first, "这个怎么办"), second, "这个怎么办")
    assert [(s.code, p.key) for s, p in cross_problems(twice)] == [(second, "examples")]
    service, problems = parse_service({**services[0].to_dict(), "examples": ["a", "a"]})
    assert service is None and [p.key for p in problems] == ["examples"]
