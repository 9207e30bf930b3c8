"""A leading acknowledgement is taken off before classification when a question of its own follows;
a yes, a thanks or a goodbye that is the whole message keeps it."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.acknowledgement import LeadingAcknowledgementRemover, without_leading_acknowledgement


@pytest.mark.parametrize(("text", "expected"), [
    ("好的，那办居住证需要多久", "那办居住证需要多久"),
    ("嗯嗯 那失业登记在哪儿办？", "那失业登记在哪儿办？"),
    ("行吧，高龄津贴有没有网上办的", "高龄津贴有没有网上办的"),
    ("哦哦，明白了。那孩子上学咋弄", "那孩子上学咋弄"),
    ("谢谢啦！再问下老年优待证怎么领", "再问下老年优待证怎么领"),
    ("OK, 那要交多少钱呢", "那要交多少钱呢"),
])
def test_acknowledgement_before_a_question_is_taken_off(text: str, expected: str) -> None:
    assert without_leading_acknowledgement(text) == expected


@pytest.mark.parametrize("text", [
    "好的", "好的，谢谢您啦", "好的，那就这样吧", "行，没问题",  # the acknowledgement is the message
    "嗯，第二个",  # too short a rest
    "好的，那我明天上午过去",  # no question follows
    "好办吗，这个证",  # 好 that begins a word
    "可以网上办吗",  # 可以 with no mark after it
    "明白了，谢谢",
    "“好的”用英语怎么说",  # a quoted word
])
def test_other_messages_stay_whole(text: str) -> None:
    assert without_leading_acknowledgement(text) == text


def test_component_rewrites_the_message() -> None:
    [message] = LeadingAcknowledgementRemover({}).process([Message(data={TEXT: "好吧，那怎么预约呢"})])
    assert message.get(TEXT) == "那怎么预约呢"
