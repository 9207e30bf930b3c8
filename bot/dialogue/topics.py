"""The article's topics as the router weighs them: which topic a question means, and what it asks
beyond the article (a time, a place, another year or city), so the reply can say so plainly.

Scores: the ResponseSelector's confidence plus a weighted BM25 score of the topic's own words
(bot/knowledge/lexical.py); an elliptical question ("那住房呢？") leans towards the previous topic's
area. Words, patterns and weights come from sources/routing.yml.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
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


def topic_question(topic: Topic, rules: RoutingRules) -> str:
    """What a button offering the topic sends: its first example that stands alone (not
    "那落户呢？", which leans on what was said before), so it is answered wherever it is pressed,
    and names the topic by its title or a term as written (not a typo or 繁体 example)."""
    alone = [e for e in topic.examples if not is_elliptical(e, rules)]
    naming = [e for e in alone if any(word in e for word in (topic.title, *topic.terms))]
    return (naming or alone or list(topic.examples))[0]


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
        quoting = self.quoting(text)

        def score(topic_id: str) -> float:
            topic = topics[topic_id]
            near = elliptical and (topic.area == previous.area or topic.id in previous.related)
            return confidence.get(topic_id, 0.0) + weight * lexical.get(topic_id, 0.0) + (
                self.rules.context_bonus if near else 0.0)

        candidates = quoting or list(topics)
        # "除了陡沟，还有哪些…": not the topics the message sets aside, while others remain.
        aside = self.set_aside(text)
        kept = [t for t in candidates if t not in aside]
        ranked = sorted(kept or candidates, key=score, reverse=True)  # stable: the first of equals first
        best = ranked[0]
        # Rivals: the best-scored topics whose words fit the question at least as well as the best's.
        rivals = [t for t in ranked[:int(self.rules.set_aside_rivals)]
                  if lexical.get(t, 0.0) >= max(self.rules.unrelated_lexical, lexical.get(best, 0.0)) or t == best]
        return self.lists_more_besides(text, best, rivals) or best

    def lists_more_besides(self, text: str, best: str, rivals: list[str]) -> str | None:
        """"除了甲园区，还要建哪些园区": of the topics the question may mean (`rivals`, best first),
        the one whose answer names more of the kind asked (园区) besides what is set aside, when it
        names more of them than the best-scored one (`best`): the question wants the others. The
        selector may lean on a topic that names a few of them in another setting."""
        asked = self.rules.pattern("set_aside_kind").search(text)
        aside = [re.sub(self.rules.pattern("set_aside_fillers"), "", m.group("phrase"))
                 for m in self.rules.pattern("set_aside").finditer(text)]
        if asked is None or not aside or best not in rivals or len(rivals) < 2:
            return None
        answers = {t: self.knowledge.topics[t].answer for t in rivals}
        kind = _longest_shared_part(asked.group("kind"), answers.values())
        if kind is None:
            return None
        # A short one (山大) may stand inside another name (泰山大学): it sets nothing aside in an answer.
        aside = [a for a in aside if len(a) >= self.rules.set_aside_phrase_chars]
        counted = self.rules.pattern("set_aside_counted")
        counts = {t: _mentions_besides(answer, kind, aside, counted) for t, answer in answers.items()}
        most = max(rivals, key=lambda t: counts[t])  # the first of equals: the best scored
        return most if counts[most] > counts[best] else None

    def set_aside(self, text: str) -> set[str]:
        """The topics whose title holds what the message sets aside ("除了陡沟，…"), unless the topic's
        answer lists it beside other things ("培育智能制造、新能源汽车…" answers "除了智能制造，还有啥")."""
        phrases = [m.group("phrase") for m in self.rules.pattern("set_aside").finditer(text)]
        return {topic.id for topic in self.knowledge.topics.values()
                if any(phrase in topic.title and not self._listed_beside(phrase, topic.answer) for phrase in phrases)}

    def _listed_beside(self, phrase: str, answer: str) -> bool:
        marks = "|".join(map(re.escape, self.rules.words["listed_beside"]))
        return re.search(f"(?:{marks}){re.escape(phrase)}|{re.escape(phrase)}(?:{marks})", answer) is not None

    def quoting(self, text: str) -> list[str]:
        """The topics whose answer or passage holds a phrase the message quotes ("听说要建“平台的
        平台”？"): the article's own words, so only those topics are candidates."""
        phrases = [m.group("phrase") for m in self.rules.pattern("quoted").finditer(text)
                   if len(m.group("phrase")) >= self.rules.quoted_chars]
        return [topic.id for topic in self.knowledge.topics.values()
                if any(phrase in topic.answer or phrase in topic.passage for phrase in phrases)]

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
        """The one topic whose own term a "X是啥" question asks about ("四集成是什么" → 四集成)."""
        text = text.strip()
        match = self.rules.pattern("definition").fullmatch(text) or self.rules.pattern(
            "definition_first").fullmatch(text)
        if not match:
            return None
        subject = match.group("subject")
        names = {subject, self.rules.pattern("generic_suffix").sub("", subject)}
        found = {topic_id for name in names for topic_id in self.term_owners.get(name, ())}
        return found.pop() if len(found) == 1 else None

    @functools.cached_property
    def _numbered_sets(self) -> dict[str, str]:
        """The article's numbered sets ("四集成", "六大动力", "三大科技园区") as a question for their
        members says them after 哪 ("哪四个集成", "哪六大动力", "哪三个科技园区") → the one topic that
        has the term. Terms two topics share are left out."""
        found: dict[str, str] = {}
        for term, ids in self.term_owners.items():
            match = re.fullmatch(r"([一二三四五六七八九十两]+)(?:个|大|项)?(.{2,})", term)
            if len(ids) != 1 or match is None:
                continue
            number, rest = match.groups()
            for joint in ("", "个", "大", "项"):
                found.setdefault(f"哪{number}{joint}{rest}", ids[0])
        return found

    def numbered_set_asked(self, text: str) -> str | None:
        """The topic of the numbered set whose members the message asks ("要推进哪四项集成"), if one."""
        found = {topic for asked, topic in self._numbered_sets.items() if asked in text}
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

    def part_named(self, topic_id: str | None, text: str, shown: Collection[str] = ()) -> str | None:
        """"一城多讲讲" after 一带一城: the one related topic of `topic_id`, not shown yet, the
        message names by its title or own term (part_name_chars or longer) or by the quoted name
        the topic's answer gives it ("“一城”即南部科创新城"; not as an everyday word, `part_everyday`
        before it: "那一带"). None when the message sets a part aside ("除了…", "…讲过了": part_set_aside)."""
        parts = self._parts.get(topic_id or "")
        if parts is None or self.rules.pattern("part_set_aside").search(text):
            return None
        everyday = self.rules.pattern("part_everyday").pattern
        found = {related_id for related_id, (names, called) in parts.items() if related_id not in shown
                 and (any(name in text for name in names)
                      or any(re.search(f"(?<!{everyday}){re.escape(name)}", text) for name in called))}
        return found.pop() if len(found) == 1 else None

    @functools.cached_property
    def _parts(self) -> dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]]:
        """Each topic's related topics → (their titles and terms of part_name_chars or more, the
        quoted names the topic's answer defines them with in one clause: "“一城”即…", `defined_as`)."""
        defined_as = self.rules.pattern("defined_as")
        parts: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for topic in self.knowledge.topics.values():
            parts[topic.id] = {}
            for related_id in topic.related:
                related = self.knowledge.topics.get(related_id)
                if related is None:
                    continue
                names = {related.title, *related.terms}
                called = {quoted.group("phrase") for quoted in self.rules.pattern("quoted").finditer(topic.answer)
                          if (rest := re.split(r"[，,。；;]", topic.answer[quoted.end():], maxsplit=1)[0])
                          and defined_as.match(rest) and any(name in rest for name in names)}
                parts[topic.id][related_id] = (
                    tuple(sorted(n for n in names if len(n) >= self.rules.part_name_chars)), tuple(sorted(called)))
        return parts

    def next_related(self, topic_id: str | None, shown: list[str]) -> str | None:
        """The first related topic of `topic_id` the user has not seen yet."""
        topic = self.knowledge.topics.get(topic_id or "")
        if topic is None:
            return None
        return next((t for t in topic.related if t not in shown), None)

    # — a short question about the topic under discussion —

    @functools.cached_property
    def own_text(self) -> dict[str, str]:
        """Each topic's own words (title, terms, answer, passage), spaces taken out."""
        return {t.id: re.sub(r"\s", "", "".join((t.title, *t.terms, t.answer, t.passage)))
                for t in self.knowledge.topics.values()}

    def own_words(self, text: str) -> list[str]:
        """What a short question says besides asking ("跟哪些单位合作" → ["单位合作"]): the runs of
        characters left when the question words and fillers are taken out."""
        rules = self.rules
        rest = rules.pattern("fact_question").sub(" ", text)
        rest = rules.pattern("follow_up_fillers").sub(" ", rest)
        return [run for run in re.split(r"[^\w]+|_", rest) if run]

    @functools.cached_property
    def _measure(self) -> re.Pattern[str]:
        words = sorted(self.rules.words["measure_words"], key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words)))

    def _fits(self, run: str, topic_id: str) -> bool:
        """A run of the question stands in the topic's own words, or does once the measure words
        ("单位", "栋") are taken out of it."""
        own = self.own_text[topic_id]
        return run in own or all(piece in own for piece in self._measure.split(run) if piece)

    def leans_on(self, text: str, current: str, picked: str) -> bool:
        """Whether an elliptical message the NLU was unsure of means `picked` while `current` is
        discussed: `picked` is `current`, related to it or of its area, and holds every word the
        message says besides its fillers."""
        topics = self.knowledge.topics
        here, there = topics.get(current), topics.get(picked)
        if here is None or there is None:
            return False
        near = picked == current or picked in here.related or there.area == here.area
        words = self.own_words(text)
        return near and bool(words) and all(self._fits(word, picked) for word in words)

    def _told_elsewhere(self, current: str, lexical: dict[str, float], near: Collection[str]) -> bool:
        """Words of the question's own that tell another topic than those `near` ("那北京呢" is no
        question of this one), clearly better than they tell the one discussed (current_topic_share)."""
        best = max(lexical, key=lexical.get, default=None)
        return (best is not None and lexical[best] >= self.rules.unrelated_lexical and best not in near
                and lexical.get(current, 0.0) < self.rules.current_topic_share * lexical[best])

    def paraphrases(self, text: str, current: str, lexical: dict[str, float]) -> bool:
        """Whether a short question may ask the topic discussed in words of its own that its text
        lacks ("金融主要偏向哪几块" after the finance topic, whose passage says 产业金融): a run of the
        question's words shares two characters in a row with the topic's own words, and the words
        tell no other topic. The ResponseSelector decides whether it does (topic_in_own_words)."""
        topic = self.knowledge.topics.get(current)
        words = self.own_words(text)
        if topic is None or not words:
            return False
        near = {current, *topic.related}
        own = self.own_text[current]
        shares = any(run[i:i + 2] in own for run in words for i in range(len(run) - 1))
        return shares and not self._told_elsewhere(current, lexical, near)

    def asked_about(self, text: str, current: str, lexical: dict[str, float],
                    shown: Collection[str] = ()) -> str | None:
        """The topic a short question means while `current` is discussed ("有多大" after 南部科创新城):
        `current`, a related topic or one of its area whose own words hold every word the question
        says; among them one it names by its title, then the one whose answer holds the kind of
        fact asked (a figure for 多少, names for 哪些, a place for 在哪) — a part of the current
        topic's passage not `shown` on its own yet before the whole again ("具体在哪" after 南部科创
        新城 asks the detail its scope gives) —, then the closest. None when
        a word of the question is no candidate's, or its words tell another topic."""
        topics = self.knowledge.topics
        topic = topics.get(current)
        if topic is None:
            return None
        words = self.own_words(text)
        # The area's other topics only when the question says words of its own to look them up by.
        closeness = {t.id: 0 for t in topics.values() if words and t.area == topic.area}
        closeness.update({t: 1 for t in topic.related if t in topics})
        closeness[current] = 2
        if words and self._told_elsewhere(current, lexical, closeness):
            return None
        facts = [f for f in self.rules.facts if f.asked.search(text)]
        fitting = [t for t in closeness if all(self._fits(w, t) for w in words)]
        if not fitting:
            return None

        def score(topic_id: str) -> tuple[bool, int, bool, int]:
            # A topic the question names by its title first ("五大产业园区是什么" while the district
            # projects are discussed: that topic, not the overview that also names it).
            answer = topics[topic_id].answer
            holds = sum(1 for f in facts if f.given.search(answer))
            return (topics[topic_id].title in text, holds, holds > 0 and unread_part(topic_id), closeness[topic_id])

        whole = re.sub(r"\s", "", topic.passage)

        def unread_part(topic_id: str) -> bool:
            # A part of the current topic's passage the user has not had on its own: the detail asked.
            return (topic_id != current and topic_id not in shown
                    and re.sub(r"\s", "", topics[topic_id].passage) in whole)

        # Of those scoring best, the only one whose title holds a word of the question ("产业由哪些
        # 组成" after the new city: 科创新城产业, not its scope, though both hold 产业 and list names).
        best = max(map(score, fitting))
        tied = [t for t in fitting if score(t) == best]
        titled = [t for t in tied if any(len(word) >= 2 and word in topics[t].title for word in words)]
        return titled[0] if len(titled) == 1 else tied[0]


def _longest_shared_part(words: str, texts: Collection[str]) -> str | None:
    """The longest part of `words` (two characters or more) that some text holds: the kind asked
    in the article's words ("成长型企业" → 企业, "大学的科技园" → 科技园)."""
    for size in range(len(words), 1, -1):
        for start in range(len(words) - size + 1):
            part = words[start:start + size]
            if "的" not in part and any(part in text for text in texts):
                return part
    return None


def _mentions_besides(text: str, kind: str, aside: list[str], counted: re.Pattern[str]) -> int:
    """How often `text` names one thing of `kind` outside what is set aside (济南大学科技园 set aside:
    泰山大学科技园 counts, 济南大学科技园 does not); a count of them ("三大科技园区") names none."""
    covered = [range(m.start(), m.end()) for phrase in aside for m in re.finditer(re.escape(phrase), text)]
    return sum(1 for m in re.finditer(re.escape(kind), text)
               if not any(m.start() in span or m.end() - 1 in span for span in covered)
               and not counted.search(text[:m.start()]))
