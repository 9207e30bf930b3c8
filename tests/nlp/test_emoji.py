"""Emoji beside words are taken off before classification; a message of emoji alone stays whole."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.emoji import EmojiRemover, without_emoji


@pytest.mark.parametrize(("text", "expected"), [
    ("多谢了🙏🙏", "多谢了"),
    ("👋 社保卡不见了要去哪补", "社保卡不见了要去哪补"),
    ("低保要怎么去申请🤔", "低保要怎么去申请"),
    ("👍🏻好评", "好评"),  # a skin tone joins its emoji
    ("❤️谢谢你们", "谢谢你们"),  # a variation selector too
    ("👨‍👩‍👧家庭能领啥补贴", "家庭能领啥补贴"),  # and a zero-width joiner
])
def test_emoji_beside_words_are_taken_off(text: str, expected: str) -> None:
    assert without_emoji(text) == expected


@pytest.mark.parametrize("text", ["👍", "😂😂😂", "❤️", "改造面积105万㎡是吗", "今天最高气温30℃"])
def test_emoji_alone_and_the_articles_units_stay(text: str) -> None:
    assert without_emoji(text) == text


def test_component_rewrites_messages_and_training_examples() -> None:
    [message] = EmojiRemover({}).process([Message(data={TEXT: "谢谢您😊"})])
    assert message.get(TEXT) == "谢谢您"
    plain = Message(data={TEXT: "临时救助如何申请😊", "intent": "ask_service"})
    annotated = Message(data={TEXT: "😊临时救助如何申请", "intent": "ask_service",
                              ENTITIES: [{"start": 1, "end": 5, "value": "临时救助", "entity": "service"}]})
    data = EmojiRemover({}).process_training_data(TrainingData([plain, annotated]))
    # An annotated example is rewritten too, its entity moved with the text.
    assert [m.get(TEXT) for m in data.training_examples] == ["临时救助如何申请", "临时救助如何申请"]
    assert data.training_examples[1].get(ENTITIES)[0]["start"] == 0
