"""繁→简: a Rasa graph component that turns traditional characters into simplified ones.

It runs first in the NLU pipeline, so the tokenizer, the featurizers and the lookup tables see one
script whatever the user typed (網上辦 → 网上办). OpenCC's `t2s` conversion leaves simplified text
unchanged.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def converter(config: str = "t2s") -> Any:
    import opencc

    return opencc.OpenCC(config)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class TraditionalToSimplified(GraphComponent):
    """Rewrites each message's text to simplified Chinese before it is tokenized."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # OpenCC configuration: t2s = traditional to simplified, character and phrase level.
        return {"opencc_config": "t2s"}

    @staticmethod
    def required_packages() -> list[str]:
        return ["opencc"]

    def __init__(self, config: dict[str, Any]) -> None:
        self._convert = converter(config["opencc_config"]).convert

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TraditionalToSimplified:
        return cls(config)

    def _simplify(self, message: Message) -> None:
        text = message.get(TEXT)
        if text:
            message.set(TEXT, self._convert(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._simplify(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._simplify(message)
        return messages
