"""`make bench-nlu`'s entity F1 counts the entities our pipeline's DIET gives (its class, LeanDIETClassifier,
is the extractor Rasa names) and only DIET's, against the examples' annotations."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from tools.bench.nlu import entity_f1


def test_our_diets_entities_are_counted_and_other_extractors_are_not() -> None:
    text = "居住证申领要带什么材料"
    gold = [{"entity": "service", "start": 0, "end": 5, "value": "居住证申领"},
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


def test_adjacent_words_of_one_field_are_one_entity_as_diet_tags_them() -> None:
    """The annotator marks 准备啥 and 材料 apart; DIET without BILOU tags predicts 准备啥材料 as one
    entity, which names one field once: a hit, not a miss and a false alarm."""
    text = "开餐馆要准备啥材料"
    gold = [{"entity": "field", "start": 4, "end": 7, "value": "准备啥"},
            {"entity": "field", "start": 7, "end": 9, "value": "材料"}]
    example = Message(data={"text": text, "entities": gold})
    joined = {"text": text, "entities": [{"entity": "field", "start": 4, "end": 9, "value": "准备啥材料",
                                          "extractor": "LeanDIETClassifier"}]}
    assert entity_f1([example], [joined])["field"] == 1.0
    only_half = {"text": text, "entities": [{"entity": "field", "start": 7, "end": 9, "value": "材料",
                                             "extractor": "LeanDIETClassifier"}]}
    assert entity_f1([example], [only_half])["field"] == 0.0


def test_adjacent_words_of_two_fields_stay_two_entities() -> None:
    """网上办 (online) and 多少钱 (fee) side by side ask two things: one joined prediction is wrong."""
    text = "网上办多少钱"
    gold = [{"entity": "field", "start": 0, "end": 3, "value": "网上办"},
            {"entity": "field", "start": 3, "end": 6, "value": "多少钱"}]
    example = Message(data={"text": text, "entities": gold})
    joined = {"text": text, "entities": [{"entity": "field", "start": 0, "end": 6, "value": "网上办多少钱",
                                          "extractor": "LeanDIETClassifier"}]}
    assert entity_f1([example], [joined])["field"] == 0.0
    apart = {"text": text, "entities": [{**e, "extractor": "LeanDIETClassifier"} for e in gold]}
    assert entity_f1([example], [apart])["field"] == 1.0
