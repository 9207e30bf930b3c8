"""The article's topics as the router weighs them: which topic a question means, and what it asks
beyond the article (a time, a place, another year or city), so the reply can say so plainly.

Scores: the ResponseSelector's confidence plus a weighted BM25 score of the topic's own words
(bot/knowledge/lexical.py); an elliptical question ("那住房呢？") leans towards the previous topic's
area. Words, patterns and weights come from sources/routing.yml.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from bot.dialogue.rules import RoutingRules
from bot.knowledge.model import KnowledgeBase, Topic
from bot.knowledge.rasa_data import RETRIEVAL_INTENT

Scores = Callable[[str], dict[str, float]]


def ranking(parse_data: dict[str, Any], knowledge: KnowledgeBase) -> list[tuple[str, float]]:
    """(topic id, confidence) from the ResponseSelector's output in the parse data, best first."""
    selector = parse_data.get("response_selector", {})
    ranked = (selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}).get("ranking", [])
    pairs = [(entry.get("intent_response_key", "").partition("/")[2], float(entry.get("confidence", 0)))
             for entry in ranked]
    return [(topic, confidence) for topic, confidence in pairs if topic in knowledge.topics]


def content_chars(text: str) -> int:
    """Characters that carry words (punctuation and spaces not counted)."""
    return sum(1 for ch in text if ch.isalnum())


def is_elliptical(text: str, rules: RoutingRules) -> bool:
    """"那住房呢？", "就医呢": a message that leans on what was said before."""
    text = text.strip(" ？?。！!")
    return content_chars(text) <= rules.elliptical_chars or text.startswith(rules.words["elliptical_starts"])


class Topics:
    """The knowledge base seen through the routing rules: choosing a topic and noting what a
    question asks beyond it."""

    def __init__(self, knowledge: KnowledgeBase, rules: RoutingRules, lexical: Scores) -> None:
        self.knowledge = knowledge
        self.rules = rules
        self.lexical = lexical

    def pick(self, candidates: list[tuple[str, float]], previous: Topic | None, text: str,
             lexical: dict[str, float] | None = None, weight: float | None = None) -> str | None:
        """The topic with the best confidence plus weighted lexical score; an elliptical question
        also leans towards the previous topic's area and its related topics."""
        weight = self.rules.lexical_weight if weight is None else weight
        confidence = dict(candidates)
        lexical = lexical or {}
        if not confidence and not any(lexical.values()):
            return None
        elliptical = previous is not None and is_elliptical(text, self.rules)
        topics = self.knowledge.topics

        def score(topic_id: str) -> float:
            topic = topics[topic_id]
            near = elliptical and (topic.area == previous.area or topic.id in previous.related)
            return confidence.get(topic_id, 0.0) + weight * lexical.get(topic_id, 0.0) + (
                self.rules.context_bonus if near else 0.0)

        return max(topics, key=score)

    def unrelated(self, candidates: list[tuple[str, float]], lexical: dict[str, float]) -> bool:
        """No topic fits: the selector unsure of all and no topic sharing a telling word."""
        return (max((c for _, c in candidates), default=0.0) < self.rules.unrelated_confidence
                and max(lexical.values(), default=0.0) < self.rules.unrelated_lexical)

    def telling_word(self, lexical: dict[str, float]) -> bool:
        """Some topic shares a telling word with the message (it may be about the article)."""
        return max(lexical.values(), default=0.0) >= self.rules.unrelated_lexical

    # — notes for a question that reaches beyond its topic —

    def beyond_the_article(self, question: str, topic: Topic) -> str | None:
        """A plain note when the question asks for a detail (time, place, amount, contact) the answer lacks."""
        missing = []
        for detail in self.rules.details:
            found = detail.asked.search(question)
            if found and found.group() not in topic.answer and (
                    detail.given is None or not detail.given.search(topic.answer)):
                missing.append(detail.what or found.group())
        if not missing:
            return None
        return (f"工作部署中没有写明具体的{'、'.join(missing)}，我不能替您推测；"
                "如需了解，请拨打12345市民服务热线咨询。")

    def another_place(self, question: str, topic: Topic) -> str | None:
        """A plain note when the question asks about a place other than Shizhong, unless the topic's
        passage names that place and the question names more of the topic than the place
        ("承接北京疏解非首都功能" is Shizhong's own plan and gets none; "北京的社区医院几点下班"
        shares only 北京 with it and gets the note)."""
        found = self.rules.pattern("other_places").findall(question)
        own = [term for term in (topic.title, *topic.terms) if term and term in question]
        places = [p for p in dict.fromkeys(found)
                  if p not in topic.passage or not any(term != p for term in own)]
        if not places:
            return None
        return (f"以上是市中区的情况；{'、'.join(places)}的情况不在市中区的工作部署里，我不能替您推测，"
                "请拨打12345市民服务热线咨询。")

    def another_year(self, question: str, topic: Topic) -> str | None:
        """A plain note when the question asks about a year the article does not speak of."""
        rules = self.rules
        years = [y for y in dict.fromkeys(rules.pattern("other_years").findall(question))
                 if y != rules.article_year
                 and not (y == rules.article_last_year and "去年" in topic.passage + topic.answer)
                 and y not in topic.passage]
        if not years:
            return None
        return (f"以上是市中区{rules.article_year}年“聚焦提升年”工作部署的内容；{'、'.join(years)}的情况部署里没有写，"
                "我不能替您推测，请拨打12345市民服务热线咨询。")

    def note(self, question: str, topic_id: str) -> str | None:
        """The first note that applies: another place, another year, a detail beyond the article."""
        topic = self.knowledge.topics[topic_id]
        for note in (self.another_place(question, topic), self.another_year(question, topic),
                     self.beyond_the_article(question, topic)):
            if note:
                return note
        return None

    # — a topic named by its own terms —

    @functools.cached_property
    def term_owners(self) -> dict[str, tuple[str, ...]]:
        """Each topic's own terms and title → the topics that have it."""
        owners: dict[str, list[str]] = {}
        for topic in self.knowledge.topics.values():
            for term in {*topic.terms, topic.title}:
                owners.setdefault(term, []).append(topic.id)
        return {term: tuple(ids) for term, ids in owners.items()}

    def defining(self, text: str) -> str | None:
        """The one topic whose own term a "X是啥" question asks about ("12100是啥" → 12100民生工程)."""
        text = text.strip()
        match = self.rules.pattern("definition").fullmatch(text) or self.rules.pattern(
            "definition_first").fullmatch(text)
        if not match:
            return None
        subject = match.group("subject")
        names = {subject, self.rules.pattern("generic_suffix").sub("", subject)}
        found = {topic_id for name in names for topic_id in self.term_owners.get(name, ())}
        return found.pop() if len(found) == 1 else None

    def named(self, text: str) -> str | None:
        """The one topic whose own term (or title) the message names ("花漾街区有几条"); None for a
        repair or complaint of one's own, a place the topic's passage does not name, or when the
        terms named belong to several topics."""
        if self.rules.pattern("personal_request").search(text):
            return None
        found = {ids[0] for term, ids in self.term_owners.items()
                 if len(ids) == 1 and len(term) >= self.rules.naming_term_chars and term in text}
        if len(found) != 1:
            return None
        topic_id = found.pop()
        return None if self.another_place(text, self.knowledge.topics[topic_id]) else topic_id

    def next_related(self, topic_id: str | None, shown: list[str]) -> str | None:
        """The first related topic of `topic_id` the user has not seen yet."""
        topic = self.knowledge.topics.get(topic_id or "")
        if topic is None:
            return None
        return next((t for t in topic.related if t not in shown), None)
