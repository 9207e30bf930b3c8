"""The router: which answer a turn gets, where Rasa's rules leave the choice open.

Rasa's rules (data/rules) decide which action runs from the intent and the conversation's subject;
that action asks the router what to answer. The router goes down ONE ordered list of decisions
(DECISIONS below) and takes the first that applies to the turn; its word lists, patterns and
thresholds are data (sources/routing.yml, bot/dialogue/rules.py). The decision's name is recorded
on the reply (the bot message's metadata "routing"), so staff can see why an answer was given.

The router reads the catalogue and the knowledge base but renders nothing: the actions phrase the
decision (actions/replies.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Any

from bot.catalogue import CatalogueStore, CatalogueUnavailable, SearchHit, Service, describe
from bot.catalogue.centre import ServiceCentre, default_centre
from bot.catalogue.fields import FieldVocabulary
from bot.catalogue.hotline import Hotline, default_hotline
from bot.catalogue.schema import CHANNELS
from bot.catalogue.tokens import character_pairs, normalize, telling_pairs
from bot.dialogue.links import TopicLinks
from bot.dialogue.menus import Menus, shared_menus
from bot.dialogue.rules import RoutingRules, ServiceDetail
from bot.dialogue.topics import Topics, content_chars, is_elliptical
from bot.dialogue.turn import (
    SERVICE_OPTION,
    SUBJECT_CENTRE,
    SUBJECT_HOTLINE,
    SUBJECT_KNOWLEDGE,
    SUBJECT_OPTIONS,
    SUBJECT_SERVICE,
    TOPIC_OPTION,
    Turn,
    kind_of_option,
    kind_option,
)
from bot.knowledge.model import KnowledgeBase
from bot.privacy.masking import find_numbers

# What kind of reply a decision asks for (actions/replies.py phrases each).
SERVICE = "service"            # a service's card, or the fields asked of it
SERVICE_GUIDE = "service_guide"  # a service's whole guide ("还有吗" about it)
SERVICE_BEYOND = "service_beyond"  # what a service's guide does not give, said plainly (12345)
TOPIC = "topic"                # a topic's answer (with a note when the question reaches beyond it)
OFFER = "offer"                # services (or topics) to choose from
KIND_LIST = "kind_list"        # all services of a kind, numbered, in groups when long
OUT_OF_SCOPE = "out_of_scope"  # handed on to 12345
NOT_FOUND = "not_found"        # no service fits
NOTHING_MORE = "nothing_more"  # no more on the topic
WHICH_MORE = "which_more"      # "还有吗" with nothing under discussion
NOTHING_OFFERED = "nothing_offered"  # "第二个" with no list offered
UNSURE = "unsure"              # the fallback's offer of likely services and topics
CHANNEL = "channel"            # the services of a channel
WHICH_CHANNEL = "which_channel"
UNAVAILABLE = "unavailable"    # the catalogue cannot be read
REPHRASE = "rephrase"          # a bare "不是": please say it another way
DEFAULT = "default"            # nothing fits at all
MENU = "menu"                  # an area's menu of next questions (sources/menus.yml)
CENTRE = "centre"              # the district service centre's record (its fields asked, or all)
HOTLINE = "hotline"            # the 12345 hotline's record (its fields asked, or what it is and when to call)

# Said after a service's card when the question names another place (Router._with_place_note).
SERVICE_ELSEWHERE = ("以上是市中区的办事指南；{places}的办理要求请以当地为准，我不能替您推测，"
                     "可拨打12345市民服务热线咨询。")

# The catalogue's guide fields the NLU finds (`field` entities) that ask the same of the centre.
CENTRE_FIELD_OF_GUIDE = {"place": "address", "hours": "hours", "phone": "phone"}


@dataclass(frozen=True)
class Offer:
    """One option offered ("service:<code>", "topic:<id>", "kind:<kind>|<channel>") and its title."""

    option: str
    title: str


@dataclass(frozen=True)
class Decision:
    name: str
    reply: str
    service: Service | None = None
    fields: tuple[str, ...] = ()
    topic: str | None = None
    offers: tuple[Offer, ...] = ()
    services: tuple[Service, ...] = ()
    channel: str | None = None
    note: str | None = None
    # A kind's list: (heading, how many of `offers` in a row fall under it), in order.
    groups: tuple[tuple[str, int], ...] = ()
    # The catalogue's kinds of service a kind's list names (养老服务 …).
    kinds: tuple[str, ...] = ()
    # After a topic's answer: the related topics offered as next questions.
    next_topics: tuple[str, ...] = ()
    # An area's menu (sources/menus.yml) by id.
    menu: str | None = None
    # What the question asks of `service` that its guide does not give (SERVICE_BEYOND).
    details: tuple[ServiceDetail, ...] = ()

    def record(self, turn: Turn) -> dict[str, Any]:
        """What the bot message's metadata keeps of this decision (staff see it per conversation)."""
        record: dict[str, Any] = {"decision": self.name, "intent": turn.intent}
        if self.service is not None:
            record["service"] = self.service.code
        if self.fields:
            record["fields"] = list(self.fields)
        if self.topic:
            record["topic"] = self.topic
        if self.offers:
            record["offered"] = [o.option for o in self.offers]
        if self.kinds:
            record["kinds"] = list(self.kinds)
        if self.reply in (TOPIC, CENTRE) and self.services:
            record["related"] = [s.code for s in self.services]
        if self.next_topics:
            record["next"] = list(self.next_topics)
        if self.menu:
            record["menu"] = self.menu
        if self.details:
            record["details"] = list(dict.fromkeys(d.what for d in self.details))
        if self.channel:
            record["channel"] = self.channel
        return record


