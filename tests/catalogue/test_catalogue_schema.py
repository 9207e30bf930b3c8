"""The field rules of one service and the rules across services (no I/O)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.catalogue.schema import (
    FACT_FIELDS,
    Material,
    cross_problems,
    parse_service,
)


def raw(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "code": "T-01", "name": "测试事项", "aliases": ["测试别名"], "audience": ["个人"],
        "topic": "测试", "department": "市中区某局", "channels": ["一窗办", "网上办"],
        "visits": 1, "online": "爱山东APP", "phone": "12345",
        "materials": [{"name": "居民身份证", "original": 1, "copies": 1}, "申请书"],
        "legal_days": 20, "promised_days": 5, "source": "示例数据", "updated": "2024-05-01",
        "sample_fields": "all",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def reasons(data: dict[str, object]) -> dict[str | None, str]:
    service, problems = parse_service(data)
    assert (service is None) == bool(problems)
    found: dict[str | None, str] = {}
    for problem in problems:
        found[problem.key] = " | ".join(filter(None, [found.get(problem.key), problem.reason]))
    return found


def test_a_good_service_parses_with_all_samples_flagged() -> None:
    service, problems = parse_service(raw())
    assert problems == [] and service is not None
    assert service.sample and service.sample_fields == frozenset(FACT_FIELDS)
    assert service.materials == (Material("居民身份证", 1, 1), Material("申请书", 1, 0))
    assert service.updated == dt.date(2024, 5, 1)
    assert service.names() == ("测试事项", "测试别名")


def test_to_dict_round_trips() -> None:
    service, _ = parse_service(raw(sample_fields=["fee", "phone"], source="某官方目录",
                                   fee="不收费"))
    assert service is not None
    again, problems = parse_service(service.to_dict())
    assert problems == [] and again == service


@pytest.mark.parametrize(("changes", "key", "words"), [
    ({"name": ""}, "name", "required"),
    ({"code": None}, "code", "required"),
    ({"code": "有 空格"}, "code", "letters"),
    ({"channels": ["窗口办"]}, "channels", "not one of"),
    ({"audience": ["企业"]}, "audience", "not one of"),
    ({"channels": ["全程网办"], "visits": 1}, "visits", "0 visits"),
    ({"online": None}, "online", "online entry"),
    ({"promised_days": 30}, "promised_days", "exceeds"),
    ({"visits": -1}, "visits", "whole number"),
    ({"visits": "一次"}, "visits", "whole number"),
    ({"updated": "2024/13/01"}, "updated", "ISO date"),
    ({"updated": "2999-01-01"}, "updated", "future"),
    ({"phone": "0531-12345678"}, "phone", "never an invented number"),
    ({"sample_fields": ["place", "wrong"]}, "sample_fields", "not fact fields"),
    ({"sample_fields": None, "fee": "不收费"}, "sample_fields", "flag"),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"aliases": ["测试事项"]}, "aliases", "repeats the name"),
    ({"aliases": ["甲", "甲"]}, "aliases", "twice"),
    ({"materials": [{"original": 1}]}, "materials", "no name"),
    ({"materials": [{"name": "证", "pages": 2}]}, "materials", "unknown keys"),
    ({"conditions": {"a": 1}}, "conditions", "list of texts"),
    ({"name": "长" * 61}, "name", "longer than"),
])
def test_broken_fields_are_reported_by_key(changes: dict, key: str, words: str) -> None:
    problems = reasons(raw(**changes))
    assert key in problems, problems
    assert words in problems[key]


def test_an_official_source_needs_no_sample_flags() -> None:
    assert reasons(raw(source="济南市政务服务事项目录（2024版）", sample_fields=None)) == {}


def test_cross_rules_find_duplicate_codes_names_and_aliases() -> None:
    a, _ = parse_service(raw())
    b, _ = parse_service(raw(name="另一事项", aliases=["测试事项"]))
    c, _ = parse_service(raw(code="T-02", name="第三事项", aliases=["测试别名"]))
    found = [(s.name, p.key, p.reason) for s, p in cross_problems([a, b, c])]
    assert ("另一事项", "code", "'T-01' is used twice") in found
    assert any(name == "另一事项" and key == "aliases" for name, key, _ in found)
    assert any(name == "第三事项" and "测试别名" in reason for name, _, reason in found)
