"""Editors' changes of the sources: exact diffs, the command line's validators, all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import paths
from bot.catalogue.files import load_catalogue
from bot.editing import changes
from bot.editing.tree import ChangeRefused, SourceTree, write_all
from bot.knowledge.model import load
from tests.editing.conftest import snapshot

QUESTION = "开店的老板区里去不去走访"


def cli_validates(sources: Path) -> None:
    """`python -m bot.catalogue --dir … validate` and the knowledge loader the knowledge CLI runs."""
    result = subprocess.run([sys.executable, "-m", "bot.catalogue", "--dir", str(sources / "catalogue"), "validate"],
                            cwd=paths.PROJECT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    load(sources / "knowledge")


def test_a_question_becomes_one_new_line_of_its_topic(tree: SourceTree, sources: Path) -> None:
    change = changes.topic_examples(tree, "business_visit_private", [f"  {QUESTION} "])
    [diff] = tree.diff(change)
    assert diff.path == "knowledge/business.yml" and (diff.added, diff.removed) == (1, 0)
    assert f"+      - {QUESTION}" in diff.lines
    assert tree.check(change) == []
    tree.save(change, tree.base(list(change.files)))
    assert QUESTION in load(sources / "knowledge").topics["business_visit_private"].examples
    cli_validates(sources)


def test_a_question_of_another_topic_is_refused_by_the_validator(tree: SourceTree) -> None:
    taken = load(tree.knowledge_dir).topics["talent_plan"].examples[0]
    change = changes.topic_examples(tree, "business_visit_private", [taken])
    problems = tree.check(change)
    assert any(f"问法“{taken}”已属于话题" in p and "talent_plan" in p and "business_visit_private" in p
               for p in problems), problems


def eval_question(tree: SourceTree) -> str:
    """A question of the public dev set that no topic has, read at run time (never written into tests)."""
    raw = yaml.safe_load((paths.PROJECT.parent / "shared" / "eval" / "dev_questions.yml").read_text(encoding="utf-8"))
    known = {example for topic in load(tree.knowledge_dir).topics.values() for example in topic.examples}
    return next(q["ask"] for q in raw["questions"] if q["ask"] not in known)


def test_an_evaluation_question_is_never_saved_in_any_script_or_width(tree: SourceTree, sources: Path) -> None:
    import opencc

    before = snapshot(sources)
    asked = eval_question(tree)
    for variant in (asked, opencc.OpenCC("s2t").convert(asked) + "？", " ".join(asked)):
        change = changes.topic_examples(tree, "business_visit_private", [variant])
        assert any("评测题" in p for p in tree.check(change))
        with pytest.raises(ChangeRefused, match="评测题"):
            tree.save(change, tree.base(list(change.files)))
    assert snapshot(sources) == before


def test_a_service_gets_questions_and_an_alias_in_its_own_lines_only(tree: SourceTree, sources: Path) -> None:
    change = changes.service_examples(tree, "SZ-TAL-01", ["户口想迁到市中咋弄"], alias="迁户口")
    [diff] = tree.diff(change)
    # The alias joins the service's aliases line (written on one line, however many it spanned) and
    # the question is one new line: nothing else of the file changes.
    removed = [line for line in diff.lines[3:] if line.startswith("-")]
    assert diff.path == "catalogue/talent.yml" and diff.added == 2
    assert removed and removed[0].startswith("-    aliases: [") and removed[-1].rstrip().endswith("]")
    tree.save(change, tree.base(list(change.files)))
    service = next(s for s in load_catalogue(sources / "catalogue").services if s.code == "SZ-TAL-01")
    assert service.examples == ("户口想迁到市中咋弄",) and service.aliases[-1] == "迁户口"
    cli_validates(sources)


def test_a_service_form_with_bad_values_says_why_in_chinese_and_writes_nothing(tree: SourceTree,
                                                                                 sources: Path) -> None:
    service = next(s for s in load_catalogue(sources / "catalogue").services if s.code == "SZ-TAL-01")
    raw = {**service.to_dict(), "phone": "电话号码", "promised_days": 99, "legal_days": 20}
    before = snapshot(sources)
    with pytest.raises(ChangeRefused) as refused:
        changes.service_update(tree, "SZ-TAL-01", raw)
    assert any(p.startswith("咨询电话：只能包含数字") for p in refused.value.problems), refused.value.problems
    assert any("承诺时限不能长于法定时限" in p for p in refused.value.problems)
    assert snapshot(sources) == before


def test_an_alias_that_names_another_service_is_caught_by_the_catalogue_validator(tree: SourceTree) -> None:
    services = load_catalogue(tree.catalogue_dir).services
    other = next(s for s in services if s.code != "SZ-TAL-01")
    change = changes.service_examples(tree, "SZ-TAL-01", ["随便问问"], alias=other.name)
    assert any(f"已是 {other.code}" in p for p in tree.check(change))


def test_a_change_made_before_someone_else_saved_is_refused(tree: SourceTree, sources: Path) -> None:
    first = changes.topic_examples(tree, "business_visit_private", [QUESTION])
    second = changes.topic_examples(tree, "business_visit_private", ["区里干部会不会上门看看小店"])
    base = tree.base(list(second.files))
    tree.save(first, tree.base(list(first.files)))
    with pytest.raises(ChangeRefused, match="已被修改"):
        tree.save(second, base)


def test_several_files_are_written_all_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text("a: 1\n", encoding="utf-8")
    second.write_text("b: 1\n", encoding="utf-8")
    replace = os.replace

    def failing(source, target):
        if Path(target) == second:
            raise OSError("disk full")
        replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        write_all({first: "a: 2\n", second: "b: 2\n"})
    assert (first.read_text(), second.read_text()) == ("a: 1\n", "b: 1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yml", "b.yml"]


def test_a_new_service_is_appended_to_a_file_in_its_style(tree: SourceTree, sources: Path) -> None:
    raw = {"code": "SZ-NEW-01", "name": "夜市摊位登记", "aliases": ["摆摊登记"], "examples": ["晚上摆摊要登记吗"],
           "audience": ["个人"], "topic": "市场监管", "department": "市中区市场监督管理局", "channels": ["一窗办"],
           "source": "示例数据", "updated": "2026-11-30", "sample_fields": "all", "phone": "12345"}
    change = changes.service_new(tree, "urban.yml", raw)
    assert tree.check(change) == []
    [diff] = tree.diff(change)
    assert diff.removed == 0 and "+  - code: SZ-NEW-01" in diff.lines
    tree.save(change, tree.base(list(change.files)))
    assert load_catalogue(sources / "catalogue").origin["SZ-NEW-01"] == "urban.yml"
    cli_validates(sources)


def test_the_judges_sealed_files_are_never_read() -> None:
    from bot.editing.eval_texts import FOLDERS, question_files

    listed = [path.name for folder in FOLDERS if folder.is_dir() for path in folder.glob("*.yml")]
    assert any(name.startswith("sealed") for name in listed)  # they are there (listed by name only)
    read = question_files()
    assert read and not any(path.name.startswith("sealed") for path in read)
