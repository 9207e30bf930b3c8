"""`make eval`'s grading (tools/eval.py): the rules of ../shared/eval/README.md, per question file."""

from __future__ import annotations

import pytest

from tools.eval import HOLDOUT_QUESTIONS, Question, load_questions, missing, passed_share, reply_text, report


def test_a_must_entry_is_met_by_any_alternative_in_texts_or_button_titles() -> None:
    question = Question("x1", "seed", "南部科创新城规划有哪些产业组团", ("电力物联网|绿色智造", "来源"))
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


def test_the_public_conversations_load_with_their_turns() -> None:
    from tools.eval import DEFAULT_CONVERSATIONS, load_conversations

    conversations = load_conversations(DEFAULT_CONVERSATIONS)
    assert len(conversations) >= 10 and all(c.turns for c in conversations)
    assert any(turn.where == "text" for c in conversations for turn in c.turns)


def test_a_text_only_turn_is_not_met_by_a_button_title() -> None:
    from tools.eval import missing_entries

    messages = [{"text": "您想办理的是下面哪一项？", "buttons": [{"title": "费用", "payload": "x"}]}]
    assert missing_entries(("费",), reply_text(messages)) == []
    assert missing_entries(("费",), reply_text(messages, with_buttons=False)) == ["费"]


def test_a_conversation_passes_only_when_every_turn_does() -> None:
    from tools.eval import Conversation, Turn, TurnResult, conversation_report, conversations_share

    one = Conversation("c1", (Turn("甲", ("a",)), Turn("乙", ("b",), "text")))
    two = Conversation("c2", (Turn("丙", ("c",)),))
    results = [(one, [TurnResult(one.turns[0], "a", ()), TurnResult(one.turns[1], "x", ("b",))]),
               (two, [TurnResult(two.turns[0], "c", ())])]
    text = conversation_report(results, "dev_conversations.yml")
    assert "MISS c1" in text and "乙" in text
    assert text.endswith("dev_conversations.yml: 1/2 conversations passed (2/3 turns)")
    assert conversations_share(results) == 0.5
    # A sealed set's misses are named by id, never by text.
    sealed = conversation_report(results, "sealed_conversations.yml", sealed=True)
    assert "乙" not in sealed and "MISS c1 (turns [2])" in sealed
