"""No evaluation text stands, whole or inside a longer string, in the data, the domain, the
config, the sources, the actions, the production code or the tests (tools/eval_leaks.py): an
evaluation measures only while nothing was built from it. The sealed sets are read, never
printed (a leak of theirs is named by id)."""

from __future__ import annotations

from pathlib import Path

from tools.eval_leaks import EvalText, describe, eval_texts, key, leaks, written_length


def test_no_evaluation_text_stands_in_data_or_code() -> None:
    found = leaks()
    assert not found, "evaluation texts in data or code (reword them):\n" + "\n".join(map(describe, found))


def test_the_check_reads_every_evaluation_set() -> None:
    sources = {t.source for t in eval_texts()}
    assert {"dev_questions.yml", "dev_conversations.yml", "holdout_questions.yml"} <= sources


def test_a_leak_is_found_as_an_example_a_literal_or_a_response(tmp_path: Path) -> None:
    texts = [EvalText("dev_questions.yml", "x1", "附近哪里能修自行车"),
             EvalText("sealed_x.yml", "s1", "区里有几处公园呢")]
    nlu = tmp_path / "nlu.yml"
    nlu.write_text("nlu:\n- intent: out_of_scope\n  examples: |\n    - [附近](field)哪里能修自行车？\n",
                   encoding="utf-8")
    code = tmp_path / "code.py"
    code.write_text('QUESTION = "区里有几处公园呢"\nOTHER = "区里有几处公园呢，都在哪"\n', encoding="utf-8")
    found = leaks(texts, [nlu, code])
    assert sorted((leak.text.id, leak.path.name) for leak in found) == [("s1", "code.py"), ("x1", "nlu.yml")]
    # A sealed text is named by its id only.
    sealed = next(leak for leak in found if leak.text.id == "s1")
    assert "公园" not in describe(sealed).split("code.py")[1]


def test_a_text_inside_a_longer_string_or_a_comment_is_found(tmp_path: Path) -> None:
    texts = [EvalText("dev_questions.yml", "x2", "社区食堂几点开门"),
             EvalText("holdout_questions.yml", "h9", "公交卡怎么充值")]
    code = tmp_path / "code.py"
    code.write_text('REPLY = "您好！请问社区食堂几点开门？谢谢"\n# as 公交卡，怎么充值 asked it\n', encoding="utf-8")
    found = leaks(texts, [code])
    assert sorted((leak.text.id, leak.line) for leak in found) == [("h9", 2), ("x2", 1)]


def test_two_lines_joined_do_not_make_a_text(tmp_path: Path) -> None:
    texts = [EvalText("dev_questions.yml", "x3", "社区食堂几点开门")]
    nlu = tmp_path / "nlu.yml"
    nlu.write_text("nlu:\n- intent: ask\n  examples: |\n    - 社区食堂\n    - 几点开门\n", encoding="utf-8")
    assert leaks(texts, [nlu]) == []


def test_texts_are_compared_without_punctuation_and_short_ones_are_left_alone() -> None:
    assert key("你好，在吗？") == key("你好在吗")
    assert all(written_length(t.text) >= 6 for t in eval_texts())
    assert written_length("办证？？？？？？") == 3


def test_six_written_characters_count_and_a_short_key_only_as_a_whole_string(tmp_path: Path) -> None:
    """好的，谢谢您 is six characters as written, five compared: as a whole example it is a leak;
    inside a longer string it is everyday words."""
    texts = eval_texts_of(tmp_path, ["好的，谢谢您", "多谢多谢！！！！"])
    assert [t.text for t in texts] == ["好的，谢谢您"]
    nlu = tmp_path / "nlu.yml"
    nlu.write_text("nlu:\n- intent: thank\n  examples: |\n    - 好的谢谢您\n    - 好的，谢谢您帮我查\n",
                   encoding="utf-8")
    assert [leak.text.text for leak in leaks(texts, [nlu])] == ["好的，谢谢您"]


def eval_texts_of(folder: Path, asked: list[str]) -> list[EvalText]:
    questions = folder / "holdout_y.yml"
    questions.write_text("questions:\n" + "".join(f'- {{id: q{n}, ask: "{text}"}}\n' for n, text in enumerate(asked)),
                         encoding="utf-8")
    return eval_texts([questions])


def test_a_bare_service_name_is_public_not_an_evaluation_text() -> None:
    """Writers are given the catalogue's names; a turn that is only a name may stand in the catalogue."""
    from tools.eval_leaks import public_names

    names = public_names()
    assert key("人才住房补贴申领") in names
    texts = [key(t.text) for t in eval_texts()]
    assert not any(text in name for name in names for text in texts)


def test_a_part_of_a_service_name_is_public_too_and_a_question_around_one_is_not(tmp_path: Path) -> None:
    """A name shortened by a word stands wherever the whole name does (the catalogue, its examples,
    the tests), so it cannot be a leak of ours; a question that holds a name is still a text."""
    questions = tmp_path / "holdout_x.yml"
    questions.write_text('questions:\n- {id: q1, ask: "人才住房补贴"}\n- {id: q2, ask: "人才住房补贴申领"}\n'
                         '- {id: q3, ask: "人才住房补贴如何申领"}\n', encoding="utf-8")
    assert [t.id for t in eval_texts([questions])] == ["q3"]
