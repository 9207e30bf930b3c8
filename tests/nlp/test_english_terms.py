"""English domain phrases inside a Chinese question become the article's Chinese terms."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.english_terms import EnglishTermsToChinese, to_chinese_terms


@pytest.mark.parametrize(("text", "expected"), [
    ("区里有没有digital economy方面的产业园呀", "区里有没有数字经济方面的产业园呀"),
    ("Digital-Economy 产业园叫啥", "数字经济产业园叫啥"),
    ("市中区的fintech发展啥", "市中区的科技金融发展啥"),
    ("green finance是重点吗", "绿色金融是重点吗"),  # the longer phrase, not "finance" alone
    ("有没有talent apartment", "有没有人才公寓"),
    ("请问talent-apartment如何申请", "请问人才公寓如何申请"),  # the hyphen between the two goes too
    ("start up补贴有吗", "创业补贴有吗"),  # "start-up" written with a space
    ("start_up补贴有吗", "创业补贴有吗"),
    ("subsidies怎么申请", "补贴怎么申请"),
    ("old communities改造多大面积", "老旧小区改造多大面积"),
    # The words of a how-to, so that the router reads it as one.
    ("How to apply for 居住证", "怎么申请居住证"),
    ("请问how can i办理失业登记呢", "请问怎么办理失业登记呢"),
    ("开饭店想借点loans，区里能帮吗", "开饭店想借点贷款，区里能帮吗"),
    ("结婚登记how long能办完", "结婚登记多久能办完"),
])
def test_english_phrases_in_a_chinese_question_are_rewritten(text: str, expected: str) -> None:
    assert to_chinese_terms(text) == expected


@pytest.mark.parametrize("text", [
    "thanks", "digital economy", "qazwsxedc",  # all English: chitchat and out of scope stay
    "jobless咋办",  # a word that only begins like "job"
    "你是AI吗",  # not a domain phrase
    "你好 请问",  # nothing rewritten, the space stays
])
def test_other_messages_stay_as_written(text: str) -> None:
    assert to_chinese_terms(text) == text


def test_component_rewrites_messages_and_moves_annotated_entities() -> None:
    component = EnglishTermsToChinese({})
    [message] = component.process([Message(data={TEXT: "big data产业园在哪"})])
    assert message.get(TEXT) == "大数据产业园在哪"
    annotated = Message(data={TEXT: "talent落户要啥材料", "intent": "ask_service",
                              ENTITIES: [{"start": 6, "end": 8, "value": "落户", "entity": "service"}]})
    [moved] = component.process_training_data(TrainingData([annotated])).training_examples
    assert moved.get(TEXT) == "人才落户要啥材料"
    assert moved.get(ENTITIES) == [{"start": 2, "end": 4, "value": "落户", "entity": "service"}]