class _Look:
    """What the decisions of one turn look up, each at most once (catalogue searches, scores)."""

    def __init__(self, router: Router, turn: Turn) -> None:
        self.router, self.turn = router, turn
        self.rules = router.rules

    @functools.cached_property
    def query(self) -> str:
        """The text as searched: the openings that only say one wants to ask taken off."""
        return self.rules.search_query(self.turn.text)

    @functools.cached_property
    def hits(self) -> list[SearchHit]:
        return self.router.catalogue.search(self.query, self.rules.offered_at_most)

    @functools.cached_property
    def lexical(self) -> dict[str, float]:
        return self.router.topics.lexical(self.turn.text)

    @functools.cached_property
    def current(self) -> Service | None:
        code = self.turn.state.current_service
        return self.router.catalogue.get(code) if code else None

    @functools.cached_property
    def entity_services(self) -> list[Service]:
        """The services the NLU's `service` entities name, in order, without repeats; not one named
        only inside a word of the topic under discussion (`_inside_the_topic_discussed`)."""
        found: dict[str, Service] = {}
        for _, service in self._entity_values:
            found.setdefault(service.code, service)
        return [service for service in found.values() if not self._inside_the_topic_discussed(service)]

    def _inside_the_topic_discussed(self, service: Service) -> bool:
        """"总投资多少" right after the city-level projects: every place the message names the service
        (by a name, an alias or the NLU's value for it), taken with a character of the message beside
        it, stands in the article topic under discussion (its title, a term, its answer or passage)
        and in none of the service's names — the message quotes the topic —, and it asks a kind of
        fact the topic's answer gives (`facts`). Not when it asks a field, or what only a service
        answers."""
        turn, state = self.turn, self.turn.state
        topic = self.router.knowledge.topics.get(state.knowledge_topic or "")
        if state.subject != SUBJECT_KNOWLEDGE or topic is None or self._asks_of_a_service:
            return False
        if set(turn.fields) - set(self.rules.words["topic_place_fields"]):
            return False  # a field a service answers and the article does not ("…的房租多少")
        # It asks a kind of fact the topic's answer gives (a figure for 多少, names for 哪些, a place).
        if not any(fact.asked.search(turn.text) and fact.given.search(topic.answer) for fact in self.rules.facts):
            return False
        own = self.router.topic_texts[topic.id]
        text = self._text
        names = {normalize(name) for name in service.names()}
        names |= {normalize(value) for value, named in self._entity_values if named.code == service.code}
        places = [place for name in names if name for place in _occurrences(text, name)]

        def quoted(start: int, end: int) -> bool:
            widened = (text[start - 1:end] if start else "", text[start:end + 1] if end < len(text) else "")
            return any(word and any(word in part for part in own) and not any(word in name for name in names)
                       for word in widened)

        return bool(places) and all(quoted(start, end) for start, end in places)

    @functools.cached_property
    def _entity_values(self) -> list[tuple[str, Service]]:
        """(value, service) of each `service` entity value that stands for one service."""
        named = ((value, self.router.service_named(value)) for value in self.turn.services)
        return [(value, service) for value, service in named if service is not None]

    @functools.cached_property
    def _text(self) -> str:
        """The message's text as names are compared in (normalize)."""
        return normalize(self.turn.text)

    @functools.cached_property
    def name_hits(self) -> list[SearchHit]:
        """Search hits whose name or alias stands in the question (the name tier); for a question
        the NLU took for the article's that asks nothing only a service answers, not a name that
        stands only inside a longer term of the article ("无违建创建" holds 违建, an alias of the
        service for reporting illegal buildings)."""
        hits = [h for h in self.hits if h.score >= self.rules.named_score
                and not self._inside_the_topic_discussed(h.service)]
        if self.turn.entry != "knowledge" or self._asks_of_a_service:
            return hits
        return [h for h in hits if not self._only_inside_article_terms(h.service)]

    @functools.cached_property
    def _asks_of_a_service(self) -> bool:
        """The message asks what only a service answers, whatever article term it names: a guide
        field in the vocabulary's words other than a place or time an article topic also has
        (topic_place_fields: "在哪一级开展" may ask the article), how to do something, or where to
        turn ("渣土运输去哪儿审批", "工地扬尘能网上反映吗")."""
        text, rules = self.turn.text, self.rules
        return bool(set(self.field_words) - set(rules.words["topic_place_fields"])
                    or rules.pattern("procedural").search(text) or rules.pattern("service_ask").search(text))

    def _only_inside_article_terms(self, service: Service) -> bool:
        """Every place the message holds a name or alias of the service lies inside one of the
        article's terms or titles that is longer and none of the service's names."""
        text, names = self._text, {normalize(name) for name in service.names()}
        terms = [(start, end) for term in self.router.article_names if term not in names
                 for start, end in _occurrences(text, term)]
        places = [place for name in names if name for place in _occurrences(text, name)]
        return bool(places) and all(any(start <= s and e <= end for start, end in terms) for s, e in places)

    @functools.cached_property
    def named(self) -> Service | None:
        """The service the message names: an entity's, else one name-tier hit clearly ahead of any
        other; else, while no article topic is discussed, the service the words of an elliptical
        follow-up name by themselves ("那社保卡呢" after 居住证申领: 社保卡, searched alone)."""
        current = self.current.code if self.current else None
        said = [*self.entity_services, *self._named_verb_first]
        others = [s for s in said if s.code != current]
        if others or said:
            services = others or said
            return self._named_after_its_use(said) or self._asked_in_its_clause(services) or services[0]
        named = self._clearly_named(self.name_hits) or self._named_by_core
        if named is None and self.turn.state.subject != SUBJECT_KNOWLEDGE and self.elliptical:
            core = self.core
            if core and core != self.query:
                named = self.named_by(core)
        return named or self._named_with_fillers

    def _named_after_its_use(self, said: list[Service]) -> Service | None:
        """"开公司的营业执照咋办": another service the search found, its name, an alias or its name's
        core (Router.cores) right after "<a name said>的" and right before a how-to (procedural), is
        what is asked; the name before 的 only says what it is for. Not a thing the said service
        asks for ("离婚登记的结婚证怎么弄": among its materials or conditions) or one to bring
        ("…的社保卡要带吗": thing_brought)."""
        text = self._text
        said_names = [name for service in said for name in self._names_of(service)]
        # Where a name could start: right after "<a name said>的".
        starts = [at + 1 for at, char in enumerate(text)
                  if char == "的" and any(text[:at].endswith(name) for name in said_names)]
        if not starts:
            return None
        procedural, brought = self.rules.pattern("procedural"), self.rules.pattern("thing_brought")
        # What a said service asks for ("离婚登记的结婚证要带吗": 结婚证 is among its materials).
        required = " ".join([m.name for service in said for m in service.materials]
                            + [c for service in said for c in service.conditions])
        for hit in self.hits:
            if any(hit.service.code == service.code for service in said):
                continue
            for name in (*self._names_of(hit.service), *self.router.cores(hit.service)):
                if name in required:
                    continue
                for start in starts:
                    if not text.startswith(name, start):
                        continue
                    clause = self.rules.pattern("clause").match(text, start + len(name))
                    how = procedural.search(clause.group()) if clause is not None else None
                    if (how is not None and how.start() <= self.rules.how_after_name_chars
                            and not brought.search(clause.group())):
                        return hit.service
        return None

    @functools.cached_property
    def _named_verb_first(self) -> list[Service]:
        """The services the search found that the message calls by the official name turned round
        ("认定就业困难人员": Router.verb_first), besides those the NLU marked; not where it only sets
        the time ("登记结婚后…": time_after)."""
        marked = {service.code for service in self.entity_services}
        later, text = self.rules.pattern("time_after"), self._text
        return [hit.service for hit in self.hits if hit.service.code not in marked
                and any(not later.match(text, end) for name in self.router.verb_first(hit.service)
                        for _, end in _occurrences(text, name))]

    @functools.cached_property
    def _named_with_fillers(self) -> Service | None:
        """"注册个新公司", "开家小饭馆": of the services the search found, the only one whose name or
        alias (name_filled_chars or longer) stands in the message with a filler or two put between
        its characters (`name_fillers`: 个, 家, 小, 新 …) before its last two, when no name stands in
        it as written."""
        if self.name_hits:
            return None
        found: dict[str, Service] = {}
        for hit in self.hits:
            for name in self._names_of(hit.service):
                filled = self.router.filled_name(name)
                if filled is not None and name not in self._text and filled.search(self._text):
                    found[hit.service.code] = hit.service
                    break
        return next(iter(found.values())) if len(found) == 1 else None

    @functools.cached_property
    def _named_by_core(self) -> Service | None:
        """"户外广告设施设置怎么弄": of the services the search found, the only one called by its official
        name without the generic ending (Router.cores), a core no other found service has in a
        name (营业执照 is in 个体户营业执照 too: which one is meant stays a choice)."""
        if self.name_hits:
            return None

        def elsewhere(core: str, code: str) -> bool:
            return any(core in normalize(name) for hit in self.hits if hit.service.code != code
                       for name in hit.service.names())

        found = {hit.service.code: hit.service for hit in self.hits
                 if any(core in self._text and not elsewhere(core, hit.service.code)
                        for core in self.router.cores(hit.service))}
        return next(iter(found.values())) if len(found) == 1 else None

    @functools.cached_property
    def services_by_core(self) -> tuple[Service, ...]:
        """"营业执照去政务大厅弄": the services the search found that hold, in a name, the core of a
        found service's name standing in the message (Router.cores) — those it may mean."""
        cores = {core for hit in self.hits for core in self.router.cores(hit.service) if core in self._text}
        found = {hit.service.code: hit.service for hit in self.hits
                 if any(core in normalize(name) for core in cores for name in hit.service.names())}
        return tuple(found.values())

    def _asked_in_its_clause(self, services: list[Service]) -> Service | None:
        """Of several services named, the only one whose clause asks something ("孩子小学快毕业了，
        升初中要准备啥": the second; "低保要什么材料，临时救助呢": the first); when no clause asks a
        field or a how-to, the only one wished right before its name ("刚领了证，要做生育登记，在哪办":
        the second), else the only one named in a clause that is a question ("厂子倒闭没活干了，
        能算就业困难吗": the first clause tells the situation, the second asks)."""
        if len(services) < 2:
            return None
        found = [service for service in services if self._asked_in_clause(service, after_name=False)]
        if not found:
            found = [service for service in services if self._wished_before(self._names_of(service))]
        if not found:
            found = [service for service in services if self.named_in_a_question(service)]
        return found[0] if len(found) == 1 else None

    def _wished_before(self, names: Iterable[str]) -> bool:
        """A wish to do something ("想办张", "要做", "想立块"), or how to ("怎么开公司"), stands right
        before one of the names (the name may begin inside the wish: "要上初中" is 要 + the alias 上初中)."""
        text, names = self._text, [name for name in names if name]
        wishes = (*self.rules.pattern("service_wish").finditer(text),
                  *self.rules.pattern("wish_with_measure").finditer(text))
        if any(text.startswith(name, start) for match in wishes
               for start in range(match.start() + 1, match.end() + 1) for name in names):
            return True
        district = self.rules.pattern("district_does")
        return any(text.startswith(name, how.end()) and self._how_to_do(name, how.end())
                   and not district.search(text[:how.start()])
                   for how in self.rules.pattern("how_before_name").finditer(text) for name in names)

    def _how_to_do(self, name: str, start: int) -> bool:
        """After "怎么", a name that says a doing the resident asks how to do: not one of the
        article's terms ("区里如何楼宇招商" asks how the district does it), and the end of its clause
        or followed by a particle, a field or how_name_followers ("怎么开公司要…"), not by another
        thing ("怎么开公司账户", "怎么幼儿园还没开学")."""
        if name in self.router.article_names:
            return False
        rest = self._text[start + len(name):]
        clause_end = self.rules.pattern("clause").match(rest)
        rest = clause_end.group() if clause_end else ""
        if not rest or not "\u4e00" <= rest[0] <= "\u9fff" or rest[0] in self.rules.words["name_particles"]:
            return True
        return (any(at == 0 for at, _, _ in self.router.vocabulary.spans(rest))
                or rest.startswith(tuple(self.rules.words["how_name_followers"])))

    def named_in_a_question(self, service: Service) -> bool:
        """The message tells something in one clause and asks in another that names the service
        ("厂子倒闭没活干了，能算就业困难吗"): the service is what it asks about, not named in passing."""
        question = self.rules.pattern("question_clause")
        clauses = [clause.group() for clause in self._clauses]
        if len(clauses) < 2:
            return False
        # The name ends where the clause does, or before a particle or the question: not "低保边缘户咋认定",
        # which asks of a longer thing than the name.
        ends = [clause[clause.find(name) + len(name):] for clause in clauses if question.search(clause)
                for name in self._names_of(service) if name in clause]
        particles = self.rules.words["name_particles"]
        return any(not rest or rest[0] in particles or question.match(rest) for rest in ends)

    def done_in_question(self, service: Service) -> bool:
        """The clause that asks is about doing the service: a doing word right before one of its
        names ("外地来打工的，申请居住证要满足啥条件", service_doing) and a field of it asked after
        the name, so it is the service asked about, not one named in passing. Not when what follows
        the name sets it in the background ("办低保之后…", "办低保的人…", "…以外还能…":
        done_background)."""
        question, doing = self.rules.pattern("question_clause"), self.rules.pattern("service_doing")
        background = self.rules.pattern("done_background")
        for clause in (found.group() for found in self._clauses):
            if not question.search(clause):
                continue
            for name in self._names_of(service):
                at = clause.find(name)
                rest = clause[at + len(name):]
                if at <= 0 or background.match(rest) or not self.router.vocabulary.spans(rest):
                    continue
                if any(doing.fullmatch(clause[start:at]) for start in range(max(0, at - 6), at)):
                    return True
        return False

    def asked_after_name(self, service: Service) -> bool:
        """A field or a how-to follows one of the service's names, at most asked_after_chars later
        ("居住证丢了咋补"; not "低保边缘家庭怎么认定", which asks of the longer thing named)."""
        return self._asked_in_clause(service, after_name=True)

    def _asked_in_clause(self, service: Service, after_name: bool) -> bool:
        names = self._names_of(service)
        for clause in self._clauses:
            ends = [clause.start() + clause.group().find(name) + len(name) for name in names if name in clause.group()]
            gap = self.rules.asked_after_chars
            if after_name and any(end <= ask <= end + gap for end in ends for ask in self._asks):
                return True
            if not after_name and ends and any(clause.start() <= ask < clause.end() for ask in self._asks):
                return True
        return False

    def kinds_asked_beside(self, service: Service) -> list[str]:
        """Kinds of service other than `service`'s whose word stands in a clause that asks something
        and names `service` by none of its names ("医保报完还差不少，能申请救助吗": 社会救助)."""
        names = self._names_of(service)
        asking = [clause.group() for clause in self._clauses
                  if any(clause.start() <= ask < clause.end() for ask in self._asks)
                  and not any(name in clause.group() for name in names)]
        # "交社保能有补贴吗" after 灵活就业 still asks of 灵活就业人员社会保险补贴: its words find it first.
        asking = [clause for clause in asking
                  if not any(h.service.code == service.code for h in self.router.catalogue.search(clause, 1))]
        return [kind for kind in self.kinds if kind != service.topic
                and any(word in clause for clause in asking for word in self.rules.kinds[kind])]

    def _names_of(self, service: Service) -> set[str]:
        """The service's names and the NLU's values that stand for it, normalised."""
        values = [value for value, named in self._entity_values if named.code == service.code]
        names = (*service.names(), *values, *self.router.verb_first(service))
        return {normalize(name) for name in names} - {""}

    @functools.cached_property
    def _clauses(self) -> list[re.Match[str]]:
        return list(self.rules.pattern("clause").finditer(self._text))

    @functools.cached_property
    def _asks(self) -> list[int]:
        """Where the message asks a field or how to do something (offsets in its normalised text)."""
        return ([start for start, _, _ in self.router.vocabulary.spans(self._text)]
                + [match.start() for match in self.rules.pattern("procedural").finditer(self._text)])

    def _clearly_named(self, hits: list[SearchHit]) -> Service | None:
        if hits and (len(hits) == 1 or hits[0].score - hits[1].score >= self.rules.named_margin):
            return hits[0].service
        return None

    def named_by(self, words: str) -> Service | None:
        """The service a part of the message names by itself (its name or alias, name tier)."""
        hits = self.router.catalogue.search(words, self.rules.offered_at_most)
        return self._clearly_named([h for h in hits if h.score >= self.rules.named_score])

    @functools.cached_property
    def core(self) -> str:
        """The query without an elliptical opening and ending ("那社保卡呢" → 社保卡)."""
        text = self.query.strip(" ？?。！!，,")
        for start in sorted(self.rules.words["elliptical_starts"], key=len, reverse=True):
            if text.startswith(start):
                text = text[len(start):]
                break
        for end in sorted(self.rules.words["elliptical_ends"], key=len, reverse=True):
            if text.endswith(end):
                text = text[:-len(end)]
                break
        return text.strip(" ？?。！!，,")

    @functools.cached_property
    def bare_name(self) -> bool:
        """The message (an asking opening off, "另外问下居住证申领", and an elliptical opening or
        ending: "那高龄津贴申领呢") is a service's name or alias and nothing else: it asks about that
        service whatever the NLU's intent — unless it is also a term or title of the article
        ("经纬人才"), whose topic the NLU's answer then stands for."""
        named = self.named
        text = self.core
        return (named is not None and (text in named.names() or text in self.turn.services)
                and normalize(text) not in self.router.article_names)

    @functools.cached_property
    def near_name(self) -> Service | None:
        """The service the whole message (almost) is a name or alias of, asked bare with a slip
        or in traditional characters ("结婚登计", "臨時救助"): one service only, and no term or
        title of the article that close (the NLU's topic then stands)."""
        text = normalize("".join(ch for ch in self.query if ch.isalnum()))
        if len(text) < 2:
            return None
        ratio, extra = self.rules.near_name_ratio, self.rules.near_name_extra_chars

        def near(name: str) -> bool:
            return len(text) <= len(name) + extra and _likeness(text, name) >= ratio

        if any(near(term) for term in self.router.article_names):
            return None
        close = [h.service for h in self.hits if any(near(normalize(name)) for name in h.service.names())]
        return close[0] if len(close) == 1 else None

    def situation_share(self, service: Service, beside: Service | None = None) -> float:
        """The share of the message's telling character pairs that the service's situations hold
        (sources/catalogue `situations`: the needs it meets, in residents' words); 0 when fewer
        than situation_pairs of them do (one shared word, "医院", says little). With `beside`, the
        pairs of that service's names the message holds are left out (what remains describes),
        and situation_beside_pairs must be shared."""
        asked = telling_pairs(self.query) - self.router.home_pairs
        if beside is not None:
            text = normalize(self.query)
            asked -= {pair for name in beside.names() if normalize(name) in text
                      for pair in character_pairs(name)}
        if not asked or not service.situations:
            return 0.0
        own = set().union(*(character_pairs(situation) for situation in service.situations))
        shared = len(asked & own)
        least = self.rules.situation_beside_pairs if beside is not None else self.rules.situation_pairs
        return shared / len(asked) if shared >= least else 0.0

    @functools.cached_property
    def situation(self) -> Service | None:
        """The service whose situations the message describes ("老伴走了一个人没收入"): the search's
        best, below the name tier (a name is the named decisions' business), with at least
        situation_score and situation_share of the message's words in its situations, ahead of
        the next clearly in the search (clear_lead) or in that share (situation_margin)."""
        hits, rules = self.hits, self.rules
        if not hits or not rules.situation_score <= hits[0].score < rules.named_score:
            return None
        service, share = hits[0].service, self.situation_share(hits[0].service)
        if share < rules.situation_share:
            return None
        if len(hits) > 1 and hits[0].score < rules.situation_lead * hits[1].score:
            return None  # the search finds others about as well
        if len(hits) > 1 and hits[0].score < rules.clear_lead * hits[1].score \
                and share < self.situation_share(hits[1].service) + rules.situation_margin:
            return None  # ahead neither in the search nor in how much its situations hold
        return service

    @functools.cached_property
    def channel(self) -> str | None:
        """The channel (一证通办 …) the message names first, by its name or a resident's word."""
        text = self.turn.text
        found = [(text.find(word), channel) for channel, words in self.rules.channels.items()
                 for word in words if word in text]
        found += [(text.find(c), c) for c in CHANNELS if c in text]
        return min(found)[1] if found else None

    @functools.cached_property
    def kinds(self) -> list[str]:
        """The catalogue's kinds of service the message names by one of their words, in the order
        named; a word inside a longer one counts as the longer ("养老保险" is 社会保障, not 养老服务)."""
        text = self.turn.text
        spans = [(text.find(word), len(word), kind) for kind, words in self.rules.kinds.items()
                 for word in words if word in text]
        kept = [(start, length, kind) for start, length, kind in spans
                if not any(s <= start and start + length <= s + n and n > length for s, n, _ in spans)]
        return list(dict.fromkeys(kind for _, _, kind in sorted(kept)))

    @functools.cached_property
    def offered_services(self) -> list[tuple[str, Service]]:
        """The services of the options waiting for a choice, (option, service) in order."""
        found = [(option, self.router.option(option)[0]) for option in self.turn.state.options]
        return [(option, service) for option, service in found if service is not None]

    @functools.cached_property
    def options_lead(self) -> Service | None:
        """The one offered service the message the list answered named ("营业执照要怎么弄": the business
        licence's own service of three offered): the only option a name of which, its generic words off (登记,
        办理 …), stands whole in that message, and the option that message's search ranks first."""
        asked = self.turn.state.options_asked
        offered = self.offered_services
        if not asked or len(offered) < 2:
            return None
        generic = re.compile("|".join(map(re.escape, self.rules.words["name_generic_words"])))
        named = [service for _, service in offered
                 if any(len(own) >= 2 and own in asked for own in (generic.sub("", n) for n in service.names()))]
        if len(named) != 1:
            return None
        codes = {service.code for _, service in offered}
        ranked = [h.service.code for h in self.router.catalogue.search(asked, len(codes) + self.rules.offered_at_most)
                  if h.service.code in codes]
        return named[0] if ranked and ranked[0] == named[0].code else None

    @functools.cached_property
    def procedural(self) -> bool:
        asked = [match.group() for match in self.rules.pattern("procedural").finditer(self.turn.text)]
        return bool(asked) and not (all(self.rules.pattern("plan_how").fullmatch(how) for how in asked)
                                    and self.named is None and self._plan_term)

    @functools.cached_property
    def _plan_term(self) -> bool:
        """The message holds one of the article's terms or titles of plan_term_chars or more that is
        in no official name of the services its words find ("楼宇经济准备怎么搞" asks how the district
        goes about its plan; "人才住房" is in 人才住房补贴申领, a resident's how-to)."""
        names = [normalize(hit.service.name) for hit in self.hits]
        return any(len(term) >= self.rules.plan_term_chars and term in self._text
                   and not any(term in name for name in names) for term in self.router.article_names)

    @functools.cached_property
    def wished(self) -> bool:
        """A wish to do the named service stands right before one of its names ("想办张社保卡")."""
        return self._wished_before(self._named_names)

    @functools.cached_property
    def required_of_named(self) -> bool:
        """What the plan requires of those one of the named service's names calls ("对零就业家庭的
        要求是什么", required_of): the name stands between 对 and 要求 and in the article's own text."""
        names = [name for name in self._named_names if any(name in text for text in self.router.article_texts)]
        return any(any(name in found.group() for name in names)
                   for found in self.rules.pattern("required_of").finditer(self._text))

    @functools.cached_property
    def what_is_named(self) -> bool:
        """What the named service is, asked right after one of its names ("低保到底是什么"), a name
        that is no term or title of the article (人才就医 is the article's to define)."""
        names = [re.escape(name) for name in self._named_names if name not in self.router.article_names]
        if not names:
            return False
        asked = f"(?:{'|'.join(names)})(?:{self.rules.pattern('service_what_is').pattern})"
        return re.search(asked, self._text) is not None

    @functools.cached_property
    def _named_names(self) -> list[str]:
        """The named service's names and aliases and the NLU's `service` values, normalised."""
        if self.named is None:
            return []
        return [n for n in dict.fromkeys(normalize(name) for name in (*self.named.names(), *self.turn.services)) if n]

    @functools.cached_property
    def elliptical(self) -> bool:
        return is_elliptical(self.turn.text, self.rules)

    @functools.cached_property
    def other_place(self) -> bool:
        return bool(self.rules.pattern("other_places").search(self.turn.text))

    @functools.cached_property
    def field_words(self) -> tuple[str, ...]:
        """The guide fields the message's words name by the field vocabulary (sources/fields.yml),
        as the NLU's `field` entities would: where DIET marked none."""
        vocabulary, text = self.router.vocabulary, self.turn.text
        return vocabulary.guides([text[start:end] for start, end, _ in vocabulary.spans(text)])

    @functools.cached_property
    def about_current_only(self) -> bool:
        """The message names no other service and says nothing but field words, words pointing back or
        steps of handling, and runs of two characters or more of the current service's names
        ("之前那个保障卡批下来要几天" after 社会保障卡申领), but for follow_up_residue_chars at most.
        A service named (离婚登记 after 结婚登记, sharing 婚登记) is never the current one's follow-up."""
        current, named = self.current, self.named
        if current is None or (named is not None and named.code != current.code):
            return False
        return self._rest_beside_current(current, ()) <= self.rules.follow_up_residue_chars

    @functools.cached_property
    def field_words_only(self) -> bool:
        """The message asks a field and says nothing else but words pointing back or steps of
        handling ("大概得多长时间", "要交钱吗"), but for follow_up_residue_chars at most."""
        if any(self.rules.pattern(name).fullmatch(self.turn.text) for name in ("definition", "definition_first")):
            return False  # "网上办是啥" asks what a term means (definition)
        asks = bool(self.turn.fields or self.field_words)
        return asks and self._rest_beside_current(None, ()) <= self.rules.follow_up_residue_chars

    @functools.cached_property
    def name_and_field_words_only(self) -> bool:
        """The message names a service and asks fields of it by the vocabulary's words, and says
        nothing else but its names, words pointing back or steps of handling ("结婚登记得带些什么"),
        but for follow_up_residue_chars at most: the fields asked even where DIET marked none (of
        the service under discussion, current_service reads them so)."""
        named = self.named
        return (named is not None and bool(self.field_words)
                and self._rest_beside_current(named, ()) <= self.rules.follow_up_residue_chars)

    def _rest_beside_current(self, current: Service | None, spans: Iterable[tuple[int, int]]) -> int:
        """The characters of the message (as compared, `_text`) that are none of `spans`, field
        words, words pointing back or steps of handling, or runs of the current service's names."""
        text = self._text
        kept = [True] * len(text)
        for start, end in spans:
            kept[start:end] = [False] * (end - start)
        for start, end, _ in self.router.vocabulary.spans(text):
            kept[start:end] = [False] * (end - start)
        for match in self.rules.pattern("service_follow_up_words").finditer(text):
            kept[match.start():match.end()] = [False] * (match.end() - match.start())
        names = [normalize(name) for name in current.names()] if current is not None else []
        longest = max(map(len, names), default=0)
        start = 0
        while start < len(text) - 1:
            end = next((end for end in range(min(len(text), start + longest), start + 1, -1)
                        if any(text[start:end] in name for name in names)), start)
            kept[start:end] = [False] * (end - start)
            start = max(end, start + 1)
        rest = "".join(ch for ch, keep in zip(text, kept, strict=True) if keep)
        return content_chars(rest)

    @functools.cached_property
    def service_details(self) -> tuple[ServiceDetail, ...]:
        """What the message asks of a service that no guide holds (rules.service_details); one
        that yields to a guide field is left out when the message also asks a field."""
        asks_field = bool(self.turn.fields or self.field_words)
        return tuple(d for d in self.rules.service_details
                     if d.asked.search(self._text) and not (d.field_first and asks_field))

    @functools.cached_property
    def asks_eligibility(self) -> bool:
        """Whether the message only asks if one may do the service ("户口不在这边能办吗")."""
        return bool(self.rules.pattern("eligibility").search(self._text))

    @functools.cached_property
    def details_of_current_only(self) -> bool:
        """The message asks such details of the current service and says nothing else ("一般几月份
        可以开始报", "材料交上去审到哪一步了"), but for follow_up_residue_chars at most."""
        current = self.current
        if current is None or self.named is not None:
            return False
        spans = [m.span() for d in self.service_details for m in d.asked.finditer(self._text)]
        return self._rest_beside_current(current, spans) <= self.rules.follow_up_residue_chars

    @functools.cached_property
    def unrelated_or_personal(self) -> bool:
        """A knowledge question no topic fits, or a repair or complaint of one's own."""
        turn = self.turn
        return self.router.topics.unrelated(list(turn.ranking), self.lexical) or self.personal

    @functools.cached_property
    def personal(self) -> bool:
        """A repair or complaint of one's own ("家里漏水了"); not a complaint the service the message
        names takes, by the word it names it with ("工地扬尘…投诉找谁": the dust complaints' service
        is the catalogue's)."""
        said = [m.group() for m in self.rules.pattern("personal_request").finditer(self.turn.text)]
        if not said:
            return False
        named = self.named
        return named is None or not all(any(word in name for name in named.names()) for word in said)

    @functools.cached_property
    def centre_fields(self) -> tuple[str, ...]:
        """The service centre's fields the message asks, in the order asked (by the words of
        sources/routing.yml centre_fields, then the NLU's field entities)."""
        text = self.turn.text
        found = sorted((text.find(word), key) for key, words in self.rules.centre_fields.items()
                       for word in words if word in text)
        asked = [key for _, key in found]
        asked += [CENTRE_FIELD_OF_GUIDE[f] for f in self.turn.fields if f in CENTRE_FIELD_OF_GUIDE]
        return tuple(dict.fromkeys(asked))

    @functools.cached_property
    def centre_named(self) -> bool:
        return any(name in self.turn.text for name in self.router.centre().names())

    @functools.cached_property
    def hotline_named(self) -> bool:
        """Whether the message names the 12345 hotline (its record's name or aliases; a number only
        standing alone, not inside a longer one: "13812345678" names no hotline)."""
        return bool(self.router.hotline_names.search(self.turn.text))

    @functools.cached_property
    def hotline_fields(self) -> tuple[str, ...]:
        """The hotline's fields the message asks, in the order asked (sources/routing.yml
        hotline_fields); a word inside or across a longer one found counts as the longer
        ("是什么时间": 什么时间, not 是什么)."""
        return _asked(self.turn.text, self.rules.hotline_fields)

    @functools.cached_property
    def phone_asked(self) -> str | None:
        """Whose phone a message the NLU took for a wish to be called back asks (phone_asked)."""
        router = self.router
        return phone_asked(self.turn, self.rules, router.vocabulary, router.centre, router.hotline)

    @functools.cached_property
    def names_a_service(self) -> bool:
        """Whether a service is named in so many words (its name or an alias stands in the text)."""
        named = self.named
        return named is not None and any(name in self.turn.text for name in named.names())

    def asked_with_the_options(self) -> tuple[str, ...]:
        """The field asked when the options were offered ("要带什么材料" → which one? → "第一个")."""
        state = self.turn.state
        previous = self.router.vocabulary.field_of(state.field or "") if state.subject == SUBJECT_OPTIONS else None
        return (previous.guide,) if previous else ()

    def fields_with_carry_over(self) -> tuple[str, ...]:
        """The fields asked; an elliptical message naming only a service ("那居住证呢") asks the
        field asked just before again."""
        if self.turn.fields:
            return self.turn.fields
        previous = self.router.vocabulary.field_of(self.turn.state.field or "")
        ends = self.turn.text.rstrip(" ？?。！!").endswith(tuple(self.rules.words["elliptical_ends"]))
        if previous is not None and self.elliptical and ends:
            return (previous.guide,)
        return ()


