"""`make eval`'s grading (tools/eval.py): the rules of ../shared/eval/README.md, per question file."""

from __future__ import annotations

import pytest

from tools.eval import HOLDOUT_QUESTIONS, Question, load_questions, missing, passed_share, reply_text, report


def test_a_must_entry_is_met_by_any_alternative_in_texts_or_button_titles() -> None:
    question = Question("x1", "seed", "南部科创新城规划了哪些产业组团", ("电力物联网|绿色智造", "来源"))
    text = reply_text([{"text": "来源：市中区"}, {"buttons": [{"title": "绿色智造", "payload": "/x"}]}])
    assert missing(question, text) == []
    assert missing(question, "电力") == ["电力物联网|绿色智造", "来源"]


def test_the_report_counts_by_kind_and_the_share_decides() -> None:
    a = Question("a", "seed", "q", ("17",))
    b = Question("b", "oos", "q", ("12345",))
    results = [(a, "17所", []), (b, "不知道", ["12345"])]
    text = report(results, "holdout_questions.yml")
    assert "MISS b [oos]" in text
    assert text.endswith("holdout_questions.yml: 1 passed, 1 failed (oos 0/1, seed 1/1)")
    assert passed_share(results) == 0.5


@pytest.mark.parametrize("path", HOLDOUT_QUESTIONS, ids=lambda p: p.name)
def test_the_holdout_sets_load_with_every_kind(path) -> None:
    questions = load_questions(path)
    assert len(questions) >= 150 and len({q.id for q in questions}) == len(questions)
    assert {q.kind for q in questions} == {"seed", "svc", "oos", "rob"}
    assert all(q.must and q.ask for q in questions)
