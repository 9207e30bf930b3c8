"""Full-width latin letters and digits as plain ones: a Rasa graph component (ｈｉ → hi, ＡＰＰ → APP).

Chinese input methods type full-width letters and digits when left in full-width mode; the
training data and the intent markers know them half-width. Only letters and digits are folded (their
NFKC form, one character for one, so entity offsets stay put); full-width punctuation (，？！) is
the Chinese text's own and stays.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlp.text_rewriter import MessageTextRewriter

_RANGES = ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))  # ０-９, Ａ-Ｚ, ａ-ｚ
_HALF = {code: code - 0xFEE0 for first, last in _RANGES for code in range(first, last + 1)}


def half_width(text: str) -> str:
    """`text` with its full-width letters and digits half-width (as NFKC has them)."""
    return text.translate(_HALF)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class FullWidthToHalfWidth(MessageTextRewriter):
    """Rewrites each message's full-width letters and digits before it is tokenized."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def rewrite(self, text: str) -> str:
        return half_width(text)