Decide = Callable[[_Look], "Decision | None"]


class Router:
    """Chooses the answer of a turn: the first decision of DECISIONS that applies."""

    def __init__(self, rules: RoutingRules, catalogue: CatalogueStore, knowledge: KnowledgeBase,
                 lexical: Callable[[str], dict[str, float]], vocabulary: FieldVocabulary,
                 menus: Menus | None = None, centre: Callable[[], ServiceCentre] = default_centre,
                 hotline: Callable[[], Hotline] = default_hotline) -> None:
        self.rules = rules
        self.catalogue = catalogue
        self.knowledge = knowledge
        self.topics = Topics(knowledge, rules, lexical)
        self.links = TopicLinks(knowledge, catalogue, rules)
        self.vocabulary = vocabulary
        self.menus = menus or shared_menus()
        # Read at each question: a published edit of the record is answered from its first one.
        self.centre = centre
        self.hotline = hotline
        self.hotline_names = hotline_pattern(hotline())
        # The district's own names: in any question, they tell of no one's need.
        self.home_pairs = frozenset(pair for word in rules.words["home_words"] for pair in character_pairs(word))
        # The article's own terms and titles, as compared with a bare name (near_name).
        self.article_names = frozenset(normalize(text) for topic in knowledge.topics.values()
                                       for text in (topic.title, *topic.terms) if text)
        # Each topic's own texts apart (title, terms, answer, passage), so no word is found across a seam.
        self.topic_texts = {t.id: tuple(normalize(text) for text in (t.title, *t.terms, t.answer, t.passage))
                            for t in knowledge.topics.values()}
        self.article_texts = tuple(normalize(text) for text in self.topics.own_text.values())
        self._cores: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._verb_first: dict[str, tuple[str, ...]] = {}
        self._filled: dict[str, re.Pattern[str] | None] = {}

    def cores(self, service: Service) -> tuple[str, ...]:
        """The official name without its generic ending (name_generic_words: the elderly's 优待证
        service's name without its 办理), when of naming_term_chars or more, not one of its names
        already, and neither said by the article nor holding an article term or title (双招双引项目 holds 双招双引: the
        article's to answer). Aliases are residents' words already; theirs are not taken."""
        names = service.names()
        if names not in self._cores:
            name = normalize(service.name)
            endings = sorted(self.rules.words["name_generic_words"], key=len, reverse=True)
            ending = next((e for e in endings if name.endswith(e) and len(name) > len(e)), "")
            core = name[:-len(ending)] if ending else ""
            own = {normalize(other) for other in names}
            kept = (len(core) >= self.rules.naming_term_chars and core not in own
                    and not any(core in text for text in self.article_texts)
                    and not any(term in core for term in self.article_names))
            self._cores[names] = (core,) if kept else ()
        return self._cores[names]

    def verb_first(self, service: Service) -> tuple[str, ...]:
        """The official name turned round, its ending said first as the verb it is (就业困难人员认定
        → 认定就业困难人员: verb_first_endings), when what is left has two characters or more."""
        if service.code not in self._verb_first:
            name = normalize(service.name)
            ending = next((e for e in sorted(self.rules.words["verb_first_endings"], key=len, reverse=True)
                           if name.endswith(e) and len(name) - len(e) >= 2), "")
            self._verb_first[service.code] = (ending + name[:-len(ending)],) if ending else ()
        return self._verb_first[service.code]

    def filled_name(self, name: str) -> re.Pattern[str] | None:
        """A (normalised) name as said with a filler or two put in (`name_fillers`: "注册个新公司"),
        compiled once a name; None for a name shorter than name_filled_chars. A filler goes before a
        word of two or more characters ("开家小饭馆"), never before a name's last character
        ("结婚正", a slip the catalogue lists, is no 结婚了正好)."""
        if name not in self._filled:
            fillers = f"[{re.escape(''.join(self.rules.words['name_fillers']))}]{{1,2}}"
            spelt = "".join(re.escape(ch) + (f"(?:{fillers})?" if at < len(name) - 2 else "")
                            for at, ch in enumerate(name[:-1])) + re.escape(name[-1:])
            self._filled[name] = re.compile(spelt) if len(name) >= self.rules.name_filled_chars else None
        return self._filled[name]

    def route(self, turn: Turn) -> Decision:
        look = _Look(self, turn)
        if _service_question_read_as_a_channel_list(look):
            turn = replace(turn, intent="ask_service")
            look = _Look(self, turn)
        elif _article_question_read_as_a_pick_or_more(look):
            turn = replace(turn, intent="faq")
            look = _Look(self, turn)
        elif (reread := _unless_down(_own_question_read_as_a_pick, look)) is not None:
            turn = replace(turn, intent=reread)
            look = _Look(self, turn)
        if not turn.fields and _unless_down(_fields_said_unmarked, look):
            turn = replace(turn, fields=look.field_words)  # "结婚登记得带些什么", no `field` marked
            look = _Look(self, turn)
        down = False
        for _name, entries, decide in DECISIONS:
            if turn.entry not in entries:
                continue
            try:
                decision = decide(look)
            except CatalogueUnavailable:
                # A question the NLU took for the article's still gets the article while the
                # catalogue is down (the decisions that might have given it a service give way).
                if turn.entry != "knowledge":
                    return Decision("catalogue_unavailable", UNAVAILABLE)
                down = True
                continue
            if decision is not None:
                return self._with_place_note(self._with_related(decision, turn), turn)
        if down:
            return Decision("catalogue_unavailable", UNAVAILABLE)
        return Decision("nothing_fits", DEFAULT)

    def _with_related(self, decision: Decision, turn: Turn) -> Decision:
        """A topic's answer names the services the topic leads on to and, up to
        `next_steps_at_most` in all, its related topics (those not shown yet first), so it is no
        dead end."""
        if decision.reply != TOPIC or not decision.topic:
            return decision
        services = decision.services or self.topic_services(decision.topic)
        room = int(self.rules.next_steps_at_most) - len(services)
        related = [t for t in self.knowledge.topics[decision.topic].related
                   if t in self.knowledge.topics and t != decision.topic]
        shown = set(turn.state.topics_shown)
        ordered = [t for t in related if t not in shown] + [t for t in related if t in shown]
        return replace(decision, services=services, next_topics=tuple(ordered[:max(room, 0)]))

    def _with_place_note(self, decision: Decision, turn: Turn) -> Decision:
        """"杭州的娃上一年级咋报名": a service's guide is Shizhong's, so another place the question
        names is said plainly, with 12345 — not a place one comes from (外省, origin_places)."""
        if decision.reply != SERVICE or decision.service is None or decision.note:
            return decision
        origin = self.rules.pattern("origin_places")
        places = [place for place in dict.fromkeys(self.rules.pattern("other_places").findall(turn.text))
                  if not origin.fullmatch(place)]
        if not places:
            return decision
        return replace(decision, note=SERVICE_ELSEWHERE.format(places="、".join(places)))

    def service_named(self, value: str) -> Service | None:
        """The service an entity value (a name or an alias) stands for; none when it names several
        alike ("优待证": the elderly's and the veterans' 优待证 services)."""
        hits = [h for h in self.catalogue.search(value, 2) if h.score >= self.rules.named_score]
        if not hits or (len(hits) > 1 and hits[0].score - hits[1].score < self.rules.named_margin):
            return None
        return hits[0].service

    def topic_services(self, topic_id: str) -> tuple[Service, ...]:
        """The catalogue services a topic leads on to (bot/dialogue/links.py, computed once)."""
        return self.links.of(topic_id)

    def option(self, option: str) -> tuple[Service | None, str | None]:
        """(service, topic id) an offered option stands for."""
        if option.startswith(SERVICE_OPTION):
            return self.catalogue.get(option[len(SERVICE_OPTION):]), None
        if option.startswith(TOPIC_OPTION) and option[len(TOPIC_OPTION):] in self.knowledge.topics:
            return None, option[len(TOPIC_OPTION):]
        return None, None

    def option_names(self, option: str, shown_only: bool = True) -> tuple[str, ...]:
        """What an offered option is called: as the list showed it, or also by its other names
        (a service's aliases, a kind's everyday words)."""
        kind = kind_of_option(option)
        if kind is not None:
            return (kind[0],) if shown_only else (kind[0], *self.rules.kinds.get(kind[0], ()))
        service, topic = self.option(option)
        if service is not None:
            return (service.name,) if shown_only else service.names()
        return (self.knowledge.topics[topic].title,) if topic else ()


