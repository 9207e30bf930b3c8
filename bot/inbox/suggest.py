"""The topics and services a group of questions most likely belongs to, offered first in its form.

Cheap: BM25 over the topics (bot/knowledge/lexical.py) and the services' names, aliases and
questions, with character bigrams for words (no segmenter to load in the console). A suggestion
only orders the choices; the editor decides.
"""

from __future__ import annotations

from bot.catalogue.schema import Service
from bot.catalogue.tokens import STOP_TOKENS, bigram_tokenize
from bot.inbox.groups import bigrams, dice
from bot.knowledge.lexical import TopicIndex
from bot.knowledge.model import KnowledgeBase


class Suggester:
    def __init__(self, knowledge: KnowledgeBase, services: list[Service]) -> None:
        self._topics = TopicIndex(knowledge, bigram_tokenize, STOP_TOKENS)
        self._titles = {topic.id: topic.title for topic in knowledge.topics.values()}
        self._services = [(service, [bigrams(text) for text in (*service.names(), *service.examples)])
                          for service in services]

    def topics(self, texts: list[str], count: int = 3) -> list[tuple[str, str]]:
        """(topic id, title) of the likeliest topics."""
        scores: dict[str, float] = {}
        for text in texts[:5]:
            for topic, score in self._topics.scores(text).items():
                scores[topic] = scores.get(topic, 0.0) + score
        best = sorted((s, t) for t, s in scores.items() if s > 0)[::-1][:count]
        return [(topic, self._titles[topic]) for _, topic in best]

    def services(self, texts: list[str], count: int = 3) -> list[tuple[str, str]]:
        """(code, name) of the services whose names or questions look likeliest."""
        asked = [bigrams(text) for text in texts[:5]]
        scored = []
        for service, grams in self._services:
            score = max((dice(a, g) + (1.0 if g and g <= a else 0.0) for a in asked for g in grams), default=0.0)
            if score > 0.2:
                scored.append((score, service.code, service.name))
        return [(code, name) for _, code, name in sorted(scored, reverse=True)[:count]]
