"""Base of the graph components that rewrite a message's text before it is tokenized."""

from __future__ import annotations

import difflib
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class MessageTextRewriter(GraphComponent):
    """Applies `rewrite` to the text of every training example and every incoming message alike,
    so that the model is trained on the same kind of text it later classifies."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageTextRewriter:
        return cls(config)

    def rewrite(self, text: str) -> str:
        raise NotImplementedError

    # A rewriting that moves characters (takes some off, writes pinyin as characters) moves the
    # character offsets of an annotated example's entities: they are moved with it (`moved_entities`),
    # and an example whose entities cannot follow is left as written.
    shifts_offsets = False

    def _rewrite(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        rewritten = self.rewrite(text)
        if rewritten == text:
            return
        entities = message.get(ENTITIES)
        if entities and self.shifts_offsets:
            moved = moved_entities(text, rewritten, entities)
            if moved is None:
                return
            message.set(ENTITIES, moved)
        message.set(TEXT, rewritten)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._rewrite(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._rewrite(message)
        return messages


def moved_entities(text: str, rewritten: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The entities at their offsets in the rewritten text, a value that was the annotated text
    becoming the rewritten span ("[低宝](service)咋申情" → 低保 at the same place); None when a change
    straddles an entity's edge, where no offset says what the entity is."""
    blocks = difflib.SequenceMatcher(None, text, rewritten, autojunk=False).get_opcodes()

    def moved(position: int, edge: str) -> int | None:
        for tag, i1, i2, j1, j2 in blocks:
            if (tag == "equal" or i2 - i1 == j2 - j1) and i1 <= position <= i2:  # character for character
                return j1 + position - i1
            if position == i1 and edge == "start":
                return j1
            if position == i2 and edge == "end":
                return j2
        return None

    result = []
    for entity in entities:
        start, end = moved(entity["start"], "start"), moved(entity["end"], "end")
        if start is None or end is None or start >= end:
            return None
        value = entity.get("value")
        if value == text[entity["start"]:entity["end"]]:
            value = rewritten[start:end]
        result.append({**entity, "start": start, "end": end, "value": value})
    return result