def _service_question_read_as_a_channel_list(look: _Look) -> bool:
    """"开个小卖部需要办啥", "办居住证要跑几趟", "营业执照能一证通办吗": the NLU read a channel's
    list (its markers 办, 跑 …), yet the message asks for no list but names a service, asks of the
    service under discussion by a channel's or a field's words ("手机上弄行不", "要跑几趟"), or,
    naming no channel, asks a field or how to do something: a service question, routed as one (the
    channel decisions would list a channel's services or ask which channel is meant)."""
    if look.turn.entry != "channel" or look.rules.pattern("listing").search(look.turn.text):
        return False
    if look.named is not None:
        return True
    if look.current is not None and (look.channel is not None or look.field_words):
        return True  # "这个拿手机可以办吗" while a service is discussed: that service's way to do it
    return look.channel is None and (bool(look.turn.fields) or look.procedural)


def _occurrences(text: str, word: str) -> list[tuple[int, int]]:
    """(start, end) of every place `word` stands in `text`, overlapping ones too."""
    found, start = [], text.find(word)
    while start >= 0:
        found.append((start, start + len(word)))
        start = text.find(word, start + 1)
    return found


def _article_question_read_as_a_pick_or_more(look: _Look) -> bool:
    """"那个12100工程是指啥", "人才方面具体帮着解决哪几样": the NLU read a pick (那个) or a wish for more
    (具体), yet the message asks what or which of something the article's words name strongly
    (article_reread_lexical), with no ordinal or number to pick by, no service named and no field
    asked, while no services wait to be picked: the article's question, routed as one. While a
    service is discussed, its words must score as a question the NLU read as a service's must
    (article_fact_lexical: "这个补贴具体能给多少" asks more of the service)."""
    turn, rules = look.turn, look.rules
    if turn.entry not in ("pick", "more") or turn.state.subject == SUBJECT_OPTIONS:
        return False
    if rules.pattern("bare_number").match(turn.text) or _ordinal(turn.text, rules) is not None:
        return False
    if look.named is not None or turn.fields or look.field_words:
        return False
    defined = rules.pattern("definition").search(turn.text)
    if defined and turn.entry == "more":
        return False  # what a term means: `definition` answers it for a wish for more
    asks = defined or rules.pattern("fact_question").search(turn.text)
    least = rules.article_fact_lexical if turn.state.subject == SUBJECT_SERVICE else rules.article_reread_lexical
    return bool(asks) and max(look.lexical.values(), default=0.0) >= least


def _unless_down(read: Callable[[_Look], Any], look: _Look) -> Any:
    """A reading of the turn before the decisions, or None while the catalogue cannot be read (the
    decisions then say so)."""
    try:
        return read(look)
    except CatalogueUnavailable:
        return None


def _fields_said_unmarked(look: _Look) -> bool:
    """Whether the vocabulary's field words count as asked where DIET marked no `field`: a service
    named with them only (a service question), or nothing but them and words pointing back while a
    service is discussed, read as the article's or out of scope ("得去哪个地方弄"); not an amount
    paid out or in ("低保多少钱") nor a card's own number or address ("社保卡号码")."""
    rules, text, entry = look.rules, look.turn.text, look.turn.entry
    if entry not in ("service", "knowledge", "out_of_scope") or not look.field_words:
        return False
    if rules.pattern("benefit_amount").search(text) or rules.pattern("own_number_or_address").search(text):
        return False
    if entry == "service":
        return look.name_and_field_words_only
    return look.named is None and look.about_current_only


def _own_question_read_as_a_pick(look: _Look) -> str | None:
    """"就医那块怎么申请", "孩子念书的那个" after a topic whose buttons suggest other topics, "有那个
    高龄补贴不" with nothing offered: the NLU read a pick, yet no number or ordinal picks and no
    option is named by its words. No question waits for a choice (a topic's buttons only suggest
    next steps), so the message is a question of its own: with nothing offered, a service question
    (the catalogue, or the article's fact the service decisions give way to); after a topic's
    buttons, a how-to or a field as a service question (the topic's service its words name),
    anything else as the article's. Returns the intent to route it by, or None (a pick with no
    telling word of its own, "那个", still gets the list again, or is told nothing was offered)."""
    turn, rules = look.turn, look.rules
    if turn.entry != "pick" or (turn.state.options and turn.state.subject != SUBJECT_KNOWLEDGE):
        return None
    if rules.pattern("bare_number").match(turn.text) or _ordinal(turn.text, rules) is not None:
        return None
    if sum(ch.isalnum() and ch not in rules.pick_stop_chars for ch in turn.text) < 2:
        return None
    asks = look.procedural or bool(turn.fields or look.field_words) or look.named is not None
    if not turn.state.options:
        # Asked, or a need the catalogue finds one service for clearly ("…九十三了，有那个长寿钱不");
        # "另外一个", "算了" are told nothing was offered, as before.
        found = _clear(look, look.hits)
        clearly = found is not None and look.hits[0].score >= rules.procedural_score
        return "ask_service" if asks or clearly else None
    if pick_by_name(look) is not None:
        return None
    topic = turn.state.knowledge_topic or ""
    if asks and (look.named is not None or look.router.topic_services(topic)
                 or _part_service_named(look, topic) is not None):
        return "ask_service"
    return "faq" if max(look.lexical.values(), default=0.0) >= rules.pick_reread_lexical else None


# — the decisions, each a function of one turn's look-ups —

def _picked(look: _Look, index: int, name: str) -> Decision | None:
    options = look.turn.state.options
    position = index - 1 if index > 0 else len(options) + index
    if not 0 <= position < len(options):
        return None
    kind = kind_of_option(options[position])
    if kind is not None:
        return _kind_list(look, name, [kind[0]], kind[1])
    service, topic = look.router.option(options[position])
    if service is not None:
        return Decision(name, SERVICE, service=service, fields=look.turn.fields or look.asked_with_the_options())
    if topic is not None:
        return Decision(name, TOPIC, topic=topic)
    return None


def pick_by_position(look: _Look) -> Decision | None:
    """"第二个", "最后那个", "2": the option at that place of the list just offered."""
    turn, rules = look.turn, look.rules
    if not turn.state.options:
        return None
    if turn.entry != "pick" and content_chars(turn.text) > rules.pick_by_position_chars:
        return None
    number = rules.pattern("bare_number").match(turn.text)
    if number:
        return _picked(look, int(number.group(1)), "pick_by_position")
    index = _ordinal(turn.text, rules)
    return None if index is None else _picked(look, index, "pick_by_position")


def _ordinal(text: str, rules: RoutingRules) -> int | None:
    """The option's number an ordinal that picks says (倒数第二 over 第二); one followed by what it
    counts or saying "in the end" ("第一步", "最后想建成什么": ordinal_counts) picks nothing."""
    counts = rules.pattern("ordinal_counts")
    found = [(word, index) for word, index in rules.ordinals.items()
             if any(not counts.match(text, end) for _, end in _occurrences(text, word))]
    return max(found, key=lambda pair: len(pair[0]))[1] if found else None


def correction(look: _Look) -> Decision | None:
    """"搞错了，我想问的是结婚登记", "不是低保，是临时救助": the service named now replaces the one
    being discussed."""
    text = look.turn.text
    said = [text.find(word) + len(word) for word in look.rules.words["correction"] if word in text]
    said += [match.end() for match in look.rules.pattern("correction_form").finditer(text)]
    if not said:
        return None
    # "搞错了，应该是居住证": the words after the correction name the service by themselves, or
    # describe one the catalogue finds clearly and strongly ("不对，我要登记的是非营利的…组织").
    tail = text[max(said):].lstrip(" ，,：:。是就")
    # "我其实想问的是今年改造多少个", "…低保一个月能领多少": a figure of the article or what no guide
    # holds is asked, not a service put right (article_figure, service_detail answer it).
    if look.rules.pattern("count_question").search(tail) or look.service_details:
        return None
    current = look.current
    # What the words after the correction name come first, up to where they set something aside
    # ("是低保，不是临时救助", "…，临时救助已经办了": correction_aside): the service corrected may
    # be named before them too ("不是违建，是…": the NLU marks 违建), and never is the one meant.
    meant = look.rules.pattern("correction_aside").split(tail, maxsplit=1)[0]
    said_again = look.named_by(meant) if meant else None
    if said_again is not None and current is not None and said_again.code == current.code:
        # "我说的是临时救助，不是低保" while 临时救助 is discussed: the one meant is that one still.
        return Decision("correction", SERVICE, service=current, fields=look.fields_with_carry_over())
    named = said_again or look.named
    if named is not None and current is not None and named.code == current.code:
        named = None
    if named is None and tail and look.turn.state.subject == SUBJECT_KNOWLEDGE:
        return _corrected_topic(look, tail)
    named = named or _strongly_found(look, tail)
    if named is None or (current is not None and named.code == current.code):
        return None
    return Decision("correction", SERVICE, service=named, fields=look.fields_with_carry_over())


def _corrected_topic(look: _Look, tail: str) -> Decision | None:
    """"不对，我问的是图书馆分馆" while a topic is discussed: the words after the correction, naming no
    service, name another topic of the article by a telling word of theirs (the whole message's
    reading may still lean on the topic corrected)."""
    lexical = look.router.topics.lexical(tail)
    if not look.router.topics.telling_word(lexical):
        return None
    decision = _topic_decision(look, "correction", tail, lexical)
    return decision if decision.topic not in (None, look.turn.state.knowledge_topic) else None


def article_figure(look: _Look) -> Decision | None:
    """"老旧小区改造了多少个", "老旧小区改造点名了哪个社区": a count of things the article gives, or
    which ones it names, though a service is named or the NLU was unsure of the intent."""
    turn, rules = look.turn, look.rules
    # The question is its last clause: "新来几个员工，要做就业登记" counts nothing.
    asked = [c for c in re.split(r"[，,。；;！!？?]", turn.text) if c.strip()]
    if turn.fields or not asked or look.procedural or not (
            rules.pattern("count_question").search(asked[-1]) or rules.pattern("article_mention").search(asked[-1])):
        return None
    if look.router.topics.unrelated(list(turn.ranking), look.lexical):
        return None
    if _short_question_of_the_topic(look):
        return None  # topic_question answers it
    return _topic_decision(look, "article_figure")


def _short_question_of_the_topic(look: _Look) -> bool:
    """Whether topic_question (later in the order) answers the message: a short question of the
    topic under discussion ("分哪几块" after 南部科创新城's scope). While the catalogue is
    down, which topic_question asks whether a service is named, the figure is answered here."""
    try:
        return topic_question(look) is not None
    except CatalogueUnavailable:
        return False


def quoted_topic(look: _Look) -> Decision | None:
    """"楼宇经济说的“一栋楼宇一个特色”，楼层上有啥讲究": a phrase the message quotes from the article
    asks the article, though the NLU read a service's field or was unsure ("讲究" as conditions);
    not when the message names a service or a channel (a name may be quoted too)."""
    if look.named is not None or look.channel is not None:
        return None
    if not look.router.topics.quoting(look.turn.text):
        return None
    decision = _topic_decision(look, "quoted_topic")
    return decision if decision.topic else None


def complaint_service(look: _Look) -> Decision | None:
    """"渣土车沿路遗撒，谁来管": a complaint, or whom to turn to (complaint_asked), about a thing that a
    complaint service of the catalogue takes by one of its names (it holds a complaint_name_words
    word and the thing: 渣土车撒漏投诉), while the name the message uses is another service's
    (the construction-waste permit is called 渣土 too): that complaint service, the only one."""
    turn, rules = look.turn, look.rules
    named = look.named
    if named is None or look.other_place or not rules.pattern("complaint_asked").search(turn.text):
        return None
    words = rules.words["complaint_name_words"]

    def complaint_names(service: Service) -> list[str]:
        return [name for name in service.names() if any(word in name for word in words)]

    if complaint_names(named):
        return None  # the named service takes complaints itself
    asked = telling_pairs(look.query) - look.router.home_pairs
    # The pairs of the complaint words themselves (投诉) say nothing of the thing complained of.
    asked -= set().union(*map(character_pairs, words))
    found = [hit.service for hit in look.hits if hit.service.code != named.code
             and len(asked & set().union(*map(character_pairs, complaint_names(hit.service)))) >= rules.situation_pairs]
    return Decision("complaint_service", SERVICE, service=found[0], fields=turn.fields) if len(found) == 1 else None


def named_service(look: _Look) -> Decision | None:
    """A service named outright wins over the one under discussion (a switch, or a return to an
    earlier one); a question the NLU took for the article's is the catalogue's only when it asks
    how to do something or for a part of the guide, wishes to do the service it names, or leans on
    the service conversation before it; unsure or out of scope, or while services are discussed,
    also when it asks what the named service is ("…又是怎么回事" after another service)."""
    turn = look.turn
    if turn.entry in ("knowledge", "unsure", "out_of_scope"):
        # "那军转干部呢" while services are discussed continues with services.
        in_services = turn.state.subject == SUBJECT_SERVICE
        continuing = in_services and look.elliptical
        # "对零就业家庭有哪些要求": the plan's demand on those the name calls, no conditions asked.
        fields = () if turn.entry == "knowledge" and look.required_of_named else turn.fields
        asked = fields or look.procedural or continuing or look.bare_name or look.wished
        what_is = (turn.entry != "knowledge" or in_services) and look.what_is_named
        if look.other_place or not (asked or what_is):
            return None
    named = look.named
    if named is None:
        return None
    return Decision("named_service", SERVICE, service=named, fields=look.fields_with_carry_over())


