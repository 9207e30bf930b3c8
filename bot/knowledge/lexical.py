"""Lexical scores of the knowledge topics for a question (BM25 over each topic's own words).

Why: measured on a held-out fold (docs/benchmarks.md), the ResponseSelector alone picks the right
topic for 70 % of unseen questions, BM25 over the topics' questions, titles, terms and answers for
83 %, and the two added for 90 %: district questions name the distinctive words of their topic.
The tokenizer is the NLU's pkuseg segmentation with bigrams of long words, as for catalogue search.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from bot.knowledge.model import KnowledgeBase

Tokenize = Callable[[str], list[str]]
# Title and district terms say what a topic is about more surely than any one question does.
TITLE_WEIGHT = 2
K1 = 1.2
B = 0.75


def segmented_texts(knowledge: KnowledgeBase) -> list[str]:
    """Every text of the knowledge base that search segments: the topic index's (a topic's
    questions, title, terms and answer), which hold the titles and terms the topic links search
    the catalogue for (bot/dialogue/links.py). The set-up segments them ahead (bot/catalogue/segmented.py)."""
    return [text for topic in knowledge.topics.values()
            for text in (*topic.examples, topic.title, *topic.terms, topic.answer)]


class TopicIndex:
    """BM25 over one document per topic: its questions, title and terms (twice), and answer."""

    def __init__(self, knowledge: KnowledgeBase, tokenize: Tokenize, stop: frozenset[str] = frozenset()) -> None:
        self._tokenize = tokenize
        self._stop = stop
        documents = {}
        for topic in knowledge.topics.values():
            words = [w for example in topic.examples for w in self.terms(example)]
            words += (self.terms(topic.title) + [w for t in topic.terms for w in self.terms(t)]) * TITLE_WEIGHT
            words += self.terms(topic.answer)
            documents[topic.id] = words
        self._counts = {topic: Counter(words) for topic, words in documents.items()}
        self._lengths = {topic: len(words) for topic, words in documents.items()}
        self._average = sum(self._lengths.values()) / max(len(documents), 1)
        frequency = Counter(w for words in documents.values() for w in set(words))
        total = len(documents)
        self._idf = {w: math.log(1 + (total - n + 0.5) / (n + 0.5)) for w, n in frequency.items()}

    def terms(self, text: str) -> list[str]:
        return [t for t in self._tokenize(text) if t not in self._stop]

    def scores(self, question: str) -> dict[str, float]:
        """Topic id → BM25 score of `question` (0 for topics sharing no word with it)."""
        words = set(self.terms(question))
        result = {}
        for topic, counts in self._counts.items():
            norm = K1 * (1 - B + B * self._lengths[topic] / self._average)
            result[topic] = sum(self._idf[w] * counts[w] * (K1 + 1) / (counts[w] + norm)
                                for w in words if w in counts)
        return result
