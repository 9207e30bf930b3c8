"""The NLU's segmentation of a message's search texts, in the parse data, for the action server.

Why: the action server searches the catalogue and the knowledge topics with pkuseg's words
(bot/catalogue/tokens.py). It holds no segmenter of its own (bot/catalogue/segmented.py: that took
a second spaCy pipeline and TensorFlow); this component segments, with the pipeline the NLU has
loaded anyway, every text of the message the router searches — the text, the text as searched
(an opening such as 请问 taken off: RoutingRules.search_query) and every entity value, as the
synonym mapper left it — exactly as tokens.SpacyTokenizer does: the normalized text, pkuseg's
words that hold a letter or a digit. Each goes into the parse data as the spans of its words.

It comes last in the pipeline, so that it sees the entities as the message keeps them. Registered
as a non-trainable extractor: Rasa then runs it when it parses a message and never in training.
Messages of the form "/intent{...}" run through it too (Rasa's RegexMessageHandler comes after);
entity values such a payload sets are not segmented here (none the router searches are sent so).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from bot.catalogue.segmented import PARSE_KEY, record
from bot.catalogue.tokens import is_word, normalize
from bot.dialogue.rules import RoutingRules, shared_rules


def word_spans(nlp: Language, normalized: str) -> list[tuple[int, int]] | None:
    """The spans of pkuseg's words (those with a letter or a digit) in `normalized`; None if the
    tokens do not lie on the text as given (then the action server is told nothing of it)."""
    spans = []
    for token in nlp.make_doc(normalized):
        start, end = token.idx, token.idx + len(token.text)
        if normalized[start:end] != token.text:
            return None
        if is_word(token.text):
            spans.append((start, end))
    return spans


def segments(nlp: Language, texts: Iterable[str]) -> list[dict[str, Any]]:
    """The parse data's records of `texts` (each normalized, once; empty ones left out)."""
    found = []
    for text in dict.fromkeys(n for n in map(normalize, texts) if n):
        spans = word_spans(nlp, text)
        if spans is not None:
            found.append(record(text, spans))
    return found


def search_texts(message: Message, rules: RoutingRules) -> list[str]:
    """The texts of a message the router may search: its text (stripped, as bot/dialogue/turn.py
    reads it), the text as searched, its entity values."""
    text = (message.get(TEXT) or "").strip()
    values = [e.get("value") for e in message.get(ENTITIES) or []]
    return [text, rules.search_query(text), *(v for v in values if isinstance(v, str))]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False,
                          model_from="SharedSpacyNLP")
class SearchSegmenter(GraphComponent):
    """Adds `search_segments` to the parse data: [{"text": normalized text, "spans": [[start, end], …]}]."""

    def __init__(self, rules: RoutingRules) -> None:
        self.rules = rules

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SearchSegmenter:
        # sources/routing.yml read (and checked) as the model loads, not at the first message.
        return cls(shared_rules())

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        for message in messages:
            message.set(PARSE_KEY, segments(model.model, search_texts(message, self.rules)), add_to_output=True)
        return messages