def service_detail(look: _Look) -> Decision | None:
    """"低保一个月能领多少钱", "一般几月份可以开始报", "交上去的材料审到哪一步了": what no guide
    holds (an amount received, an application round's dates, a quota, one's own case), asked of the
    service named or, saying nothing else, of the one under discussion. Said plainly with 12345,
    not a field that would look like an answer ("收费：不收费" to an amount received). A question
    the NLU took for the article's counts only when it names no word of a topic (the article's
    own amounts and dates are its topics' notes)."""
    turn = look.turn
    details = look.service_details
    if not details or look.other_place:
        return None
    if turn.entry == "knowledge" and look.router.topics.telling_word(look.lexical):
        return None
    service = look.named if look.named is not None else (look.current if look.details_of_current_only else None)
    if service is None:
        return None
    guide = describe(service)
    missing = tuple(d for d in details if d.given is None or not d.given.search(guide))
    if not missing:
        return None  # the guide gives it (授权委托书 among the materials): the guide answers
    return Decision("service_detail", SERVICE_BEYOND, service=service, details=missing)


def situation_beside_name(look: _Look) -> Decision | None:
    """"评不上低保，家里收入又低，能办点啥": a long description that names a service in passing (one
    the resident falls short of, or has used already) and describes the need of another: the
    service whose situations hold clearly more of the rest of the message (its words but the
    name's, situation_margin) than the named one's. A name the resident wishes to do or go to
    ("孩子九月要上小学了，…") is not named in passing."""
    turn, rules = look.turn, look.rules
    named = look.named
    if named is None or look.other_place or look.near_name is not None or look.wished or look.asked_after_name(named):
        return None
    if look.named_in_a_question(named) or look.done_in_question(named):
        return None
    if content_chars(turn.text) < rules.situation_message_chars:
        return None
    others = [(look.situation_share(h.service, named), h.service) for h in look.hits if h.service.code != named.code]
    share, service = max(others, key=lambda pair: pair[0], default=(0.0, None))
    if service is None or share < rules.situation_share:
        return None
    if share < look.situation_share(named, named) + rules.situation_margin:
        return None
    return Decision("situation_beside_name", SERVICE, service=service, fields=turn.fields)


def kind_beside_name(look: _Look) -> Decision | None:
    """"老伴医保报销完还差好几万，能申请点救助不": a service named in passing (not asked after its
    name), then a kind of service asked for that is not the named one's: of that kind, the service
    whose situations hold the most of the message (the named one's words left out), else the kind's
    services to choose from."""
    named = look.named
    if named is None or look.other_place or look.wished or look.asked_after_name(named):
        return None
    kinds = look.kinds_asked_beside(named)
    if len(kinds) != 1:
        return None
    shares = sorted(((look.situation_share(s, named), s) for s in look.router.catalogue.by_topic(kinds[0])),
                    key=lambda pair: pair[0], reverse=True)
    if shares and shares[0][0] > 0 and (len(shares) == 1 or shares[0][0] > shares[1][0]):
        return Decision("kind_beside_name", SERVICE, service=shares[0][1], fields=look.turn.fields)
    return _kind_list(look, "kind_beside_name", kinds, look.channel)


def near_name(look: _Look) -> Decision | None:
    """"高齡津貼", "结婚登计": a message that is (almost) a service's name or alias alone is
    that service, whatever the intent (a traditional or mistyped name can read as an article
    topic to the NLU)."""
    service = look.near_name
    if service is None or look.other_place:
        return None
    return Decision("near_name", SERVICE, service=service, fields=look.fields_with_carry_over())


def situation_service(look: _Look) -> Decision | None:
    """"家里老人一个人在家吃饭没人管": a need described in the words of one service's situations,
    though the NLU put it out of scope or was unsure, or took it for the article's while it tells
    of the resident's own life (own_situation): that service."""
    turn = look.turn
    if look.other_place or look.situation is None:
        return None
    if turn.entry == "knowledge" and (not look.rules.pattern("own_situation").search(turn.text)
                                      or look.rules.pattern("enterprise_asker").search(turn.text)):
        # "养老方面要培育什么组织" asks what the article plans, not for one's own need; an
        # enterprise's question the NLU took for the article's ("我们公司落地看什么标准") mostly is.
        return None
    return Decision("situation_service", SERVICE, service=look.situation, fields=turn.fields)


def field_follow_up(look: _Look) -> Decision | None:
    """"要不要钱", "礼拜天开门吗": another field of the service under discussion. A question the NLU
    took for the article's counts only when it names no word of a topic, or says nothing but the
    field and steps of handling ("交上去以后审核得多久": 审核 is a topic's word too). Unsure or out
    of scope with no field marked, a message of nothing but the vocabulary's field words and words
    of handling ("线上能不能直接弄") asks those fields all the same."""
    turn = look.turn
    fields = turn.fields
    if not fields and turn.entry in ("unsure", "out_of_scope") and look.field_words_only:
        fields = look.field_words
    if not fields or look.current is None:
        return None
    if turn.entry == "knowledge" and look.router.topics.telling_word(look.lexical) and not look.about_current_only:
        return None
    if turn.entry == "out_of_scope" and (look.other_place or look.personal or not (
            look.about_current_only or (content_chars(turn.text) <= look.rules.topic_question_chars
                                        and not look.unrelated_or_personal))):
        return None  # a short field question ("审批大概多久") or one of nothing else the NLU put out of scope
    return Decision("field_follow_up", SERVICE, service=look.current, fields=fields)


def phone_wish(look: _Look) -> Decision | None:
    """"电话多少", "想打个电话问问政务服务大厅", "12345怎么打", which the NLU took for a wish to be
    called back: the phone asked for (phone_asked) — the hotline's record, the centre's phone
    first, the phone of the service discussed. A wish to be called ("给我回个电话") opens the form."""
    asked = look.phone_asked
    if asked == SUBJECT_HOTLINE:
        return Decision("hotline", HOTLINE, fields=look.hotline_fields)
    if asked == SUBJECT_CENTRE:
        return Decision("centre_phone", CENTRE, fields=tuple(dict.fromkeys(("phone", *look.centre_fields))))
    if asked == SUBJECT_SERVICE and look.current is not None:
        return Decision("service_phone", SERVICE, service=look.current, fields=("phone",))
    return None


def kind_list(look: _Look) -> Decision | None:
    """"老年人这块能办啥", "能申请哪些救助": a question for the services of a kind the catalogue
    has (its `topic`), named in a resident's words: every service of that kind is offered (of the
    channel, when one is named too), in groups when the list is long (by kind when several are
    named, else by who applies). A service named beside the list's words lists its own kind
    ("办执照相关的业务都有啥": kind_of_named) and no other."""
    turn, rules = look.turn, look.rules
    if not rules.pattern("listing").search(turn.text) or rules.pattern("not_listing").search(turn.text):
        return None
    of_named = rules.pattern("kind_of_named").search(turn.text)
    kinds = look.kinds
    if not kinds and not of_named:
        return None
    named = look.named
    if named is not None:
        # "办执照相关的业务都有啥": what the named service belongs to; not a field or a how-to of it.
        if not of_named or turn.fields or look.field_words or look.procedural:
            return None
        kinds = kinds or [named.topic]
        if named.topic not in kinds:
            return None
    return _kind_list(look, "kind_list", kinds, look.channel) if kinds else None


def bare_kind(look: _Look) -> Decision | None:
    """"想咨询一下入学", "问问社保这块的事": an opening that only says one wants to ask, then the
    everyday word of a kind of service and nothing more — the NLU, finding nothing asked, may put
    it out of scope or be unsure: the kind's services are offered as for a list of the kind (what
    the NLU took for the article's stays the article's: "了解人才" may ask the talent policy)."""
    rules = look.rules
    if look.named is not None or len(look.kinds) != 1:
        return None
    rest = rules.pattern("kind_tail").sub("", look.core)
    if rest not in rules.kinds[look.kinds[0]]:
        return None
    return _kind_list(look, "bare_kind", look.kinds, look.channel)


def _kind_list(look: _Look, name: str, kinds: list[str], channel: str | None) -> Decision | None:
    """The services of `kinds` (of `channel` only, when given), grouped as `kind_list` says."""
    rules, catalogue = look.rules, look.router.catalogue
    # "网上能办的养老服务有哪些": the kind's services of that channel.
    by_kind = [(kind, [s for s in catalogue.by_topic(kind) if channel is None or channel in s.channels])
               for kind in kinds]
    by_kind = [(kind, services) for kind, services in by_kind if services]
    if not by_kind:
        return None
    if len(by_kind) == 1 and len(by_kind[0][1]) > rules.kind_group_above:
        groups: dict[str, list[Service]] = {}
        for service in by_kind[0][1]:
            audience = next((a for a in service.audience if a in rules.audience_groups), "")
            groups.setdefault(rules.audience_groups.get(audience, by_kind[0][0]), []).append(service)
        grouped = list(groups.items()) if len(groups) > 1 else by_kind
    else:
        grouped = by_kind
    offers = tuple(Offer(f"{SERVICE_OPTION}{s.code}", s.name) for _, services in grouped for s in services)
    return Decision(name, KIND_LIST, offers=offers, fields=look.turn.fields, channel=channel,
                    groups=tuple((heading, len(services)) for heading, services in grouped),
                    kinds=tuple(kind for kind, _ in by_kind))


def _names_an_article_term_no_option_has(look: _Look, said: str) -> bool:
    """"项目准入那块呢" while services wait to be picked: a term of the article (plan_term_chars or
    more) that no option's name holds asks the article, whatever pair of characters it shares with
    an option's alias."""
    said, router = normalize(said), look.router
    names = [normalize(name) for option in look.turn.state.options
             for name in (*router.option_names(option, False), *_topic_terms(router, option))]
    return any(len(term) >= look.rules.plan_term_chars and term in said and not any(term in name for name in names)
               for term in look.router.article_names)


def _topic_terms(router: Router, option: str) -> tuple[str, ...]:
    """A topic option's terms (顺河高架 of the ring roads' topic): its names in the article besides its title."""
    _, topic = router.option(option)
    return router.knowledge.topics[topic].terms if topic else ()


def pick_by_name(look: _Look) -> Decision | None:
    """"初中的", "高龄那个", "看病的那项要啥材料": the one option of the list just offered that a
    short name (before "…那个") calls by a part of its name or an alias only that option has;
    everyday words stand for words of the names (sources/routing.yml pick_words)."""
    turn, rules = look.turn, look.rules
    if not turn.state.options:
        return None
    with_ending = rules.pattern("pick_by_name").match(turn.text)
    if turn.state.subject == SUBJECT_KNOWLEDGE and not with_ending and turn.entry != "pick":
        return None  # after a topic's buttons, "那住房呢" asks the article on, it picks no button
    said = with_ending.group("name") if with_ending else turn.text
    if with_ending and content_chars(said) < 2:
        said = turn.text[:with_ending.end("name")]  # "就医那个": 就 begins the name, not "just"
    limit = rules.pick_name_chars if with_ending else rules.pick_by_name_chars
    if content_chars(said) > limit or _names_an_article_term_no_option_has(look, said):
        return None
    stop = rules.pick_stop_chars
    telling = {ch for ch in said if ch.isalnum() and ch not in stop}
    said = " ".join([said, *(stand for word, stands in rules.pick_words.items() if word in said
                                for stand in stands)])
    pairs = {p for p in (said[i:i + 2] for i in range(len(said) - 1)) if p.isalnum()}
    # The names as the list showed them first; the aliases only when those tell no one option.
    clean = {p for p in pairs if not set(p) & stop}
    for shown_only in (True, False):
        picked = _only_option_with(look, clean, shown_only)
        if picked is not None:
            return _picked(look, picked[0], "pick_by_name")
    # Then a pair with one such character beside a telling one, in the names as shown, when the
    # short name is all the message says ("就医那个" → 就医, "个体的" → 个体; not "一年多少钱"),
    # and no generic ending ("办理的那个" tells no option).
    generic = set(look.rules.words["name_generic_words"])
    beside_stop = {p for p in pairs if not set(p) <= stop and p not in generic}
    picked = _only_option_with(look, beside_stop, True)
    if picked is not None and telling <= set("".join(picked[1])):
        return _picked(look, picked[0], "pick_by_name")
    return None


