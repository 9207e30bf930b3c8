"""sources/routing.yml: the router's words and thresholds load, and a broken file is refused with
every problem named (so a wrong edit stops the action server instead of answering wrongly)."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.dialogue.rules import ROUTING_FILE, RoutingInvalid, load_rules, parse_rules


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(ROUTING_FILE.read_text(encoding="utf-8"))


def test_the_project_file_loads() -> None:
    rules = load_rules()
    assert rules.named_score > rules.out_of_scope_score > rules.procedural_score
    assert rules.ordinals["最后"] == -1 and rules.ordinals["第三"] == 3
    assert rules.pattern("procedural").search("社保卡去哪补办")
    assert not rules.pattern("procedural").search("今年建几所学校")
    assert "一证通办" in rules.channels
    assert set(rules.centre_fields) == {"address", "hours", "phone", "handles"}


def broken(raw: dict, change) -> dict:
    data = copy.deepcopy(raw)
    change(data)
    return data


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d["thresholds"].pop("named_score"), "thresholds.named_score: must be a number"),
    (lambda d: d["thresholds"].update(offered_share=3), "thresholds.offered_share: 3 is outside"),
    (lambda d: d["thresholds"].update(offered_at_most=2.5), "must be a whole number"),
    (lambda d: d["thresholds"].update(surprise=1), "unknown keys"),
    (lambda d: d["patterns"].update(procedural="(怎么"), "patterns.procedural: does not compile"),
    (lambda d: d["patterns"].update(definition="(.*)是啥"), "needs a group (?P<subject>"),
    (lambda d: d["words"].update(correction=[]), "words.correction: must be a non-empty list"),
    (lambda d: d["words"].update(ordinals={"第一": 0}), "words.ordinals"),
    (lambda d: d.pop("details"), "details: must be a non-empty list"),
    (lambda d: d["words"]["kinds"].update(养老服务=[]), "words.kinds.养老服务: must be a non-empty list"),
    (lambda d: d["words"].update(pick_words=["看病"]), "words.pick_words: must map texts to lists"),
    (lambda d: d["words"].pop("audience_groups"), "words.audience_groups: must map each audience"),
    (lambda d: d["patterns"].update(pick_by_name="(.+)那个"), "needs a group (?P<name>"),
    (lambda d: d.pop("facts"), "facts: must be a non-empty list"),
    (lambda d: d["facts"][0].update(given="(\\d"), "facts[1].given: does not compile"),
    (lambda d: d["thresholds"].pop("related_services_at_most"), "thresholds.related_services_at_most"),
    (lambda d: d["words"].update(measure_words=[]), "words.measure_words: must be a non-empty list"),
    (lambda d: d["words"]["centre_fields"].update(parking=["停车"]), "words.centre_fields: ['parking'] are not"),
    (lambda d: d["words"].pop("centre_fields"), "words.centre_fields: must map texts to lists"),
    (lambda d: d["thresholds"].update(next_steps_at_most=0), "thresholds.next_steps_at_most: 0 is outside"),
    (lambda d: d.pop("service_details"), "service_details: must be a non-empty list"),
    (lambda d: d["service_details"][0].update(what=""), "service_details[1]: needs `what`"),
    (lambda d: d["service_details"][0].update(asked="(领"), "service_details[1].asked: does not compile"),
    (lambda d: d["service_details"][0].update(say="「{service}」没有"), "service_details[1].say: must be text naming"),
])
def test_a_broken_file_is_refused_naming_the_key(raw: dict, change, problem: str) -> None:
    with pytest.raises(RoutingInvalid) as error:
        parse_rules(broken(raw, change))
    assert problem in str(error.value)


def test_every_problem_is_named_at_once(raw: dict) -> None:
    def two(d: dict) -> None:
        d["thresholds"].pop("clear_lead")
        d["patterns"]["other_places"] = "[北京"

    with pytest.raises(RoutingInvalid) as error:
        parse_rules(broken(raw, two))
    assert "clear_lead" in str(error.value) and "other_places" in str(error.value)


def test_every_kind_is_a_catalogue_topic_and_every_topic_has_words() -> None:
    """The kinds residents name are the catalogue's own topics (a renamed topic must be renamed
    here too), and the audiences of the groups are the catalogue's."""
    from bot.catalogue.files import load_services

    services = load_services()
    rules = load_rules()
    assert set(rules.kinds) == {s.topic for s in services}
    assert {a for s in services for a in s.audience} <= set(rules.audience_groups)
    assert all(kind in words for kind, words in rules.kinds.items())  # the topic's own name is a word
