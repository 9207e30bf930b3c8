"""A leading greeting ("你好，想问下…", "hi，…") taken off before the message is classified.

Residents often open with a greeting and ask in the same message. With the greeting in the text,
the intent classifier weighs "你好" as heavily as the question and answers a greeting: on our
held-out questions a "你好，想问下" before a question on the total area of this year's old-compound
renovation (老旧小区改造) got the welcome message instead of 105万㎡. This component removes
greetings at the start when a question of its own follows, for training and prediction alike; a
message that is only a greeting ("你好，在吗") stays whole.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlp.text_rewriter import MessageTextRewriter

# Greetings and opening courtesies, each with optional marks, spaces or emoji ("👋你好😊，") around
# it; one or more. An English greeting needs no letter or Chinese character right after it
# ("hello翻译成中文" is not a greeting). Openers that check someone is there, as on a phone call
# ("喂喂，能听见吗", "有人在吗"), are greetings too; 喂 only before a mark or another opener ("喂养"
# is no greeting).
NOT_CONTENT = r"[^\u4e00-\u9fffA-Za-z0-9]"
_PRESENCE = r"(?:能|可以)?听(?:得)?(?:见|到|清)(?:吗|么|嘛|不|没)|有人(?:在)?(?:吗|么|嘛|没|不)|在(?:么|嘛)"
LEADING_GREETING = re.compile(
    rf"^(?:{NOT_CONTENT}*(?:你们?好(?:啊|呀)?|您好|大家好|早上好|上午好|下午好|晚上好|哈喽|嗨|"
    rf"(?:hi|hello|hey)(?={NOT_CONTENT})|喂+(?={NOT_CONTENT}|你|您|能|听|有人|在|$)|{_PRESENCE}|"
    rf"在吗|在不在|打扰(?:了|一下)|小助手){NOT_CONTENT}*)+",
    re.IGNORECASE)
# What must remain for the rest to count as a question of its own ("你好，你是谁" stays whole).
MIN_REST_CHARACTERS = 4
CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


def without_leading_greeting(text: str) -> str:
    """The text without its leading greeting, when what follows is long enough to stand alone."""
    match = LEADING_GREETING.match(text)
    if not match:
        return text
    rest = text[match.end():]
    return rest if len(CONTENT.findall(rest)) >= MIN_REST_CHARACTERS else text


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class LeadingGreetingRemover(MessageTextRewriter):
    """Rewrites each message's text without a leading greeting before it is tokenized."""

    shifts_offsets = True

    def rewrite(self, text: str) -> str:
        return without_leading_greeting(text)
