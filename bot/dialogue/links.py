"""Which catalogue services an article topic leads on to: the "相关办事" of a topic answer, and the
service a how-to question about the topic means.

Why: the article says what the district plans ("解决好人才就医…"); a resident who reads it next asks
how to get it. The catalogue ties its services to the article in two ways, and both are used:
a topic's title or one of its terms names a service ("人才子女入学" → 人才子女入学服务), or a service's
`source` line quotes the topic's passage ("着力完善各类体育场地和健身设施" → the sports venues'
booking service). A quote many services share (the 一窗办 sentence behind every enterprise
service) says nothing about which one is meant and links none. Computed once for all topics, on
first use, not per message.
"""

from __future__ import annotations

import functools
import re

from bot.catalogue import CatalogueStore, Service
from bot.dialogue.rules import RoutingRules
from bot.knowledge.model import KnowledgeBase, Topic

# A source line is "<document>：<the quoted sentence>"; the quote is cut at these marks.
_CLAUSE_MARKS = re.compile(r"[，。；：、“”\s]")


def _clauses(source: str, shortest: int) -> tuple[str, ...]:
    _, colon, quote = source.partition("：")
    if not colon:
        return ()
    return tuple(c for c in _CLAUSE_MARKS.split(quote) if len(c) >= shortest)


class TopicLinks:
    """topic id → its services, named ones first, at most `related_services_at_most`."""

    def __init__(self, knowledge: KnowledgeBase, catalogue: CatalogueStore, rules: RoutingRules) -> None:
        self.knowledge = knowledge
        self.catalogue = catalogue
        self.rules = rules

    def of(self, topic_id: str | None) -> tuple[Service, ...]:
        return self.services.get(topic_id or "", ())

    @functools.cached_property
    def services(self) -> dict[str, tuple[Service, ...]]:
        quoted = self._quoted()
        most = int(self.rules.related_services_at_most)
        linked = {}
        for topic in self.knowledge.topics.values():
            found = {s.code: s for s in self._named(topic)}
            for service in quoted.get(topic.id, ()):
                found.setdefault(service.code, service)
            if found:
                linked[topic.id] = tuple(found.values())[:most]
        return linked

    def _named(self, topic: Topic) -> list[Service]:
        """The services the topic's title or a term names, each clearly ahead of any other
        ("子女入学" names 随迁子女入学 as well and links none)."""
        rules = self.rules
        found: dict[str, Service] = {}
        for words in (topic.title, *topic.terms):
            hits = self.catalogue.search(words, 2)
            if hits and hits[0].score >= rules.topic_service_score and (
                    len(hits) == 1 or hits[0].score - hits[1].score >= rules.named_margin):
                found.setdefault(hits[0].service.code, hits[0].service)
        return list(found.values())

    def _quoted(self) -> dict[str, list[Service]]:
        """topic id → the services whose source line quotes the topic's passage (at least half of
        the quote's clauses stand in it), when that quote is shared by few services."""
        shortest = int(self.rules.source_clause_chars)
        by_quote: dict[tuple[str, ...], list[Service]] = {}
        for service in self.catalogue.all():
            clauses = _clauses(service.source, shortest)
            if clauses:
                by_quote.setdefault(clauses, []).append(service)
        quoted: dict[str, list[Service]] = {}
        for topic in self.knowledge.topics.values():
            passage = re.sub(r"\s", "", topic.passage)
            for clauses, services in by_quote.items():
                if len(services) > self.rules.source_link_services:
                    continue
                if 2 * sum(c in passage for c in clauses) >= len(clauses):
                    quoted.setdefault(topic.id, []).extend(services)
        return quoted
