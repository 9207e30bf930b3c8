"""A leading acknowledgement ("好吧，那…", "嗯嗯，…", "谢谢，再问下…") taken off before the message
is classified, when what follows is a question of its own.

After an answer, residents acknowledge it and ask on in the same message. The classifier weighs
the acknowledgement as heavily as the question, and "好的" is a yes: such a message went to affirm
and the question was never answered. Without a question after it ("好的，多谢您了", "好的，那就这样吧")
the acknowledgement is the message and stays whole, so a yes, a thanks or a goodbye keeps its intent.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlp.greeting import CONTENT, NOT_CONTENT
from bot.nlp.text_rewriter import MessageTextRewriter

# Acknowledgements, each ended by a mark or a space ("好办吗" holds none); one or more.
LEADING_ACKNOWLEDGEMENT = re.compile(
    rf"^(?:{NOT_CONTENT}*(?:好的|好吧|好嘞|好滴|好|行吧|行|可以|嗯+|哦+|噢+|喔+|ok|okay|收到|"
    rf"(?:知道|明白|懂|了解)了?|(?:谢谢|多谢|感谢)(?:你|您)?(?:啦|了|哈)?)(?:啊|呀|哈)?{NOT_CONTENT}+)+",
    re.IGNORECASE)
# What makes the rest a question: a question word or mark.
QUESTION = re.compile(r"[?？吗呢]|怎|咋|如何|什么|啥|哪|多少|多久|几|能不能|可不可以|是否|要不要|有没有")
MIN_REST_CHARACTERS = 4
# A quoted word is talked about, not said ("“谢谢”用日语怎么说").
QUOTES = "“”\"'‘’「」『』"


def without_leading_acknowledgement(text: str) -> str:
    """The text without its leading acknowledgement, when a question long enough follows."""
    match = LEADING_ACKNOWLEDGEMENT.match(text)
    if not match or text.lstrip()[:1] in QUOTES:
        return text
    rest = text[match.end():]
    if len(CONTENT.findall(rest)) < MIN_REST_CHARACTERS or not QUESTION.search(rest):
        return text
    return rest


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class LeadingAcknowledgementRemover(MessageTextRewriter):
    """Rewrites each message's text without a leading acknowledgement before it is tokenized."""

    shifts_offsets = True

    def rewrite(self, text: str) -> str:
        return without_leading_acknowledgement(text)
