"""繁→简 runs as a Rasa graph component before tokenization."""

from __future__ import annotations

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.traditional import TraditionalToSimplified


def component() -> TraditionalToSimplified:
    return TraditionalToSimplified(TraditionalToSimplified.get_default_config())


def test_messages_are_simplified() -> None:
    messages = [Message(data={TEXT: "網上辦能辦哪些事"}), Message(data={TEXT: "經緯人才計劃講的是啥"})]
    component().process(messages)
    assert [m.get(TEXT) for m in messages] == ["网上办能办哪些事", "经纬人才计划讲的是啥"]


def test_simplified_text_is_unchanged() -> None:
    text = "市中区深化一窗办、网上办、就近办，推进“四集成”"
    [message] = component().process([Message(data={TEXT: text})])
    assert message.get(TEXT) == text


def test_training_data_is_simplified() -> None:
    data = TrainingData([Message(data={TEXT: "臨時救助在哪裡申請", "intent": "faq"})])
    component().process_training_data(data)
    assert data.training_examples[0].get(TEXT) == "临时救助在哪里申请"
