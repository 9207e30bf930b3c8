"""A leading greeting is taken off before classification when a question of its own follows."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.greeting import LeadingGreetingRemover, without_leading_greeting


@pytest.mark.parametrize(("text", "expected"), [
    ("你好，想问一下今年老旧小区改造面积总共多大", "想问一下今年老旧小区改造面积总共多大"),
    ("您好！请问临时救助在哪申请", "请问临时救助在哪申请"),
    ("hi，市中区的区级重点项目总共多少个？", "市中区的区级重点项目总共多少个？"),
    ("你好呀 在吗？经纬人才计划讲的是啥", "经纬人才计划讲的是啥"),
    ("你好请问一窗办是什么", "请问一窗办是什么"),
    # Emoji around the greeting, as phones insert them.
    ("🙋‍♀️您好，社保卡不见了要去哪补", "社保卡不见了要去哪补"),
    ("你好😊请问低保要怎么去申请", "请问低保要怎么去申请"),
    # Openers that check someone is there, as on a phone call.
    ("喂喂喂，听得到吗？我想办个居住证", "我想办个居住证"),
    ("有人吗 失业登记去哪办", "失业登记去哪办"),
    ("在么在么，高龄津贴咋领", "高龄津贴咋领"),
])
def test_greeting_before_a_question_is_taken_off(text: str, expected: str) -> None:
    assert without_leading_greeting(text) == expected


@pytest.mark.parametrize("text", [
    "你好", "你好，在吗", "您好！", "嗨", "hello",
    "你好，你是谁",  # too short a rest to stand alone: the classifier sees it whole
    "hello翻译成中文是什么意思",  # not a greeting
    "😀😀你好",  # a greeting alone
    "一窗办是什么，你好",  # only at the start
    "喂养宠物狗要办证吗",  # 喂 that begins a word
    "有人在吗", "喂，能听见吗",  # openers alone
])
def test_other_messages_stay_whole(text: str) -> None:
    assert without_leading_greeting(text) == text


def test_component_rewrites_messages_and_training_examples() -> None:
    [message] = LeadingGreetingRemover({}).process([Message(data={TEXT: "你好，经纬人才计划讲的是啥"})])
    assert message.get(TEXT) == "经纬人才计划讲的是啥"
    plain = Message(data={TEXT: "你好，临时救助如何申请", "intent": "ask_service"})
    annotated = Message(data={TEXT: "你好，临时救助如何申请", "intent": "ask_service",
                              ENTITIES: [{"start": 3, "end": 7, "value": "临时救助", "entity": "service"}]})
    data = LeadingGreetingRemover({}).process_training_data(TrainingData([plain, annotated]))
    # An annotated example is rewritten too, its entity moved with the text.
    assert [m.get(TEXT) for m in data.training_examples] == ["临时救助如何申请", "临时救助如何申请"]
    assert data.training_examples[1].get(ENTITIES) == [
        {"start": 0, "end": 4, "value": "临时救助", "entity": "service"}]
