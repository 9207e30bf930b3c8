"""A turn as the router reads it from Rasa's parse data: the fields asked are read from the words
the resident wrote, not from the values the synonym mapper has put in their place."""

from __future__ import annotations

from bot.catalogue.fields import shared_fields
from bot.dialogue.turn import Turn


def field_entity(text: str, word: str, value: str) -> dict:
    start = text.index(word)
    return {"entity": "field", "value": value, "start": start, "end": start + len(word),
            "processors": ["EntitySynonymMapper"]}


def test_a_generic_ask_gives_way_to_the_field_named_beside_it() -> None:
    text = "失业登记要啥条件"
    parse = {"text": text, "intent": {"name": "ask_service", "confidence": 0.9},
             "entities": [field_entity(text, "要啥", "材料"), field_entity(text, "条件", "条件")]}
    assert Turn.from_parse(parse, {}, shared_fields(), []).fields == ("conditions",)


def test_a_generic_ask_alone_still_asks_for_the_materials() -> None:
    text = "办居住证准备些啥"
    parse = {"text": text, "intent": {"name": "ask_service"},
             "entities": [field_entity(text, "准备些啥", "材料")]}
    assert Turn.from_parse(parse, {}, shared_fields(), []).fields == ("materials",)


def test_two_named_fields_are_both_asked_in_order() -> None:
    text = "要带啥，多少钱"
    parse = {"text": text, "intent": {"name": "ask_service"},
             "entities": [field_entity(text, "带啥", "材料"), field_entity(text, "多少钱", "费用")]}
    assert Turn.from_parse(parse, {}, shared_fields(), []).fields == ("materials", "fee")


def test_one_span_holding_a_generic_and_a_named_field_is_the_named_one() -> None:
    text = "低保要啥条件"
    parse = {"text": text, "intent": {"name": "ask_service"},
             "entities": [field_entity(text, "要啥条件", "要啥条件")]}
    assert Turn.from_parse(parse, {}, shared_fields(), []).fields == ("conditions",)
