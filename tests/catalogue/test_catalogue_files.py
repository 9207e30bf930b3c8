"""The catalogue files: the real data's coverage, and problems located as file:line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot import paths
from bot.catalogue.files import CatalogueInvalid, load_catalogue, load_services
from bot.catalogue.schema import (
    ARTICLE_SOURCE,
    CHANNELS,
    HOTLINE,
    SAMPLE_SOURCE,
    Service,
)

GOOD = """\
defaults:
  audience: [个人]
  topic: 测试
  department: 市中区某局
  phone: "12345"
  source: 示例数据
  updated: 2024-05-01
  sample_fields: all
services:
  - code: T-01
    name: 甲事项
    channels: [一窗办]
  - code: T-02
    name: 乙事项
    channels: [就近办]
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in load_catalogue(folder, article_path=None).problems]


def test_the_real_catalogue_is_valid_and_large_enough(services: list[Service]) -> None:
    assert len(services) >= 45
    topics = Counter(s.topic for s in services)
    assert len(topics) >= 9
    channels = Counter(c for s in services for c in s.channels)
    assert set(channels) == set(CHANNELS)
    assert all(channels[c] >= 8 for c in ("一证通办", "网上办", "全程网办", "就近办")), channels


# What the article promises residents, in its own words: each must be a catalogue service's name
# or one of its aliases, so that a resident asking about it in the article's words finds it.
ARTICLE_PROMISES = (
    "落户", "住房", "就医", "子女入学", "人才公寓", "临时救助", "零就业家庭", "军转干部",
    "退役士兵", "养老服务", "老旧小区", "违建", "幼儿园", "图书馆", "双招双引",
)


@pytest.fixture(scope="module")
def article() -> str:
    return paths.SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("promise", ARTICLE_PROMISES)
def test_every_service_the_article_promises_is_there(
        services: list[Service], article: str, promise: str) -> None:
    assert promise in article
    assert [s.code for s in services if any(promise in name for name in s.names())], promise


def test_no_official_fact_is_invented(services: list[Service]) -> None:
    for service in services:
        assert service.source.startswith((ARTICLE_SOURCE, SAMPLE_SOURCE)), service.code
        assert service.sample, service.code
        if service.phone:
            assert service.phone == HOTLINE, service.code
        assert service.updated.year >= 2020


def test_defaults_apply_and_the_entry_wins(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD.replace("    channels: [就近办]", "    channels: [就近办]\n"
                                          "    topic: 另一主题"))
    services = load_services(tmp_path)
    assert [s.topic for s in services] == ["测试", "另一主题"]
    assert all(s.department == "市中区某局" for s in services)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD.replace("    name: 乙事项", "    name: [乙事项"))
    (problem,) = problems_of(tmp_path)
    file, line, reason = problem.split(":", 2)
    assert file == "a.yml" and int(line) >= 14 and reason.startswith(" broken YAML")


def test_broken_yaml_points_near_the_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD + "  - code: T-03\n    name: \"丙\n")
    (problem,) = problems_of(tmp_path)
    line = int(problem.split(":")[1])
    assert "broken YAML" in problem and line >= 16


def test_missing_and_wrong_fields_name_their_lines(tmp_path: Path) -> None:
    text = GOOD.replace("    name: 乙事项\n", "    name: \"\"\n").replace(
        "    channels: [一窗办]", "    channels: [窗口办]")
    write(tmp_path, "b.yml", text)
    assert problems_of(tmp_path) == [
        "b.yml:12: channels: '窗口办' is not one of 一窗办、网上办、就近办、一证通办、全程网办",
        "b.yml:14: name: is required and empty",
    ]


def test_a_missing_key_points_at_the_entry(tmp_path: Path) -> None:
    write(tmp_path, "c.yml", GOOD.replace("    channels: [就近办]\n", ""))
    assert problems_of(tmp_path) == ["c.yml:13: channels: is required and empty"]


def test_duplicates_across_files_point_at_the_second(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD)
    write(tmp_path, "b.yml", GOOD.replace("name: 乙事项", "name: 丁事项"))
    assert problems_of(tmp_path) == [
        "b.yml:10: code: 'T-01' is used twice",
        "b.yml:11: name: '甲事项' already names T-01 甲事项",
        "b.yml:13: code: 'T-02' is used twice",
    ]


def test_a_key_given_twice_and_unknown_keys(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD.replace("    name: 甲事项\n", "    name: 甲事项\n    name: 甲\n")
          + "extra: 1\n")
    problems = problems_of(tmp_path)
    assert "a.yml:12: a service: key 'name' is given twice" in problems
    assert "a.yml:17: unknown top-level key 'extra'" in problems


@pytest.mark.parametrize(("text", "words"), [
    ("", "file is empty"),
    ("- a\n- b\n", "the file must be a mapping"),
    ("services: 3\n", "needs `services:`"),
    ("services:\n  - just text\n", "a service must be a mapping"),
])
def test_wrong_shapes(tmp_path: Path, text: str, words: str) -> None:
    write(tmp_path, "a.yml", text)
    (problem,) = problems_of(tmp_path)
    assert words in problem


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    tmp_path.joinpath("gbk.yml").write_bytes(GOOD.encode("gbk"))
    (problem,) = problems_of(tmp_path)
    assert problem.startswith("gbk.yml:1: not UTF-8")


def test_an_article_source_must_quote_the_article(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD.replace("source: 示例数据",
                                          f"source: {ARTICLE_SOURCE}：市中区免费发放住房"))
    catalogue = load_catalogue(tmp_path)
    assert [str(p) for p in catalogue.problems] == [
        "a.yml:6: source: the quoted passage is not a verbatim part of the article"] * 2


def test_load_services_raises_with_every_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", GOOD.replace("name: 甲事项", "name: ''"))
    with pytest.raises(CatalogueInvalid) as error:
        load_services(tmp_path)
    assert "a.yml:11: name: is required and empty" in str(error.value)