def _only_option_with(look: _Look, pairs: set[str], shown_only: bool) -> tuple[int, set[str]] | None:
    """(position, the pairs it shares) of the one option whose names share the most of `pairs`."""
    scores = []
    for position, option in enumerate(look.turn.state.options, 1):
        names = look.router.option_names(option, shown_only)
        shared = pairs & {n[i:i + 2] for n in names for i in range(len(n) - 1)}
        scores.append((len(shared), position, shared))
    best = max(score for score, _, _ in scores)
    winners = [(position, shared) for score, position, shared in scores if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def options_pending(look: _Look) -> Decision | None:
    """A field asked (or a pick not understood) while a list waits for a choice: the list again;
    a field asked when one option is what the message the list answered named (options_lead), that
    option's field, the others still offered."""
    turn = look.turn
    if not turn.state.options or (turn.entry != "pick" and turn.state.subject != SUBJECT_OPTIONS):
        return None
    if not (turn.fields or turn.entry == "pick"):
        return None
    lead = look.options_lead if turn.fields and turn.entry != "pick" else None
    if lead is not None:
        others = tuple(Offer(o, s.name) for o, s in look.offered_services if s.code != lead.code)
        return Decision("options_lead", SERVICE, service=lead, fields=turn.fields, offers=others)
    offers = [Offer(option, names[0]) for option in turn.state.options
              for names in [look.router.option_names(option)] if names]
    return Decision("options_pending", OFFER, offers=tuple(offers), fields=turn.fields) if offers else None


def pick_of_the_one_shown(look: _Look) -> Decision | None:
    """"第一个", "就最后那个" when no list waits but one service was just shown: that one — a list
    of one is answered at once (`_offer`), and the resident may still pick it."""
    turn, rules = look.turn, look.rules
    if turn.state.options or look.current is None or turn.state.subject != SUBJECT_SERVICE:
        return None
    number = rules.pattern("bare_number").match(turn.text)
    index = int(number.group(1)) if number else _ordinal(turn.text, rules)
    if index not in (1, -1):
        return None  # "第二个" with one shown: nothing to pick from
    return Decision("pick_of_the_one_shown", SERVICE, service=look.current, fields=turn.fields)


def nothing_offered(look: _Look) -> Decision | None:
    """"第二个" with no list to choose from."""
    return Decision("nothing_offered", NOTHING_OFFERED) if look.turn.entry == "pick" else None


def topic_service(look: _Look) -> Decision | None:
    """"怎么申请" after the article's 人才子女入学: the service the topic under discussion names."""
    turn = look.turn
    if turn.state.subject != SUBJECT_KNOWLEDGE or not turn.state.knowledge_topic:
        return None
    if not (turn.fields or look.procedural) or look.named is not None:
        return None
    if not look.procedural and set(turn.fields) <= set(look.rules.words["topic_place_fields"]):
        return None  # "具体在哪" after 南部科创新城: where the topic's place is, not a service's window
    part = _part_service_named(look, turn.state.knowledge_topic)
    if part is not None:
        return Decision("topic_part_service", SERVICE, service=part, fields=turn.fields)
    lexical = look.lexical
    best = max(lexical, key=lexical.get, default=None)
    if (best is not None and lexical[best] >= look.rules.unrelated_lexical and best != turn.state.knowledge_topic
            and not look.field_words_only):
        return None  # it names another topic's words (a field's own words, "多长时间", name none)
    services = look.router.topic_services(turn.state.knowledge_topic)
    if len(services) == 1:
        return Decision("topic_service", SERVICE, service=services[0], fields=turn.fields)
    if services:
        return Decision("topic_services", OFFER, offers=tuple(Offer(f"{SERVICE_OPTION}{s.code}", s.name)
                                                              for s in services), fields=turn.fields)
    return None


def _telling_beside_generic(rules: RoutingRules, text: str) -> set[str]:
    """The telling character pairs of `text` (normalized) once the names' generic endings (办理,
    申请: name_generic_words) are taken out, so that no service is found by an ending all share."""
    for generic in rules.words["name_generic_words"]:
        text = text.replace(generic, " ")
    return telling_pairs(text)


def _part_service_named(look: _Look, topic_id: str) -> Service | None:
    """"住房补贴怎么申请" after the article's help for talents (落户、住房、就医…): of the services of
    the topic and of its related topics, the one whose official name alone holds a telling pair of
    the message's characters (catalogue.tokens.telling_pairs), not of a generic ending (办理, 申请:
    name_generic_words) and not one every one of them has (人才)."""
    router, rules = look.router, look.rules
    topic = router.knowledge.topics.get(topic_id)
    if topic is None:
        return None
    services = {s.code: s for t in (topic_id, *topic.related) for s in router.topic_services(t)}
    if len(services) < 2:
        return None
    text = normalize(look.turn.text)
    # What comes before "以后" only sets the time ("落户以后孩子上学要啥材料": time_after).
    later = [found for found in rules.pattern("time_after").finditer(text) if found.end() < len(text)]
    text = text[later[-1].end():] if later else text
    said = _telling_beside_generic(rules, text)
    names = {code: character_pairs(service.name) for code, service in services.items()}
    everywhere = set.intersection(*names.values())
    found = [code for code, pairs in names.items() if (said & pairs) - everywhere]
    if len(found) != 1:
        return None
    scores = {hit.service.code: hit.score for hit in look.hits}
    top = look.hits[0] if look.hits else None
    if top is not None and top.service.code not in services and (
            scores.get(found[0], 0.0) < rules.part_search_share * top.score):
        return None  # "养老院怎么登记": the search finds a service of another kind (养老机构备案) well ahead
    return services[found[0]]


def _topic_decision(look: _Look, name: str, text: str | None = None,
                    lexical: dict[str, float] | None = None) -> Decision:
    """The topic the NLU's ranking and the words of `text` (the message's, or a part of it with its
    own `lexical` scores) pick, leaning on the topic discussed only for the whole message."""
    turn, router = look.turn, look.router
    previous = router.knowledge.topics.get(turn.state.knowledge_topic or "") if text is None else None
    text, lexical = (turn.text, look.lexical) if text is None else (text, lexical)
    topic = router.topics.pick(list(turn.ranking), previous, text, lexical)
    if topic is None:
        return Decision(name, DEFAULT)
    return Decision(name, TOPIC, topic=topic, note=router.topics.note(text, topic))


# How the NLU may read an elliptical follow-up in the article that topic_follow_up still takes,
# when a topic near the one discussed holds every word it says (Topics.leans_on).
LEANING_ENTRIES = frozenset({"unsure", "out_of_scope", "channel"})


def topic_follow_up(look: _Look) -> Decision | None:
    """"那住房呢？" after a topic: the topic it leans on, even when the words alone fit no topic.
    The NLU unsure, or reading it as out of scope or as a channel's list ("区级的呢" after the
    city-level projects, "那网上办呢" after 一窗办: models trained apart read such short messages
    differently), only a topic near the one discussed whose own words hold every word the message
    says. Taken for a service question, it stays in the article only when the topic under
    discussion is the subject, no service is named and a topic's own words are in it ("入学那一块呢")."""
    turn = look.turn
    if turn.state.knowledge_topic is None or not look.elliptical:
        return None
    if look.router.knowledge.topics.get(turn.state.knowledge_topic) is None:
        return None
    if turn.entry == "service" and (turn.state.subject != SUBJECT_KNOWLEDGE or look.named is not None
                                    or not look.router.topics.telling_word(look.lexical)):
        return None
    decision = _topic_decision(look, "topic_follow_up")
    if turn.entry in LEANING_ENTRIES and not (
            turn.state.subject == SUBJECT_KNOWLEDGE and decision.topic is not None
            and look.router.topics.leans_on(turn.text, turn.state.knowledge_topic, decision.topic)):
        return None  # unsure, only a topic near the one discussed that holds every word said
    return decision


def topic_question(look: _Look) -> Decision | None:
    """"有多大", "总投资多少", "都和哪些机构合作" after a topic: a short question that names no service
    and no other topic asks about the topic under discussion, or the related one whose words it
    uses and whose answer holds the kind of fact asked; the NLU often calls it out of scope, or a
    wish for more ("具体都是哪几条路") when it wishes for nothing else (something_else: "还有哪些",
    "展开讲讲" ask for the next topic) and asks no definition (`definition` answers that)."""
    turn, rules = look.turn, look.rules
    state = turn.state
    if turn.entry == "more" and (rules.pattern("something_else").search(turn.text)
                                 or rules.pattern("definition").search(turn.text)):
        return None
    if not _short_fact_question_of_the_topic(look):
        return None
    topic = look.router.topics.asked_about(turn.text, state.knowledge_topic, look.lexical,
                                           state.topics_shown)
    if topic is None:
        return None
    return Decision("topic_question", TOPIC, topic=topic, note=look.router.topics.note(turn.text, topic))


def _short_fact_question_of_the_topic(look: _Look) -> bool:
    """An article topic under discussion and a short question for a fact (topic_question_chars)
    naming no service and no other place, asking no how-to, no repair and no other year."""
    turn, rules = look.turn, look.rules
    if turn.state.subject != SUBJECT_KNOWLEDGE or not turn.state.knowledge_topic:
        return False
    if content_chars(turn.text) > rules.topic_question_chars or not rules.pattern("fact_question").search(turn.text):
        return False
    if look.entity_services or look.name_hits or look.other_place or look.procedural:
        return False
    return not (rules.pattern("personal_request").search(turn.text) or rules.pattern("other_years").search(turn.text))


def topic_in_own_words(look: _Look) -> Decision | None:
    """"金融主要偏向哪几块" after the finance topic: a short question as topic_question takes, whose
    words the topic's text lacks but for one it shares (Topics.paraphrases), asks the topic under
    discussion when the ResponseSelector is as sure of it as unsure_topic asks; the NLU often
    calls it out of scope."""
    turn = look.turn
    if turn.entry == "more" or not _short_fact_question_of_the_topic(look) or turn.fields:
        return None
    topic, topics = turn.state.knowledge_topic, look.router.topics
    if not _selector_sure_of(look, topic) or not topics.paraphrases(turn.text, topic, look.lexical):
        return None
    return Decision("topic_in_own_words", TOPIC, topic=topic, note=topics.note(turn.text, topic))


def _selector_sure_of(look: _Look, topic: str) -> bool:
    """The ResponseSelector's first topic is `topic`, at least unsure_topic_confidence and
    unsure_topic_ratio times the next."""
    ranking, rules = look.turn.ranking, look.rules
    if len(ranking) < 2 or ranking[0][0] != topic:
        return False
    (_, confidence), (_, runner_up) = ranking[0], ranking[1]
    return confidence >= rules.unsure_topic_confidence and confidence >= rules.unsure_topic_ratio * runner_up


def linked_topic(look: _Look) -> Decision | None:
    """"今年要改造多少个" while the renovation service (小区改造) is discussed, read as the article's: a short
    question for a fact, naming no field, how-to or other service, asks the article topic the
    service under discussion is linked to ("相关办事"), when that topic shares a telling word with
    it (unrelated_lexical); the best scoring of them, if several."""
    turn, rules, current = look.turn, look.rules, look.current
    if current is None or turn.state.subject != SUBJECT_SERVICE or turn.fields or look.field_words:
        return None
    if look.procedural or look._asks_of_a_service:
        return None
    if content_chars(turn.text) > rules.topic_question_chars or not rules.pattern("fact_question").search(turn.text):
        return None
    if look.named is not None and look.named.code != current.code:
        return None
    linked = [topic for topic, services in look.router.links.services.items()
              if any(service.code == current.code for service in services)]
    score, topic = max(((look.lexical.get(topic, 0.0), topic) for topic in linked), default=(0.0, None))
    # Another topic the words tell far better is meant instead ("分馆一共有几家" after a library card).
    best_anywhere = max(look.lexical.values(), default=0.0)
    if topic is None or score < rules.unrelated_lexical or score < rules.linked_topic_share * best_anywhere:
        return None
    return Decision("linked_topic", TOPIC, topic=topic, note=look.router.topics.note(turn.text, topic))


def topic_own_service(look: _Look) -> Decision | None:
    """"人才看病有没有绿色通道", "想约体育馆的场地": a how-to, where-to-turn or is-there-a-subsidy
    question the NLU took for the article's topic, when the catalogue has a service for that topic:
    the service answers it (the one of the topic's services the question's words fit clearly; the
    only one; or all of them to choose from)."""
    turn, rules, router = look.turn, look.rules, look.router
    # Whom to turn to ("找谁对接") asks for a service as plainly as a how-to does.
    how_to = look.procedural or bool(rules.pattern("service_ask").search(turn.text))
    if not how_to or look.other_place:
        return None
    if look.unrelated_or_personal:
        return None
    if look.named is not None:
        # The question names a service (its name or an alias): that one, whatever the topic.
        return Decision("topic_own_service", SERVICE, service=look.named, fields=turn.fields)
    # A service the whole catalogue finds clearly is meant, the topic's or not ("大病看不起有救助吗":
    # 医疗救助, not the 临时救助 the topic names); without a how-to word, only one found strongly.
    # (Unsure, the NLU leaves that choice to the resident: unsure_offer offers it.)
    everywhere = router.catalogue.search(turn.text, 3)
    clear = _clear(look, everywhere) if turn.entry != "unsure" else None
    if clear is not None and everywhere[0].score >= (rules.procedural_score if how_to else rules.out_of_scope_score):
        return Decision("topic_own_service", SERVICE, service=clear, fields=turn.fields)
    lexical = look.lexical
    if turn.entry == "unsure":
        # Unsure, the NLU's topic says little: only a topic whose telling words the question uses.
        best = max(lexical, key=lexical.get, default=None)
        topic = best if best is not None and lexical[best] >= rules.unrelated_lexical else None
    else:
        topic = router.topics.pick(list(turn.ranking), None, turn.text, lexical)
    services = {s.code: s for s in router.topic_services(topic or "")}
    if not services:
        return None
    hits = [h for h in router.catalogue.search(turn.text, len(services) + rules.offered_at_most)
            if h.service.code in services and h.score >= rules.procedural_score]
    elsewhere = bool(everywhere) and everywhere[0].service.code not in services
    if elsewhere and everywhere[0].score >= rules.procedural_score and (
            not hits or everywhere[0].score > hits[0].score):
        return None  # the question's words fit a service the topic does not lead to better
    if turn.entry == "unsure" and not hits:
        # Unsure, the topic came from its words alone; none of its services fits the question's words
        # ("家里老人卧床，养老有补贴吗" scoring for the talents' housing by 家里 and 补贴): no guess.
        return None
    service = _clear(look, hits) if hits else None
    if service is None and len(services) == 1:
        if elsewhere:
            return None  # the question's words lean to a service the topic does not lead to
        service = next(iter(services.values()))
    if service is not None:
        return Decision("topic_own_service", SERVICE, service=service, fields=turn.fields)
    return Decision("topic_own_services", OFFER, fields=turn.fields,
                    offers=tuple(Offer(f"{SERVICE_OPTION}{s.code}", s.name) for s in services.values()))


def _out_of_scope_path(look: _Look) -> bool:
    return look.turn.entry == "out_of_scope" or (look.turn.entry == "knowledge" and look.unrelated_or_personal)


def _topic_by_term(look: _Look, name: str, find: Callable[[str], str | None],
                   any_way: bool = False) -> Decision | None:
    """The topic `find` sees named in a message on the way out of scope (or `any_way`), with its note."""
    if not any_way and not _out_of_scope_path(look):
        return None
    topic = find(look.turn.text)
    if topic is None:
        return None
    return Decision(name, TOPIC, topic=topic, note=look.router.topics.note(look.turn.text, topic))


def definition(look: _Look) -> Decision | None:
    """"双招提高是啥意思": the article's own term, though the NLU was unsure. What a term means,
    read as a wish for more ("一窗办具体指什么": 具体) or for a channel's list, is asked as plainly:
    the whole message is such a question of one term, so no state or search can mean otherwise."""
    return _topic_by_term(look, "definition", look.router.topics.defining,
                          any_way=look.turn.entry in ("more", "channel"))


def _likeness(text: str, name: str) -> float:
    """How alike two texts are (difflib's ratio: 1 the same, 0.75 one character in four off)."""
    return SequenceMatcher(None, text, name, autojunk=False).ratio()


def _telling(hits: list[SearchHit]) -> bool:
    """Whether the best hits say something of which service is meant: not when they tie on a
    word many services share ("孩子走丢了怎么办" meets 生育登记, 入学… equally on 孩子)."""
    return bool(hits) and (len(hits) == 1 or hits[0].score > hits[-1].score)


def _strongly_found(look: _Look, words: str) -> Service | None:
    """The service the catalogue finds for `words` clearly (`_clear`) and strongly (correction_score)."""
    if not words:
        return None
    hits = look.router.catalogue.search(words, look.rules.offered_at_most)
    service = _clear(look, hits)
    return service if service is not None and hits[0].score >= look.rules.correction_score else None


def _clear(look: _Look, hits: list[SearchHit]) -> Service | None:
    rules = look.rules
    if not hits:
        return None
    if hits[0].score >= rules.named_score and (
            len(hits) == 1 or hits[0].score - hits[1].score >= rules.named_margin
            or hits[1].score < rules.named_score):
        return hits[0].service
    if len(hits) == 1 or hits[0].score >= rules.clear_lead * hits[1].score:
        return hits[0].service
    return None


def procedural_service(look: _Look) -> Decision | None:
    """"居住证丢了去哪补办" put in the article or out of scope: the catalogue's service when one
    fits it clearly (out of scope also without a how-to, when one leads strongly); several that
    fit a how-to question put out of scope are offered."""
    turn, rules = look.turn, look.rules
    out_of_scope = _out_of_scope_path(look)
    if not (look.procedural or out_of_scope) or look.other_place:
        return None
    hits = look.router.catalogue.search(turn.text, 3)
    if not hits or hits[0].score < (rules.procedural_score if look.procedural else rules.out_of_scope_score):
        return None
    service = _clear(look, hits)
    if service is not None:
        return Decision("procedural_service", SERVICE, service=service, fields=turn.fields)
    if out_of_scope and look.procedural and _telling(hits):
        return Decision("procedural_offer", OFFER, fields=turn.fields,
                        offers=tuple(Offer(f"{SERVICE_OPTION}{h.service.code}", h.service.name) for h in hits))
    return None


def topic_named(look: _Look) -> Decision | None:
    """"花漾街区有几条": a place or project only the article names."""
    return _topic_by_term(look, "topic_named", look.router.topics.named)


def unsure_term(look: _Look) -> Decision | None:
    """"六大动力具体指哪几条，挨个讲讲": the NLU unsure of the whole, but the message names a term only
    one topic has and the NLU ranks that topic first, or asks what or who that term is ("攀登者是
    啥"): it answers (no service named or how-to asked, which the catalogue may answer instead)."""
    turn, topics = look.turn, look.router.topics
    if look.named is not None or look.procedural:
        return None
    # "X是谁", "X是啥" of a term one topic owns says which topic by itself.
    topic = topics.defining(turn.text)
    if topic is None and turn.ranking:
        named = topics.named(turn.text)
        topic = named if named == turn.ranking[0][0] else None
    if topic is None:
        return None
    return Decision("unsure_term", TOPIC, topic=topic, note=topics.note(turn.text, topic))


def unsure_topic(look: _Look) -> Decision | None:
    """"推动项目落地要盯住哪几件事": the NLU unsure of the intent (a fact question in words its intents
    did not learn) while its topic choice is clear and the article's own words agree: the
    ResponseSelector sure of one topic (unsure_topic_confidence) and far surer than of the next
    (unsure_topic_ratio), and that topic's telling words scoring best (BM25, unrelated_lexical at
    least). A question for a fact (fact_question), no service named, no how-to or field asked (those
    the catalogue may answer), no other place, no story or trouble of one's own. A service named
    is no bar when the topic leads on to it ("临时救助今年有啥安排": the article's plan for it)."""
    turn, rules = look.turn, look.rules
    if look.procedural:
        return None
    if turn.fields or look.field_words or look.other_place or look.personal or not turn.ranking:
        return None
    # A question for a fact, not one's own story or complaint ("一窗办个屁，俺跑了五趟了").
    if not rules.pattern("fact_question").search(turn.text) or rules.pattern("own_situation").search(turn.text):
        return None
    topic = turn.ranking[0][0]
    if not _selector_sure_of(look, topic):
        return None
    named = {s.code for s in (look.named, *look.entity_services) if s is not None}
    named |= {hit.service.code for hit in look.name_hits}
    if not named <= {s.code for s in look.router.topic_services(topic)}:
        return None
    lexical = look.lexical
    if max(lexical, key=lexical.get, default=None) != topic or not look.router.topics.telling_word(lexical):
        return None
    return Decision("unsure_topic", TOPIC, topic=topic, note=look.router.topics.note(turn.text, topic))


def task_for_me(look: _Look) -> Decision | None:
    """"替我拟一份讲话稿", "给我编段讲营商环境的致辞": a piece of writing to be done for the
    asker is neither the article's nor the catalogue's, whatever of their words it holds: out of
    scope, with 12345, not a topic whose words it happens to share."""
    if not look.rules.pattern("task_for_me").search(look.turn.text):
        return None
    return Decision("task_for_me", OUT_OF_SCOPE)


def out_of_scope(look: _Look) -> Decision | None:
    """Nothing of the article or the catalogue fits: handed on to 12345."""
    return Decision("out_of_scope", OUT_OF_SCOPE) if _out_of_scope_path(look) else None


def numbered_set(look: _Look) -> Decision | None:
    """"政务服务要推进哪四项集成": the members of a numbered set the article names (四集成) asked
    after 哪: that set's topic, whatever else the message's words lean to."""
    topic_id = look.router.topics.numbered_set_asked(look.turn.text)
    if topic_id is None:
        return None
    return Decision("numbered_set", TOPIC, topic=topic_id, note=look.router.topics.note(look.turn.text, topic_id))


def topic(look: _Look) -> Decision | None:
    """The article's topic the question means."""
    return _topic_decision(look, "topic")


def offer_named(look: _Look) -> Decision | None:
    """"入学" names several services alike (初中入学, 小学一年级入学报名 …): offered to choose from."""
    hits = look.name_hits
    if look.named is not None or len(hits) < 2:
        return None
    return _offer(look, hits, "offer_named")


def _offer(look: _Look, hits: list[SearchHit], name: str) -> Decision:
    """The hits about as good as the best (offered_share), to choose from; a list of one is no
    choice: that service answers (`<name>_one`)."""
    kept = _offered_hits(look, hits)
    if len(kept) == 1:
        return Decision(f"{name}_one", SERVICE, service=kept[0].service, fields=look.turn.fields)
    return Decision(name, OFFER, fields=look.turn.fields,
                    offers=tuple(Offer(f"{SERVICE_OPTION}{h.service.code}", h.service.name) for h in kept))


def _offered_hits(look: _Look, hits: list[SearchHit]) -> list[SearchHit]:
    """The hits about as good as the best (offered_share), at most offered_at_most."""
    rules = look.rules
    return [h for h in hits[:rules.offered_at_most] if h.score >= rules.offered_share * hits[0].score]


def offer_kind(look: _Look) -> Decision | None:
    """"救助方面的事项", "想问问补贴": a word several services share, taken for a list or unsure;
    the services that share it about equally are offered."""
    hits = look.hits
    if len(hits) < 2 or hits[1].score < look.rules.kind_share * hits[0].score:
        return None
    return _offer(look, hits, "offer_kind")


def situation_over_current(look: _Look) -> Decision | None:
    """"那如果想进驻区里的写字楼呢" while another service is discussed: a need told in the words of
    another service's situations, with more in it than the current service's names, field words and
    words pointing back, asks about that service, not again about the current one."""
    current = look.current
    if current is None or look.named is not None or look.about_current_only:
        return None
    situation = look.situation
    if situation is None or situation.code == current.code:
        return None
    return Decision("situation_over_current", SERVICE, service=situation, fields=look.turn.fields)


def current_service(look: _Look) -> Decision | None:
    """"怎么办理" while a service is under discussion: that service — with the field a word of the
    field vocabulary names where the NLU marked none ("能给个电话先问问不": its phone), or its
    conditions when the question only asks whether one may do it ("户口不在这边能办吗")."""
    if look.current is None:
        return None
    fields = look.turn.fields or look.field_words
    online = look.channel in look.rules.words["online_channels"]
    if not fields and online and not look.rules.pattern("no_phone").search(look.turn.text):
        fields = ("online",)  # "手机可以办吗": whether it can be done online, and where
    if not fields and look.asks_eligibility:
        fields = ("conditions",)
    return Decision("current_service", SERVICE, service=look.current, fields=fields)


def service_search(look: _Look) -> Decision | None:
    """One service leads the catalogue search clearly."""
    service = _clear(look, look.hits)
    return Decision("service_search", SERVICE, service=service, fields=look.turn.fields) if service else None


def topic_related_hit(look: _Look) -> Decision | None:
    """"想咨询一下我们那个小区能不能给改" after the article's renovation of old housing estates: one's own
    situation, a wish, a how-to or a field, naming no service, whose words hold a telling part of
    the official name of exactly one service the topic under discussion leads to
    (bot/dialogue/links.py; 小区 of the renovation consultation's name): the conversation tells which service is meant,
    however weakly the catalogue's search finds it among the others."""
    turn, rules = look.turn, look.rules
    if turn.state.subject != SUBJECT_KNOWLEDGE or not turn.state.knowledge_topic or look.other_place:
        return None
    if rules.pattern("personal_request").search(turn.text):
        return None  # a repair or a complaint: 12345's (personal_request)
    if look.named is not None or not (turn.fields or look.procedural or rules.pattern("own_situation").search(turn.text)
                                      or rules.pattern("service_wish").search(turn.text)):
        return None
    said = _telling_beside_generic(rules, normalize(turn.text))
    named = [s for s in look.router.topic_services(turn.state.knowledge_topic) if said & character_pairs(s.name)]
    if len(named) != 1:
        return None
    top = look.hits[0].service if look.hits else None
    if (top is not None and top.code != named[0].code
            and said & character_pairs(named[0].name) & character_pairs(top.name)):
        return None  # the catalogue finds first another service the same words name (救助: 医疗救助)
    return Decision("topic_related_hit", SERVICE, service=named[0], fields=turn.fields)


def topic_detail(look: _Look) -> Decision | None:
    """"具体在哪？" after a topic: more on that topic, not a service."""
    if look.turn.state.subject != SUBJECT_KNOWLEDGE:
        return None
    return _more_on_topic(look, "topic_detail")


def article_fact(look: _Look) -> Decision | None:
    """"区里准备把数字产业做成哪一级的集聚区": a question for a fact of the district's plans (what,
    which, how many) that the NLU took for a service's, while it names no service, asks no field
    or how-to, wishes nothing and tells nothing of the asker's own situation, the catalogue finds
    nothing by name and an article topic shares telling words with it clearly (article_fact_lexical):
    the article answers, not the weak matches of the catalogue's words."""
    turn, rules = look.turn, look.rules
    if look.entity_services or look.name_hits or turn.fields or look.procedural or look.other_place:
        return None
    if not rules.pattern("fact_question").search(turn.text) or rules.pattern("own_situation").search(turn.text):
        return None
    if any(rules.pattern(name).search(turn.text) for name in ARTICLE_FACT_EXCLUDED):
        return None
    if max(look.lexical.values(), default=0.0) < rules.article_fact_lexical:
        return None
    decision = _topic_decision(look, "article_fact")
    return decision if decision.topic else None


# What makes a question no fact of the article's, whatever topic shares its words: asking for a
# service, a complaint or repair, another year, a list of services, a wish to do something.
ARTICLE_FACT_EXCLUDED = ("service_ask", "personal_request", "other_years", "listing", "service_wish",
                         "callback_wish", "call_them")


def topic_picks_offer(look: _Look) -> Decision | None:
    """"我是外地引进的人才，户口要迁过来咋弄": several services fit the search about as well (人才
    落户 and the talents' school places, both 引进人才), and exactly one of them is a service the
    topic the ResponseSelector is sure of (as unsure_topic asks) leads on to (bot/dialogue/links.py):
    that one answers, not a choice, when the message holds a telling word of its names (an alias's
    too: 户口) that none of the others' has. Not for another place's question."""
    hits, turn = look.hits, look.turn
    if len(hits) < 2 or not turn.ranking or look.other_place:
        return None
    topic = turn.ranking[0][0]
    if not _selector_sure_of(look, topic):
        return None
    rules = look.rules
    kept = [h.service for h in _offered_hits(look, hits)]
    linked = {s.code for s in look.router.topic_services(topic)}
    fitting = [s for s in kept if s.code in linked]
    if len(kept) < 2 or len(fitting) != 1:
        return None

    def pairs(service: Service) -> set[str]:
        return set().union(*(_telling_beside_generic(rules, normalize(name))
                             for name in service.names()))

    others = set().union(*(pairs(s) for s in kept if s is not fitting[0]))
    if not (_telling_beside_generic(rules, normalize(turn.text)) & pairs(fitting[0])) - others:
        return None
    return Decision("topic_picks_offer", SERVICE, service=fitting[0], fields=turn.fields)


def offer_services(look: _Look) -> Decision | None:
    """Several services fit about as well: offered to choose from."""
    hits = look.hits
    if not hits:
        return None
    return _offer(look, hits, "offer_services")


def not_found(look: _Look) -> Decision | None:
    return Decision("not_found", NOT_FOUND)


def channel_unnamed(look: _Look) -> Decision | None:
    """"有哪些事项" naming no channel and no kind of service: which channel?"""
    return Decision("channel_unnamed", WHICH_CHANNEL)


def other_service(look: _Look) -> Decision | None:
    """"顺便问下免费的艺术培训课程怎么报名" while another service is under discussion: a service the catalogue
    finds clearly and strongly, though not by its exact name, is a switch."""
    if look.current is None:
        return None
    service = _clear(look, look.hits)
    if service is None or look.hits[0].score < look.rules.switch_score or service.code == look.current.code:
        return None
    return Decision("other_service", SERVICE, service=service, fields=look.turn.fields)


def menu(look: _Look) -> Decision | None:
    """"人才政策" (the greeting's button, or typed): the whole message names an area's menu."""
    found = look.router.menus.named(look.turn.text)
    return Decision("menu", MENU, menu=found.id) if found else None


def service_centre(look: _Look) -> Decision | None:
    """"区政务服务中心在哪，周六开门吗": the district service centre named (by its record's name or
    aliases) answers from its record (the fields asked, or all), never from a passage or a service
    that shares a word; another district's centre is handed on to 12345; a service named outright
    answers itself."""
    if not look.centre_named:
        return None
    if look.other_place:
        return Decision("centre_elsewhere", OUT_OF_SCOPE)  # "槐荫区的政务大厅几点关门": not ours to say
    if look.names_a_service:
        return None  # "在政务大厅办居住证要带啥": the service's guide answers
    # Services called by a shared core ("营业执照去政务大厅弄…"): named after the centre's answer.
    related = look.services_by_core[:int(look.rules.related_services_at_most)]
    return Decision("service_centre", CENTRE, fields=look.centre_fields, services=related)


def _record_follow_up(look: _Look, subject: str, fields: tuple[str, ...], name: str, reply: str) -> Decision | None:
    """A short question right after a record's answer (the centre's, the hotline's) asking one of
    its fields, naming no service and no other place: that field of the record."""
    turn = look.turn
    if turn.state.subject != subject or not fields or look.other_place:
        return None
    if content_chars(turn.text) > look.rules.form_field_chars or look.names_a_service:
        return None
    return Decision(name, reply, fields=fields)


def centre_follow_up(look: _Look) -> Decision | None:
    """"几点开门", "电话多少" right after the centre's answer: another field of the centre."""
    return _record_follow_up(look, SUBJECT_CENTRE, look.centre_fields, "centre_follow_up", CENTRE)


def hotline(look: _Look) -> Decision | None:
    """"12345是干啥的", "什么情况下该打12345", "打12345要钱吗": the hotline itself, answered from its
    record (sources/hotline.yml: what it is, when this assistant hands on to it, its number; hours and
    cost the article does not give, said so), never from an article topic that shares a digit; a
    service named outright answers itself, another city's hotline is not ours to describe."""
    if not look.hotline_named or look.other_place or look.names_a_service:
        return None
    return Decision("hotline", HOTLINE, fields=look.hotline_fields)


def hotline_follow_up(look: _Look) -> Decision | None:
    """"收费吗", "晚上能打通吗" right after the hotline's answer: another field of the hotline."""
    return _record_follow_up(look, SUBJECT_HOTLINE, look.hotline_fields, "hotline_follow_up", HOTLINE)


def rephrase(look: _Look) -> Decision | None:
    """A bare "不是" that names no service: please say it another way."""
    return Decision("rephrase", REPHRASE)


def service_guide(look: _Look) -> Decision | None:
    """"还有吗" about the service under discussion: its whole guide."""
    if look.turn.state.subject != SUBJECT_SERVICE or look.current is None:
        return None
    return Decision("service_guide", SERVICE_GUIDE, service=look.current)


def _more_on_topic(look: _Look, name: str) -> Decision:
    state = look.turn.state
    if look.router.knowledge.topics.get(state.knowledge_topic or "") is None:
        return Decision(name, WHICH_MORE)
    following = look.router.topics.next_related(state.knowledge_topic, list(state.topics_shown))
    if following is None:
        return Decision(name, NOTHING_MORE, topic=state.knowledge_topic)
    return Decision(name, TOPIC, topic=following)


def topic_more(look: _Look) -> Decision | None:
    """"还有吗" after a topic: the next related topic not shown yet; the one the message names
    ("一城多讲讲" after 一带一城, Topics.part_named), whether shown or not."""
    state = look.turn.state
    part = look.router.topics.part_named(state.knowledge_topic, look.turn.text, state.topics_shown)
    if part is not None:
        return Decision("topic_more", TOPIC, topic=part)
    return _more_on_topic(look, "topic_more")


def unsure_offer(look: _Look) -> Decision | None:
    """The NLU is unsure: the services a how-to question may mean and the likely topics, to choose."""
    turn, rules, router = look.turn, look.rules, look.router
    services: list[Service] = []
    if look.procedural and not look.other_place:
        hits = router.catalogue.search(turn.text, 3)
        service = _clear(look, hits)
        if service is not None and hits[0].score >= rules.procedural_score:
            services = [service]
        elif service is None and _telling(hits):
            services = [h.service for h in hits[:2]
                        if h.score >= rules.procedural_score and h.score > hits[-1].score]
    count = int(rules.offered_topics) - min(len(services), 1)
    topics = [t for t, _ in turn.ranking][:max(count, 0)]
    offers = [Offer(f"{SERVICE_OPTION}{s.code}", s.name) for s in services]
    offers += [Offer(f"{TOPIC_OPTION}{t}", router.knowledge.topics[t].title) for t in topics]
    return Decision("unsure_offer", UNSURE, offers=tuple(offers), services=tuple(services))


def channel_list(look: _Look) -> Decision | None:
    """"哪些事可以一证通办": the services of the channel named; more than `listed_at_most`, they
    are offered by kind (the catalogue's topics), a kind of one service as that service."""
    channel = look.channel
    if channel is None:
        return None
    services = tuple(look.router.catalogue.by_channel(channel))
    if len(services) <= look.rules.listed_at_most:
        return Decision("channel_list", CHANNEL, channel=channel, services=services)
    by_kind: dict[str, list[Service]] = {}
    for service in services:
        by_kind.setdefault(service.topic, []).append(service)
    ordered = sorted(by_kind.items(), key=lambda pair: -len(pair[1]))
    offers = tuple(Offer(f"{SERVICE_OPTION}{group[0].code}", group[0].name) if len(group) == 1
                   else Offer(kind_option(kind, channel), kind) for kind, group in ordered)
    return Decision("channel_list", CHANNEL, channel=channel, services=services, offers=offers,
                    groups=tuple((kind, len(group)) for kind, group in ordered))


ALL = frozenset({"knowledge", "service", "pick", "more", "out_of_scope", "unsure", "deny"})
ASKING = frozenset({"knowledge", "service", "pick", "more", "out_of_scope", "deny"})
CENTRE_ENTRIES = frozenset({"knowledge", "service", "more", "out_of_scope", "unsure", "channel", "deny"})

# The decisions in the order they are tried: (name, the entries they apply to, the decision).
# An entry is how the NLU read the turn (bot/dialogue/turn.py ENTRIES: faq → knowledge, …).
DECISIONS: tuple[tuple[str, frozenset[str], Decide], ...] = (
    # — the conversation's own state first: a list waiting for a choice, a correction —
    ("pick_by_position", ALL, pick_by_position),
    ("correction", ASKING | {"unsure"}, correction),
    # — an area's menu: the whole message names it ("人才政策", the greeting's buttons) —
    ("menu", ALL | {"channel"}, menu),
    # — a piece of writing to be done for the asker ("帮我写一份总结"): out of scope —
    ("task_for_me", frozenset({"knowledge", "service", "unsure", "out_of_scope", "more"}), task_for_me),
    # — a list of a kind of service asked for ("老年人这块能办啥") —
    ("kind_list", frozenset({"knowledge", "service", "channel", "unsure", "out_of_scope"}), kind_list),
    ("bare_kind", frozenset({"unsure", "out_of_scope"}), bare_kind),
    # — the district service centre itself (its record answers), and a field asked of it next —
    ("service_centre", CENTRE_ENTRIES, service_centre),
    ("centre_follow_up", CENTRE_ENTRIES, centre_follow_up),
    # — the 12345 hotline itself (its record answers), and a field asked of it next —
    ("hotline", CENTRE_ENTRIES, hotline),
    ("hotline_follow_up", CENTRE_ENTRIES, hotline_follow_up),
    # — a service named outright, another field of the one under discussion —
    ("article_figure", frozenset({"service", "unsure"}), article_figure),
    ("quoted_topic", frozenset({"knowledge", "service", "unsure", "out_of_scope"}), quoted_topic),
    # — what no guide holds, asked of a service ("能领多少钱", "几月份开始报") —
    ("service_detail", frozenset({"service", "out_of_scope", "unsure", "knowledge"}), service_detail),
    # (not for the article's questions: "临时救助主要解决哪种困难" names it to ask the article)
    ("situation_beside_name", frozenset({"service", "out_of_scope", "unsure"}), situation_beside_name),
    ("kind_beside_name", frozenset({"service", "out_of_scope", "unsure"}), kind_beside_name),
    ("complaint_service", ASKING | {"unsure"}, complaint_service),
    ("named_service", ASKING | {"unsure"}, named_service),
    ("near_name", ASKING | {"unsure"}, near_name),
    ("field_follow_up", ALL, field_follow_up),
    ("phone_wish", frozenset({"callback"}), phone_wish),
    ("pick_by_name", ALL, pick_by_name),
    ("options_pending", ALL, options_pending),
    ("pick_of_the_one_shown", frozenset({"pick"}), pick_of_the_one_shown),
    ("nothing_offered", frozenset({"pick"}), nothing_offered),
    ("topic_service", frozenset({"knowledge", "service", "more"}), topic_service),
    ("topic_related_hit", frozenset({"service"}), topic_related_hit),
    # — the article —
    ("topic_question", frozenset({"knowledge", "service", "out_of_scope", "unsure", "more"}), topic_question),
    ("topic_in_own_words", frozenset({"knowledge", "service", "out_of_scope", "unsure"}), topic_in_own_words),
    ("topic_follow_up", frozenset({"knowledge", "service"}) | LEANING_ENTRIES, topic_follow_up),
    # — a need described rather than a service named —
    ("situation_service", frozenset({"knowledge", "out_of_scope", "unsure"}), situation_service),
    ("topic_own_service", frozenset({"knowledge", "unsure"}), topic_own_service),
    ("linked_topic", frozenset({"knowledge", "unsure"}), linked_topic),
    ("definition", frozenset({"knowledge", "out_of_scope", "more", "channel"}), definition),
    ("procedural_service", frozenset({"knowledge", "out_of_scope"}), procedural_service),
    ("topic_named", frozenset({"knowledge", "out_of_scope"}), topic_named),
    ("unsure_term", frozenset({"unsure"}), unsure_term),
    ("unsure_topic", frozenset({"unsure"}), unsure_topic),
    ("out_of_scope", frozenset({"knowledge", "out_of_scope"}), out_of_scope),
    ("numbered_set", frozenset({"knowledge"}), numbered_set),
    ("topic", frozenset({"knowledge"}), topic),
    # — the catalogue —
    ("channel_list", frozenset({"channel"}), channel_list),
    # "救助方面的事项" names a kind of service (several alike): they are offered.
    ("offer_named", frozenset({"service", "unsure", "channel"}), offer_named),
    ("other_service", frozenset({"service", "more"}), other_service),
    ("situation_over_current", frozenset({"service"}), situation_over_current),
    ("current_service", frozenset({"service"}), current_service),
    ("article_fact", frozenset({"service"}), article_fact),
    ("service_search", frozenset({"service"}), service_search),
    ("topic_detail", frozenset({"service"}), topic_detail),
    ("offer_kind", frozenset({"channel", "unsure"}), offer_kind),
    ("topic_picks_offer", frozenset({"service"}), topic_picks_offer),
    ("offer_services", frozenset({"service"}), offer_services),
    ("not_found", frozenset({"service"}), not_found),
    ("channel_unnamed", frozenset({"channel"}), channel_unnamed),
    # — "还有吗", "不是", and an unsure NLU —
    ("service_guide", frozenset({"more"}), service_guide),
    ("topic_more", frozenset({"more"}), topic_more),
    ("unsure_offer", frozenset({"unsure"}), unsure_offer),
    ("rephrase", frozenset({"deny"}), rephrase),
)


def yes_that_asks(turn: Turn, rules: RoutingRules) -> bool:
    """A message the NLU read as a yes that says more than yes: a correction naming a service
    ("…弄错了，我要问的是户外广告"), or a question with a field or a service in it that ends as a
    question (`yes_question_end`: "好的，那要带什么材料呢", "好的，那社保卡呢"). A statement, though it
    names something or holds a question word ("好的，我知道要带哪些材料了", "是的，我已经在办低保了"),
    only acknowledges. Naming nothing the NLU marked, a question still asks when it asks which,
    what or how many ("是哪几条", yes_wh_question) or is long for a yes ("…能认定成困难人员吗":
    yes_question_chars), unless it says it knows already (yes_statement)."""
    if not (turn.services or turn.fields):
        text = turn.text
        if rules.pattern("yes_statement").search(text):
            return False
        return bool(rules.pattern("yes_wh_question").search(text)) or (
            content_chars(text) >= rules.yes_question_chars
            and bool(rules.pattern("yes_long_question_end").search(text)))
    corrected = any(word in turn.text for word in rules.words["correction"]) or bool(
        rules.pattern("correction_form").search(turn.text))
    return (corrected and bool(turn.services)) or bool(rules.pattern("yes_question_end").search(turn.text))


def asks_field(turn: Turn, rules: RoutingRules, offered_too: bool = False) -> bool:
    """Whether a short message asks a field of the service under discussion ("那先讲讲得准备啥"
    after the business licence's service): inside a form, answered at once and no answer to the form's question.
    Services merely offered before the form count only with `offered_too` (where the form asks
    which matter it is, whose answer names one): a list left from earlier turns made the form's
    other answers (a description naming 材料, "电话138…") into field questions."""
    if find_numbers(turn.text):
        return False  # "电话138…": a number answers the form's question, whatever field word it holds
    discussed = turn.state.current_service is not None or (offered_too and bool(turn.state.options))
    return bool(turn.fields) and discussed and content_chars(turn.text) <= rules.form_field_chars


def phone_asked(turn: Turn, rules: RoutingRules, vocabulary: FieldVocabulary,
                centre: Callable[[], ServiceCentre] = default_centre,
                hotline: Callable[[], Hotline] = default_hotline) -> str | None:
    """Whose phone a message the NLU took for a wish to be called back asks for instead, or wishes
    to phone (the subject it is about), else None: the hotline named, or a field of it asked right
    after its answer ("12345怎么打"); the service centre named or just answered, with a phone word
    or a wish to phone it ("想打个电话问问政务服务大厅", "怎么打电话到政务中心"); the service under
    discussion, with a phone word ("有电话先问问吗"). A wish to be phoned ("给我回个电话") is none,
    nor is another place's ("槐荫区政务大厅电话多少": the form takes it to a person)."""
    text, state = turn.text, turn.state
    if turn.intent != "request_callback" or rules.pattern("callback_wish").search(text):
        return None
    if rules.pattern("other_places").search(text):
        return None
    if hotline_pattern(hotline()).search(text) or (
            state.subject == SUBJECT_HOTLINE and _asked(text, rules.hotline_fields)):
        return SUBJECT_HOTLINE
    phone = any(field.guide == "phone" for _, _, field in vocabulary.spans(text))
    if any(name in text for name in centre().names()) or state.subject == SUBJECT_CENTRE:
        calls = rules.pattern("call_them").search(text) or any(w in text for w in rules.centre_fields.get("phone", ()))
        if phone or calls:
            return SUBJECT_CENTRE
    return SUBJECT_SERVICE if phone and state.current_service is not None else None


def asks_phone(turn: Turn, rules: RoutingRules, vocabulary: FieldVocabulary) -> bool:
    """Whether the callback form, at its start, hands the message to the answer (phone_asked)."""
    return phone_asked(turn, rules, vocabulary) is not None


@functools.lru_cache(maxsize=4)
def hotline_pattern(hotline: Hotline) -> re.Pattern[str]:
    """The hotline's names as one pattern; a name that begins or ends with a digit not inside a
    longer number ("13812345678" is a phone number, not the hotline)."""
    names = sorted(hotline.names(), key=len, reverse=True)
    return re.compile("|".join((r"(?<!\d)" if n[0].isdigit() else "") + re.escape(n)
                               + (r"(?!\d)" if n[-1].isdigit() else "") for n in names))


def _asked(text: str, words_by_key: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The keys whose words the text holds, in the order they stand; a word overlapping a longer
    one found is the longer's."""
    spans = [(text.find(word), len(word), key) for key, words in words_by_key.items()
             for word in words if word in text]
    kept = [(start, key) for start, length, key in spans
            if not any(s < start + length and start < s + n and n > length for s, n, _ in spans)]
    return tuple(dict.fromkeys(key for _, key in sorted(kept)))


def asks_in_form(turn: Turn, rules: RoutingRules, offered_too: bool = False) -> bool:
    """Whether a message typed inside a form (the callback request) is a question to answer at
    once, the form going on after: a knowledge question the NLU is sure of, or a field asked of the
    service under discussion (or of the services offered, with `offered_too`: asks_field)."""
    return ((turn.intent == "faq" and turn.confidence >= rules.form_question_confidence)
            or asks_field(turn, rules, offered_too))


def decision_names() -> tuple[str, ...]:
    return tuple(name for name, _, _ in DECISIONS)


__all__ = ["DECISIONS", "Decision", "Offer", "Router", "asks_field", "asks_in_form", "asks_phone", "decision_names",
           "phone_asked"]
