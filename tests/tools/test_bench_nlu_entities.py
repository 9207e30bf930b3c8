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
