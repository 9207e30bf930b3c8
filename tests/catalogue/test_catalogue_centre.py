"""The service-centre record (sources/service_centre.yml): the real one, broken ones, the answers.

The article gives no address, hours or phone for the centre, so the real record must be all
placeholders; the rules must catch an editor's invented fact at its line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot import paths
from bot.catalogue.centre import (
    ANSWER_FIELDS,
    FACT_FIELDS,
    FIELD_WORDS,
    SAMPLE_NOTICE,
    CentreInvalid,
    ServiceCentre,
    centre_answer,
    centre_reply,
    load_centre,
    read_centre,
)
from bot.catalogue.schema import ARTICLE_SOURCE

REAL = paths.SERVICE_CENTRE.read_text(encoding="utf-8")


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "service_centre.yml"
    path.write_text(text, encoding="utf-8")
    return [str(problem) for problem in read_centre(path).problems]


def line_of(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_the_real_record_is_valid_and_every_value_a_sample() -> None:
    centre = load_centre()
    assert centre.name == "市中区政务服务中心"
    assert centre.sample_fields == frozenset(FACT_FIELDS)
    assert centre.phone == "12345"
    for placeholder in (centre.address, centre.hours):
        assert "为准" in placeholder and not re.search(r"\d", placeholder)
    assert {"政务大厅", "政务服务中心"} <= set(centre.aliases)


def test_no_placeholder_pretends_to_be_in_the_article() -> None:
    article = paths.SEED_ARTICLE.read_text(encoding="utf-8")
    centre = load_centre()
    # The article names no centre, address or street centre: the record invents none of them.
    assert centre.name not in article
    assert not [value for value in (centre.name, centre.address, centre.hours, *centre.aliases) if "街道" in value]
    assert not centre.source.startswith(ARTICLE_SOURCE)


@pytest.mark.parametrize(("change", "key", "words"), [
    (("address: 以区政府官方公布的地址为准", "address: 市中区英雄山路1号"), "address:", "no number in it"),
    (("hours: 以中心窗口公布的办公时间为准", "hours: 周一至周五9:00-17:00"), "hours:", "placeholder"),
    (('phone: "12345"', 'phone: "0531-86000000"'), "phone:", "never an invented number"),
    (('phone: "12345"', "phone: 请致电"), "phone:", "must be digits"),
    (("handles: [人才服务,", "handles: [人才服务, 房产登记,"), "handles:", "not catalogue topics"),
    (("sample_fields: all", "sample_fields: [address, hours]"), "sample_fields:", "flag ['name', 'phone', 'handles']"),
    (("sample_fields: all", "sample_fields: [地址]"), "sample_fields:", "are not fact fields"),
    (("updated: 2026-12-04", "updated: 2999-01-01"), "updated:", "lies in the future"),
    (("updated: 2026-12-04", "updated: 昨天"), "updated:", "ISO date"),
    (("aliases: [区政务服务中心,", "aliases: [人才落户, 区政务服务中心,"), "aliases:", "already names SZ-TAL-01"),
    (("source: 示例数据", f"source: {ARTICLE_SOURCE}：政务服务中心位于市中区"), "source:", "not a verbatim part"),
    (("name: 市中区政务服务中心", "name: 市中区政务服务中心\nfloor: 3"), "floor:", "unknown field"),
])
def test_a_broken_rule_is_reported_at_its_line(tmp_path: Path, change: tuple[str, str], key: str,
                                               words: str) -> None:
    old, new = change
    assert "\n" + old in REAL  # a value's line, not the header's comments
    text = REAL.replace("\n" + old, "\n" + new, 1)
    found = problems(tmp_path, text)
    expected = f"service_centre.yml:{line_of(text, key)}: {key}"
    assert any(p.startswith(expected) and words in p for p in found), found


def test_an_empty_required_value_and_broken_files(tmp_path: Path) -> None:
    assert "service_centre.yml:14: address: is required and empty" in problems(
        tmp_path, REAL.replace("address: 以区政府官方公布的地址为准", "address: ''"))
    assert problems(tmp_path, "name: [unclosed\n")[0].startswith("service_centre.yml:2: broken YAML")
    assert problems(tmp_path, "- a list\n") == ["service_centre.yml:1: the record must be a mapping of keys to values"]
    assert [str(p) for p in read_centre(tmp_path / "none.yml").problems] == [
        "none.yml:1: the service-centre record is missing"]
    path = tmp_path / "service_centre.yml"
    path.write_text(REAL.replace('phone: "12345"', 'phone: "110"'), encoding="utf-8")
    with pytest.raises(CentreInvalid, match="never an invented number"):
        load_centre(path)


def test_an_editor_confirms_name_and_address_and_only_those_stop_being_samples(tmp_path: Path) -> None:
    # A made-up official record, for the rules only (never shipped): source no longer 示例数据.
    # The name counts too: an answer that names an unconfirmed centre still carries the notice.
    text = (REAL.replace("source: 示例数据", "source: 区政府网站公告（测试）")
                .replace("address: 以区政府官方公布的地址为准", "address: 测试路1号")
                .replace("\nsample_fields: all", "\nsample_fields: [hours, phone, handles]"))
    assert problems(tmp_path, text) == []
    path = tmp_path / "service_centre.yml"
    centre = load_centre(path)
    assert not centre.is_sample("address") and not centre.is_sample("name")
    assert centre_answer("地址", centre).splitlines() == [
        "市中区政务服务中心地址：测试路1号",
        "来源：市中区政务服务中心记录（区政府网站公告（测试）），更新于2026-12-04"]
    assert SAMPLE_NOTICE in centre_answer("时间", centre)


@pytest.mark.parametrize("word", [*FIELD_WORDS, *ANSWER_FIELDS, "all"])
def test_every_answer_puts_the_value_first_and_the_sample_notice_once(word: str) -> None:
    centre = load_centre()
    answer = centre_answer(word, centre)
    first, *rest = answer.splitlines()
    assert first.startswith(("市中区政务服务中心", "【市中区政务服务中心】"))
    assert answer.count("示例") == 1 and answer.count(SAMPLE_NOTICE) == 1
    assert "12345市民服务热线" in answer
    assert rest[-1] == f"来源：市中区政务服务中心记录（待编辑核实），更新于{centre.updated.isoformat()}"


def test_each_field_answers_with_its_own_value() -> None:
    centre = load_centre()
    assert centre_answer("地址").splitlines()[0] == f"市中区政务服务中心地址：{centre.address}"
    assert centre_answer("几点").splitlines()[0] == f"市中区政务服务中心办公时间：{centre.hours}"
    assert centre_answer("电话").splitlines()[0] == "市中区政务服务中心咨询电话：12345（市民服务热线）"
    assert centre_answer("能办什么").splitlines()[0].startswith("市中区政务服务中心可以办理：人才服务、")
    assert len(centre_answer("all").splitlines()) == 1 + len(ANSWER_FIELDS) + 2
    with pytest.raises(ValueError, match="unknown service-centre field"):
        centre_answer("邮编")


def test_a_record_built_in_code_answers_without_files() -> None:
    centre = ServiceCentre(name="某中心", address="以公告为准", hours="以公告为准", phone="12345",
                           handles=("人才服务",), source="示例数据", updated=dt.date(2026, 1, 1),
                           sample_fields=frozenset({"address"}))
    assert centre_answer("电话", centre) == (
        "某中心咨询电话：12345（市民服务热线）\n来源：某中心记录（待编辑核实），更新于2026-01-01")
    assert SAMPLE_NOTICE in centre_answer("地址", centre)


def test_several_fields_are_answered_in_the_order_asked() -> None:
    centre = load_centre()
    lines = centre_reply(("hours", "地址"), centre).splitlines()
    assert lines[:3] == [f"【{centre.name}】", f"办公时间：{centre.hours}", f"地址：{centre.address}"]
    assert lines[3] == SAMPLE_NOTICE and lines[4].startswith("来源：")
    assert centre_reply((), centre) == centre_answer("all", centre)
    assert centre_reply(("phone",), centre) == centre_answer("电话", centre)
