"""District sentences: what the segmenter must handle well (used to check pruning and in tests)."""

from __future__ import annotations

import re

from bot import paths
from bot.knowledge.model import load as load_knowledge

_SENTENCE_END = re.compile(r"[。！？；，、\n“”（）()□·—①②③④⑤]+")


def article_sentences() -> list[str]:
    """The seed article cut at punctuation, each piece at least two characters long."""
    text = paths.SEED_ARTICLE.read_text(encoding="utf-8")
    return [piece.strip() for piece in _SENTENCE_END.split(text) if len(piece.strip()) >= 2]


def district_corpus() -> list[str]:
    """The article's sentences and every question of the knowledge base, without duplicates."""
    knowledge = load_knowledge()
    examples = [e for topic in knowledge.topics.values() for e in topic.examples]
    return list(dict.fromkeys(article_sentences() + examples))
