"""Chitchat intents given only to a message holding one of the intent's own words.

With about 130 examples each, DIET learns a chitchat intent from a few characters and lends it to
real questions: on held-out questions one asking when 历下区's service centre closes came back
`greet` (0.83; an example reads "早上好，请问上班了吗") and one asking how 市中区 links up with 北京
and 雄安 `bot_identity` (0.57), so the resident got a welcome instead of an answer. A greeting
without a greeting word is no greeting: such an intent is taken out of the ranking and the next
one decides, or the fallback when that one is unsure. The markers are the component's
configuration in config.yml, so an editor can add a word without touching Python;
tests/nlp/test_intent_markers.py checks every training example of the intent against them.

The same markers are DIET's features too (IntentMarkerFeaturizer, one feature an intent: does the
message hold one of its words), so that DIET learns from them rather than from the few characters
its examples happen to share: over the five folds of `make bench-nlu`, intent macro-F1 went from
0.931/0.941/0.912/0.941/0.949 to 0.957/0.956/0.922/0.939/0.964 (median 0.941 → 0.956).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.sparse_featurizer.regex_featurizer import RegexFeaturizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def compile_markers(markers: dict[str, list[str] | str]) -> dict[str, re.Pattern[str]]:
    """Each intent's markers (regular expressions, any of which will do) as one pattern,
    case-insensitive (hi, Hello, AI)."""
    return {intent: re.compile(pattern if isinstance(pattern, str) else "|".join(pattern), re.IGNORECASE)
            for intent, pattern in markers.items()}


def unmarked(text: str, intent: str | None, markers: dict[str, re.Pattern[str]]) -> bool:
    """Whether `intent` needs a marker that `text` lacks."""
    pattern = markers.get(intent or "")
    return pattern is not None and not pattern.search(text)


def marker_patterns(markers: dict[str, list[str] | str]) -> list[dict[str, str]]:
    """One pattern an intent, named `marker_<intent>`, in the form RegexFeaturizer keeps."""
    return [{"name": f"marker_{intent}", "pattern": compiled.pattern}
            for intent, compiled in compile_markers(markers).items()]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class IntentMarkerFeaturizer(RegexFeaturizer):
    """Rasa's RegexFeaturizer over the intent markers of the configuration instead of the
    training data's regexes: one feature an intent, set where the message holds one of its words."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The markers are matched as IntentMarkers matches them: case-insensitive (Hi, AI).
        return {**RegexFeaturizer.get_default_config(), "case_sensitive": False, "markers": {}}

    def train(self, training_data: TrainingData) -> Resource:
        self.known_patterns = marker_patterns(self._config.get("markers") or {})
        self._persist()
        return self._resource


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentMarkers(GraphComponent, IntentClassifier):
    """Drops a marked intent from a message's ranking when none of its markers is in the text."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # intent name → regular expressions of the words one of its messages must hold (any one)
        return {"markers": {}}

    def __init__(self, config: dict[str, Any]) -> None:
        self.markers = compile_markers(config.get("markers") or {})

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> IntentMarkers:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._check(message)
        return messages

    def _check(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        text = message.get(TEXT) or ""
        if not unmarked(text, intent.get(INTENT_NAME_KEY), self.markers):
            return
        ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or []
                   if not unmarked(text, entry.get(INTENT_NAME_KEY), self.markers)]
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        # The next intent keeps its own confidence: when it is low the FallbackClassifier asks.
        message.set(INTENT, dict(ranking[0]) if ranking else {INTENT_NAME_KEY: None, "confidence": 0.0},
                    add_to_output=True)
