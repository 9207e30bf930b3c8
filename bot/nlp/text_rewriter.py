"""Base of the graph components that rewrite a message's text before it is tokenized."""

from __future__ import annotations

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

    # A rewriting that moves characters (takes some off) must leave annotated examples as written:
    # their entities hold character offsets into the text.
    shifts_offsets = False

    def keeps(self, message: Message) -> bool:
        """Whether a message is left as written: an annotated one, when the rewriting shifts offsets."""
        return self.shifts_offsets and bool(message.get(ENTITIES))

    def _rewrite(self, message: Message) -> None:
        text = message.get(TEXT)
        if text and not self.keeps(message):
            message.set(TEXT, self.rewrite(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._rewrite(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._rewrite(message)
        return messages
