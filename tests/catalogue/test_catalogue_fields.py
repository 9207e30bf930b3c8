"""The field vocabulary (sources/fields.yml): checked when loaded, generated into the NLU's lookup
table and synonyms, and the answer to a field asked (the first line answers it, naming the service)."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from bot.catalogue.fields import GUIDES, FieldsInvalid, load_fields, parse_fields
from bot.catalogue.nlu import dictionary_terms, rasa_lookup_yaml
from bot.catalogue.schema import Service
from bot.catalogue.text import ALL_SAMPLE_NOTE, SAMPLE_MARK, SAMPLE_NOTE, answer_fields, field_line


def test_the_vocabulary_names_every_guide_field_once() -> None:
    vocabulary = load_fields()
    assert sorted(f.guide for f in vocabulary.fields) == sorted(GUIDES)
    assert vocabulary.field_of("多少钱").name == "费用"
    assert vocabulary.field_of("礼拜天").name == "办理时间"
    assert vocabulary.field_of("费用").guide == "fee"
    # A span the NLU found that holds a word of the vocabulary still names its field.
    assert vocabulary.field_of("到底要多少钱").name == "费用"
    assert vocabulary.field_of("天气") is None
    # A span holding a generic word and a field's noun names the noun ("要啥" alone is 材料).
    assert vocabulary.field_of("要啥条件").name == "条件" and vocabulary.field_of("要啥").name == "材料"
    assert vocabulary.field_of("得带啥材料").name == "材料"


def test_a_generic_word_names_its_field_only_when_no_other_is_named() -> None:
    vocabulary = load_fields()
    assert [f.name for f in vocabulary.asked(["要啥"])] == ["材料"]
    assert [f.name for f in vocabulary.asked(["要啥", "条件"])] == ["条件"]
    assert vocabulary.field_of("要啥条件").name == "条件" and not vocabulary.is_generic("要啥条件")
    assert [f.name for f in vocabulary.asked(["带啥", "多少钱"])] == ["材料", "费用"]


def test_a_noun_names_its_field_only_in_a_span_without_another_fields_word() -> None:
    vocabulary = load_fields()
    assert vocabulary.field_of("大厅窗口周日上不上班").name == "办理时间"
    assert vocabulary.field_of("窗口电话").name == "电话"
    assert vocabulary.field_of("是哪个窗口").name == "地点"
    # Across entities both are asked: the place of a window and the materials.
    assert [f.name for f in vocabulary.asked(["哪个窗口", "材料"])] == ["地点", "材料"]


def test_spans_prefer_the_longest_word() -> None:
    vocabulary = load_fields()
    text = "周六在哪里办，要带啥"
    assert [(text[s:e], f.name) for s, e, f in vocabulary.spans(text)] == [
        ("周六", "办理时间"), ("在哪里", "地点"), ("带啥", "材料")]


@pytest.mark.parametrize(("raw", "problem"), [
    ({"fields": []}, "non-empty list `fields`"),
    ({"fields": [{"name": "材料", "guide": "weather", "words": ["带啥"]}]}, "guide must be one of"),
    ({"fields": [{"name": "材料", "guide": "materials", "words": []}]}, "words must be a non-empty list"),
    ({"fields": [{"name": "材料", "guide": "materials", "words": ["带啥"]},
                 {"name": "费用", "guide": "fee", "words": ["带啥"]}]}, "also a word of 材料"),
    ({"fields": [{"name": "材料", "guide": "materials", "words": ["一二三四五六七八九"]}]}, "longer than 8"),
    ({"fields": [{"name": "材料", "guide": "materials", "words": ["带啥"], "generic": "要啥"}]},
     "generic must be a list"),
    ({"fields": [{"name": "材料", "guide": "materials", "words": ["带啥"], "generic": ["要啥"]},
                 {"name": "费用", "guide": "fee", "words": ["要啥"]}]}, "also a word of 材料"),
    ({"fields": [{"name": "地点", "guide": "place", "words": ["在哪"], "nouns": ["窗口"]}]},
     "nouns must be a list of the field's own words"),
])
def test_a_broken_vocabulary_is_refused_with_the_reason(raw: dict, problem: str) -> None:
    with pytest.raises(FieldsInvalid, match=problem):
        parse_fields(raw)


def test_the_lookup_table_and_synonyms_map_words_to_field_names(services: list[Service]) -> None:
    vocabulary = load_fields()
    data = yaml.safe_load(rasa_lookup_yaml(services, vocabulary))
    blocks = {(b.get("lookup") and ("lookup", b["lookup"])) or ("synonym", b["synonym"]): b for b in data["nlu"]
              if "intent" not in b}  # the services' situations are ask_service examples
    words = {line[2:] for line in blocks[("lookup", "field")]["examples"].splitlines()}
    assert {"多少钱", "礼拜天", "材料", "网上办"} <= words
    fee = [line[2:] for line in blocks[("synonym", "费用")]["examples"].splitlines()]
    assert "多少钱" in fee and "费用" not in fee
    assert {"多少钱", "礼拜天"} <= dictionary_terms(services, vocabulary)


def service(services: list[Service], name: str) -> Service:
    return next(s for s in services if s.name == name)


def test_a_field_answer_names_the_service_on_its_first_line(services: list[Service]) -> None:
    text = answer_fields(service(services, "临时救助"), ("fee", "time_limit"))
    first, second, *rest = text.splitlines()
    assert first.startswith("【临时救助】收费：") and second.startswith("【临时救助】办理时限：")
    # Every value shown is a sample: one notice naming 12345 after them, no mark on each line.
    assert SAMPLE_MARK not in text and rest == [ALL_SAMPLE_NOTE] and text.count("12345") == 1
    # Official and sample values together: the sample line is marked, the note comes once.
    mixed = dataclasses.replace(service(services, "临时救助"), sample_fields=frozenset({"fee"}))
    first, second, *rest = answer_fields(mixed, ("fee", "time_limit")).splitlines()
    assert first.endswith(SAMPLE_MARK) and not second.endswith(SAMPLE_MARK) and rest == [SAMPLE_NOTE]


def test_an_empty_field_is_said_to_be_missing_not_guessed(services: list[Service]) -> None:
    bare = dataclasses.replace(service(services, "临时救助"), legal_basis="", visits=None,
                               sample_fields=frozenset())
    line, sample = field_line(bare, "legal_basis")
    assert "没有写明" in line and "12345" in line and not sample
    assert "没有写明" in field_line(bare, "visits")[0]
    assert SAMPLE_NOTE not in answer_fields(bare, ("legal_basis",))


def test_online_is_answered_from_the_channels_when_no_entry_is_given(services: list[Service]) -> None:
    offline = dataclasses.replace(service(services, "临时救助"), online="", channels=("一窗办", "就近办"))
    assert "目录未列出网上办理渠道" in field_line(offline, "online")[0]
    online = dataclasses.replace(offline, channels=("一窗办", "全程网办"))
    assert "可以网上办" in field_line(online, "online")[0]


def test_working_days_alone_ask_the_hours_and_how_many_of_them_the_time_limit() -> None:
    vocabulary = load_fields()
    assert vocabulary.field_of("只能工作日去吗").name == "办理时间"
    assert vocabulary.field_of("要多少个工作日").name == "时限"
