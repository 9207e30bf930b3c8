"""`make bench-nlu`'s entity F1 counts the entities our pipeline's DIET gives (its class, LeanDIETClassifier,
is the extractor Rasa names) and only DIET's, against the examples' annotations."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from tests.names import NAME
from tools.bench.nlu import entity_f1


def test_our_diets_entities_are_counted_and_other_extractors_are_not() -> None:
    text = "居住证申领要带什么材料"
    gold = [{"entity": "service", "start": 0, "end": 5, "value": NAME["SZ-CIV-03"]},
            {"entity": "field", "start": 9, "end": 11, "value": "材料"}]
    example = Message(data={"text": text, "entities": gold})
    ours = {"text": text, "entities": [{**e, "extractor": "LeanDIETClassifier"} for e in gold]}
    assert entity_f1([example], [ours]) == {"service": 1.0, "field": 1.0}
    regex_only = {"text": text, "entities": [{**e, "extractor": "RegexEntityExtractor"} for e in gold]}
    assert entity_f1([example], [regex_only]) == {"service": 0.0, "field": 0.0}
    half = {"text": text, "entities": [{**gold[0], "extractor": "DIETClassifier"},
                                       {"entity": "field", "start": 7, "end": 9, "value": "什么",
                                        "extractor": "DIETClassifier"}]}
    assert entity_f1([example], [half]) == {"service": 1.0, "field": 0.0}


def field(start: int, end: int, text: str) -> dict:
    return {"entity": "field", "start": start, "end": end, "value": text[start:end]}


@pytest.mark.parametrize(("text", "annotated", "predicted", "f1"), [
    # The annotator marks 准备啥 and 材料 apart; DIET without BILOU tags predicts 准备啥材料 as one
    # entity, which names one field once: a hit, not a miss and a false alarm.
    ("开餐馆要准备啥材料", [(4, 7), (7, 9)], [(4, 9)], 1.0),
    ("开餐馆要准备啥材料", [(4, 7), (7, 9)], [(7, 9)], 0.0),
    # 网上办 (online) and 多少钱 (fee) side by side ask two things: one joined prediction is wrong.
    ("网上办多少钱", [(0, 3), (3, 6)], [(0, 6)], 0.0),
    ("网上办多少钱", [(0, 3), (3, 6)], [(0, 3), (3, 6)], 1.0),
])
def test_adjacent_words_of_one_field_are_one_entity_as_diet_tags_them(
        text: str, annotated: list[tuple[int, int]], predicted: list[tuple[int, int]], f1: float) -> None:
    example = Message(data={"text": text, "entities": [field(s, e, text) for s, e in annotated]})
    result = {"text": text, "entities": [{**field(s, e, text), "extractor": "LeanDIETClassifier"}
                                         for s, e in predicted]}
    assert entity_f1([example], [result])["field"] == f1
