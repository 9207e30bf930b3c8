"""Chinese and traditional-Chinese questions to a running assistant over REST (real HTTP)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.server

SOURCE = "来源：市中区2020年“聚焦提升年”工作部署"


@pytest.mark.parametrize(("question", "expected"), [
    ("经纬人才计划讲的是啥", ["经纬人才", SOURCE]),
    ("市中区给高层次人才哪些服务保障", ["落户", "住房", "就医", "子女入学", SOURCE]),
    ("引进的人才落户有啥政策", ["落户", "12345"]),
    ("人才住房这块有什么说法", ["住房"]),
    ("今年老旧小区改造多少个", ["13", "105万平方米"]),
    ("南部科创新城总用地多大", ["3605公顷"]),
])
def test_knowledge_answers_with_figures_and_source(assistant, question: str, expected: list[str]) -> None:
    reply = assistant.reply(question)
    for text in expected:
        assert text in reply, reply


@pytest.mark.parametrize(("question", "expected"), [
    ("經緯人才計劃講的是啥", "经纬人才"),
    ("市中區對高層次人才有哪些服務保障", "子女入学"),
    ("網上辦能辦哪些事", "网上办"),
    ("臨時救助在哪裡申請", "临时救助"),
])
def test_traditional_characters_are_understood(assistant, question: str, expected: str) -> None:
    assert expected in assistant.reply(question)


@pytest.mark.parametrize(("question", "expected"), [
    ("区里的digital economy产业园叫什么", "山东数字经济产业园"),
    ("old communities今年改造多少", "105万平方米"),
    ("市中区talent apartment怎么申请", "SZ-TAL-03"),  # the catalogue's service, by its name
])
def test_english_words_in_a_question_are_understood(assistant, question: str, expected: str) -> None:
    assert service_name(expected) in assistant.reply(question)


def service_name(code_or_text: str) -> str:
    """The catalogue's name of the service with this code; any other text as it is."""
    from bot.catalogue.files import load_services

    return next((service.name for service in load_services() if service.code == code_or_text), code_or_text)


def test_greeting_names_the_district_and_offers_buttons(assistant) -> None:
    [message] = assistant.ask("您好")
    assert "市中区" in message["text"]
    assert {b["title"] for b in message["buttons"]} >= {"人才政策"}


@pytest.mark.parametrize("question", ["附近哪有好吃的火锅店", "我家楼下路灯坏了", "qazwsxedc"])
def test_out_of_scope_and_gibberish_name_12345(assistant, question: str) -> None:
    assert "12345" in assistant.reply(question)


def test_service_answer_marks_samples_and_names_its_source(assistant) -> None:
    reply = assistant.reply("申请临时救助要准备什么材料")
    assert "临时救助" in reply and "申请材料" in reply
    assert "示例" in reply and "12345" in reply
    assert "来源：市中区政务服务事项目录" in reply and "更新于" in reply


def test_follow_up_applies_to_the_service_under_discussion(assistant) -> None:
    sender = "follow-up-test"
    assert "人才落户" in assistant.reply("人才落户在哪办", sender)
    follow_up = assistant.reply("要带什么材料", sender)
    assert "人才落户" in follow_up and "申请材料" in follow_up


def test_services_by_channel(assistant) -> None:
    reply = assistant.reply("哪些事情可以一证通办")
    assert "一证通办" in reply and "项" in reply


def test_more_on_a_topic_follows_its_related_topics(assistant) -> None:
    sender = "more-test"
    assert "南部科创新城" in assistant.reply("南部科创新城是什么", sender)
    more = assistant.reply("具体在哪？", sender)
    assert "大涧沟" in more and "3605公顷" in more, more
    assert "电力物联网" in assistant.reply("还有吗", sender)


def test_elliptical_question_stays_in_the_topic(assistant) -> None:
    sender = "ellipsis-test"
    assert "落户" in assistant.reply("人才落户有什么说法", sender)
    assert "住房" in assistant.reply("那住房呢？", sender)
