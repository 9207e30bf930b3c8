"""An annotated training example is rewritten like any message, its entities moved with the text
(bot/nlp/text_rewriter.py): the model learns the entity as it will see it when a resident types it."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.text_rewriter import MessageTextRewriter, moved_entities


def service(start: int, end: int, value: str) -> dict:
    return {"start": start, "end": end, "value": value, "entity": "service"}


def test_a_replacement_of_the_same_length_keeps_the_offsets_and_takes_the_new_value() -> None:
    assert moved_entities("老年优代证去哪领", "老年优待证去哪领", [service(0, 5, "老年优代证")]) == [
        service(0, 5, "老年优待证")]


def test_an_entity_after_a_shorter_rewriting_moves_left() -> None:
    assert moved_entities("lingshi jiuzhu要带啥", "临时救助要带啥", [
        {"start": 15, "end": 17, "value": "带啥", "entity": "field"}]) == [
        {"start": 5, "end": 7, "value": "带啥", "entity": "field"}]


def test_a_synonym_value_stays_what_it_was() -> None:
    assert moved_entities("嗨，办个执照", "办个执照", [service(4, 6, "营业执照")]) == [service(2, 4, "营业执照")]


def test_a_change_across_an_entity_edge_leaves_no_offsets() -> None:
    assert moved_entities("abc定", "甲定", [service(1, 4, "bc定")]) is None


class Shorter(MessageTextRewriter):
    """Writes a two-letter code as one character, the way pinyin becomes characters."""

    shifts_offsets = True

    def rewrite(self, text: str) -> str:
        return text.replace("ab", "甲")


def test_an_example_whose_entity_cannot_follow_is_left_as_written() -> None:
    inside = Message(data={TEXT: "xab要啥", ENTITIES: [service(0, 2, "xa")]})
    after = Message(data={TEXT: "ab要啥", ENTITIES: [service(2, 4, "要啥")]})
    data = Shorter({}).process_training_data(TrainingData([inside, after]))
    assert [m.get(TEXT) for m in data.training_examples] == ["xab要啥", "甲要啥"]
    assert data.training_examples[1].get(ENTITIES) == [service(1, 3, "要啥")]
