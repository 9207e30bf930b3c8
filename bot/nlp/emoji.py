"""Emoji beside words taken off before the message is classified ("谢谢您😊" → 谢谢您).

Phones put emoji into residents' messages. The training data has emoji alone as messages of no
meaning to us (out of scope: "👍", "😂😂"), so an emoji beside a question or a thanks pulled the
intent that way: a short thanks with a thumbs-up was answered as out of scope. A message that is nothing but
emoji stays whole; the rest loses its emoji, for training and prediction alike.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlp.text_rewriter import MessageTextRewriter

# Emoji and their joiners: pictographs, dingbats and symbols, skin tones, variation selectors and
# the zero-width joiner. Not ㎡ or ℃, which the article's figures use.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u200D\u20E3]+")
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def without_emoji(text: str) -> str:
    """The text without its emoji, unless nothing of words would be left."""
    rest = EMOJI.sub("", text)
    return rest.strip() if _CONTENT.search(rest) else text


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class EmojiRemover(MessageTextRewriter):
    """Rewrites each message's text without emoji before it is tokenized."""

    shifts_offsets = True

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def rewrite(self, text: str) -> str:
        return without_emoji(text)
