"""English words inside a Chinese question put into the article's Chinese terms.

Enterprise users and students mix languages: "区里对big data企业有扶持政策吗". The
training data, the district dictionary, the BM25 topic index and the catalogue are all Chinese, so
the English words meet nothing and the question goes to a neighbouring topic. This component
rewrites the domain phrases below into the article's own terms, for training and prediction alike
(the actions apply `to_chinese_terms` too). Only mixed messages are rewritten: an all-English
message ("thanks", "zxcvbnm") is left as written, for the chitchat and out-of-scope examples.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlp.text_rewriter import MessageTextRewriter

# English phrase (lower case; a trailing "s" is allowed) → the article's or the catalogue's term.
# Longer phrases first where one holds another ("green finance" before "finance").
ENGLISH_TERMS: dict[str, str] = {
    "digital economy": "数字经济",
    "big data": "大数据",
    "internet of things": "物联网",
    "iot": "物联网",
    "artificial intelligence": "人工智能",
    "smart manufacturing": "智能制造",
    "intelligent manufacturing": "智能制造",
    "new energy vehicle": "新能源汽车",
    "fintech": "科技金融",
    "green finance": "绿色金融",
    "finance": "金融",
    "fortune 500": "世界500强",
    "headquarter": "总部",
    "science park": "科技园",
    "industrial park": "产业园",
    "industry park": "产业园",
    "startup": "创业",
    "start-up": "创业",
    "talent": "人才",
    "housing": "住房",
    "apartment": "公寓",
    "kindergarten": "幼儿园",
    "school": "学校",
    "hospital": "就医",
    "healthcare": "就医",
    "hukou": "户口",
    "elderly care": "养老",
    "senior care": "养老",
    "employment": "就业",
    "job": "就业",
    "library": "图书馆",
    "investment": "招商",
    "business environment": "营商环境",
    "old communit": "老旧小区",
    "pocket park": "口袋公园",
    "veteran": "退役军人",
    "subsid": "补贴",
    "social security card": "社保卡",
    "business license": "营业执照",
    "online": "网上",
    # How a mixed question asks ("how to apply 低保", "有没有创业的loan"): the words of a how-to.
    "how to apply for": "怎么申请",
    "how to apply": "怎么申请",
    "how do i apply for": "怎么申请",
    "how to": "怎么",
    "how do i": "怎么",
    "how can i": "怎么",
    "apply for": "申请",
    "apply": "申请",
    "loan": "贷款",
    "how long": "多久",
    "how much": "多少钱",
    "policy": "政策",
    "policies": "政策",
}
_CJK = re.compile(r"[\u3400-\u9fff]")
# The space or hyphen a user left between two English words that are now Chinese ("talent-apartment").
_SPACE_BETWEEN_CJK = re.compile(r"(?<=[\u3400-\u9fff])[\s\-_]+(?=[\u3400-\u9fff])")
# Longest first: "talent apartment" before "talent".
_LONGEST_FIRST = sorted(ENGLISH_TERMS, key=len, reverse=True)
_PHRASES = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(re.escape(p).replace(r"\ ", r"\-").replace(r"\-", r"[\s\-_]*") for p in _LONGEST_FIRST)
    + r")(?:s|ies|y)?(?![a-z])",
    re.IGNORECASE)


def _words(phrase: str) -> str:
    """"Start-up", "start_up", "start  up" → "start up": how a match is compared with the glossary."""
    return re.sub(r"[\s\-_]+", " ", phrase.lower())


_NORMALISED_LONGEST_FIRST = [(_words(p), ENGLISH_TERMS[p]) for p in _LONGEST_FIRST]


def _term(match: re.Match[str]) -> str:
    words = _words(match.group())
    for phrase, chinese in _NORMALISED_LONGEST_FIRST:
        if words.startswith(phrase):
            return chinese
    return match.group()


def to_chinese_terms(text: str) -> str:
    """`text` with its English domain phrases in Chinese, when it is a mixed (Chinese) message."""
    if not _CJK.search(text):
        return text
    rewritten = _PHRASES.sub(_term, text)
    return text if rewritten == text else _SPACE_BETWEEN_CJK.sub("", rewritten)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False
)
class EnglishTermsToChinese(MessageTextRewriter):
    """Rewrites English domain phrases of a mixed message into the article's Chinese terms."""

    shifts_offsets = True

    def rewrite(self, text: str) -> str:
        return to_chinese_terms(text)
