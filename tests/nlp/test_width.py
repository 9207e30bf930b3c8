"""Full-width letters and digits are read as plain ones, in training and prediction alike."""

from __future__ import annotations

import unicodedata

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.width import FullWidthToHalfWidth, half_width


def test_letters_and_digits_fold_as_nfkc_folds_them() -> None:
    for text in ("ｈｅｌｌｏ", "下载ＡＰＰ", "电话１２３４５", "Ｗｉｆｉ"):
        assert half_width(text) == unicodedata.normalize("NFKC", text)


def test_chinese_punctuation_and_length_stay() -> None:
    text = "爱山东ａｐｐ能办吗？能，２４小时！"
    assert half_width(text) == "爱山东app能办吗？能，24小时！"
    assert len(half_width(text)) == len(text)


def test_messages_and_training_examples_alike() -> None:
    component = FullWidthToHalfWidth(FullWidthToHalfWidth.get_default_config())
    [message] = component.process([Message(data={TEXT: "ｏｋ谢谢"})])
    assert message.get(TEXT) == "ok谢谢"
    data = component.process_training_data(TrainingData([Message(data={TEXT: "用ＱＱ能联系吗"})]))
    assert data.training_examples[0].get(TEXT) == "用QQ能联系吗"
