"""The knowledge files follow their rules, and the generated Rasa data is up to date."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from bot import paths
from bot.knowledge.model import SOURCE_LINE, KnowledgeError, load
from bot.knowledge.rasa_data import knowledge_yaml


@pytest.fixture(scope="module")
def knowledge():
    return load()


def test_every_area_of_the_article_is_covered(knowledge) -> None:
    assert {"overview", "industry", "investment", "talent", "platform", "environment", "business",
            "livelihood"} <= set(knowledge.area_titles)
    assert len(knowledge.topics) >= 80


@pytest.mark.parametrize("figure", ["13个", "105万平方米", "17所", "3605公顷", "1340公顷", "127个",
                                    "305亿元", "12处口袋公园", "12100", "经纬人才", "陡沟学校"])
def test_article_figures_are_answered(knowledge, figure: str) -> None:
    assert any(figure in topic.answer for topic in knowledge.topics.values()), figure


def test_every_reply_names_its_source(knowledge) -> None:
    assert all(topic.reply.endswith(SOURCE_LINE) for topic in knowledge.topics.values())


def test_generated_files_are_current(knowledge) -> None:
    from bot.catalogue.annotate import project_annotator

    expected = knowledge_yaml(knowledge, project_annotator().annotate)
    assert paths.GENERATED_KNOWLEDGE.read_text(encoding="utf-8") == expected
    generated = yaml.safe_load(paths.GENERATED_KNOWLEDGE.read_text(encoding="utf-8"))
    assert len(generated["responses"]) == len(knowledge.topics)
    assert len(generated["nlu"]) == len(knowledge.topics)


def _write_area(folder, body: str) -> None:
    (folder / "talent.yml").write_text(textwrap.dedent(body), encoding="utf-8")


def test_invented_figure_is_rejected(tmp_path) -> None:
    _write_area(tmp_path, """\
        area: talent
        title: 人才政策
        topics:
          talent_bonus:
            title: 人才奖励
            answer: 每位人才奖励50万元。
            passage: 深入推进“品质市中·经纬人才”计划
            examples: [人才奖励多少, 给多少钱, 奖励有多少, 人才能拿多少钱, 奖金多少]
        """)
    with pytest.raises(KnowledgeError, match="figure '50'"):
        load(tmp_path)


def test_reworded_passage_is_rejected(tmp_path) -> None:
    _write_area(tmp_path, """\
        area: talent
        title: 人才政策
        topics:
          talent_plan:
            title: 经纬人才
            answer: 市中区推进经纬人才计划。
            passage: 市中区大力推进经纬人才计划
            examples: [经纬人才是啥, 经纬人才计划, 人才计划叫什么, 有什么人才计划, 经纬人才计划内容]
        """)
    with pytest.raises(KnowledgeError, match="not a verbatim part"):
        load(tmp_path)


def test_a_passage_of_excerpts_is_checked_excerpt_by_excerpt(tmp_path) -> None:
    body = """\
        area: talent
        title: 人才政策
        topics:
          talent_plan:
            title: 经纬人才
            answer: 市中区推进经纬人才计划。
            passage:
              - {first}
              - 深入推进“品质市中·经纬人才”计划
            examples: [经纬人才是啥, 经纬人才计划, 人才计划叫什么, 有什么人才计划, 经纬人才计划内容]
        """
    _write_area(tmp_path, body.format(first="坚定不移实施“人才强区”战略"))
    assert load(tmp_path).topics["talent_plan"].passage.count("……") == 1
    _write_area(tmp_path, body.format(first="坚定不移地实施人才强区战略"))
    with pytest.raises(KnowledgeError, match="not a verbatim part"):
        load(tmp_path)
