"""繁→简: a Rasa graph component that turns traditional characters into simplified ones.

It runs first in the NLU pipeline, so the tokenizer, the featurizers and the lookup tables see one
script whatever the user typed (網上辦 → 网上办). OpenCC's `t2s` conversion leaves simplified text
unchanged.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlp.text_rewriter import MessageTextRewriter


def converter(config: str = "t2s") -> Any:
    import opencc

    return opencc.OpenCC(config)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class TraditionalToSimplified(MessageTextRewriter):
    """Rewrites each message's text to simplified Chinese before it is tokenized."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # OpenCC configuration: t2s = traditional to simplified, character and phrase level.
        return {"opencc_config": "t2s"}

    @staticmethod
    def required_packages() -> list[str]:
        return ["opencc"]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._convert = converter(config["opencc_config"]).convert

    def rewrite(self, text: str) -> str:
        return self._convert(text)
