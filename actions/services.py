"""Catalogue actions: find the service a resident means and answer the part they asked about."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import (
    OTHER_PLACES,
    SUBJECT_KNOWLEDGE,
    SUBJECT_SERVICE,
    ActionAnswerKnowledge,
    more_about,
    ranking,
    simplify,
    topic_index,
    unrelated,
)
from bot.catalogue import UNAVAILABLE, CatalogueStore, CatalogueUnavailable, Service, create_store, describe
from bot.catalogue.schema import CHANNELS
from bot.catalogue.text import ASPECTS

# A name or alias in the question scores at least 50; word overlap alone at most 40.
NAMED_SCORE = 50
# Without a name, a best match this far ahead of the next one is taken as meant.
CLEAR_LEAD = 2.0
SUMMARY_ASPECTS = ("overview", "channels", "materials", "place")
MORE_HINT = "还可以问我：受理条件、办理时限、收费、办理时间、咨询电话、能否网上办。"
ASPECT_QUESTIONS = {"materials": "要带什么材料", "place": "在哪办", "time_limit": "多久能办好",
                    "fee": "收费吗", "phone": "咨询电话", "online": "能网上办吗", "conditions": "申请条件",
                    "hours": "办理时间"}
NOT_FOUND = ("抱歉，事项目录里没有找到与“{query}”对应的服务。您可以换个说法（如“临时救助在哪申请”），"
             "或拨打12345市民服务热线咨询。")
LISTED_AT_MOST = 12
# A question that asks how to *do* something — apply, book, collect, replace, which papers, where to
# go — or whether one may get or must obtain something, or do it online — "能在市中上学吗",
# "有没有高龄补贴可以领", "要审批吗", "老年优待证能在网上办吗" — is about a catalogue service even
# when the NLU took it for knowledge or out of scope ("社保卡丢了去哪补办", "体育馆怎么预约"), and
# is answered from the catalogue when one service clearly fits it. Of the 1,500 knowledge examples
# two read so, and one service fits one of them ("突发性困难有没有临时救助" → 临时救助, whose entry
# says how to apply).
PROCEDURAL = re.compile(
    r"(?:怎么|怎样|咋|如何)(?:[^，。？！]{0,3}?和)?(?:办|申请|领|预约|补办|报名|申领|登记|开具|查|申报|认定)|"
    r"(?:去|在|到)哪(?:里|儿)?(?:办|申请|领|补办|预约|报名|登记|查|申报)|"
    r"(?:要|需要|得)(?:带|准备|提交)|材料|手续|预约|补办|申领|领取|条件|流程|"
    r"(?:要|需要|得)办(?:什么|啥|哪些|哪个)|(?:办理|申请|申报|注销|登记)(?:办法|方法|方式)|"
    r"(?:能不能|可不可以|能否|可以|能)[^，。？！]{0,8}?(?:领|申请|享受|报名|上学|入学)|"
    r"(?:要|需要|用不用|需不需要|得)(?:审批|许可|备案|办证)|"
    r"有(?:什么|啥|没有|无)?[^，。？！]{0,4}(?:救助|补贴|补助|津贴)(?:吗|么|不|没)|"
    r"有没有[^，。？！]{0,8}(?:救助|补贴|补助|津贴)|"
    r"(?:能不能|可不可以|能否|可以|能)在?网上(?:办|申请|预约|报名)")
# The best service's search score a procedural question needs besides a clear lead: a word of its
# name or aliases, not only generic ones.
PROCEDURAL_SCORE = 6.0
# A question the NLU put out of scope is answered from the catalogue, procedural or not, when one
# service leads clearly with at least this score ("门头招牌设置要不要审批" → 户外广告设施设置审批, 16).
# Of the 364 out-of-scope examples and evaluation questions, none but those naming another place
# reach it.
OUT_OF_SCOPE_SCORE = 10.0
# "老旧小区改造了多少个" names a catalogue service (老旧小区改造咨询), so the NLU may take it for a
# catalogue question; but it asks for a count the article gives, which no service guide holds. A
# count of things — not of days, times, copies or money, which are the guide's — goes to the article
# when the question is no how-to, asks for no part of a guide and a topic fits it.
COUNT_QUESTION = re.compile(
    r"多少(?=个|所|处|条|家|项|座|栋|户|套|万|亿|公顷|平方|亩|米|公里|名)|"
    r"几(?=个|所|处|条|家|项|座|栋|户|套|名)(?!个?(?:工作日|月|小时|星期|礼拜|证|材料|窗口))")


@lru_cache(maxsize=1)
def store() -> CatalogueStore:
    """One store per action server, created on first use (not at import)."""
    return create_store()


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """The latest message's values of `entity`, in order, without repeats."""
    values = [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and v))


def asked_aspects(tracker: Tracker) -> tuple[str, ...]:
    return tuple(v for v in entity_values(tracker, "aspect") if v in ASPECTS)


def source_line(service: Service) -> str:
    origin = "示例数据，非官方信息" if service.sample else service.source
    return f"来源：市中区政务服务事项目录“{service.name}”（{origin}），更新于{service.updated.isoformat()}"


def service_reply(service: Service, aspects: tuple[str, ...]) -> str:
    text = describe(service, aspects or SUMMARY_ASPECTS)
    hint = "" if aspects else f"\n{MORE_HINT}"
    return f"{text}{hint}\n{source_line(service)}"


def choose(hits: list, named: bool, current: Service | None) -> tuple[Service | None, list]:
    """The service meant, or (None, candidates to offer) when unsure."""
    if hits and (named or hits[0].score >= NAMED_SCORE):
        return hits[0].service, []
    if current is not None:
        return current, []
    if len(hits) == 1 or (hits and hits[0].score >= CLEAR_LEAD * hits[1].score):
        return hits[0].service, []
    return None, hits[:3]


async def answer_procedural(dispatcher: CollectingDispatcher, tracker: Tracker,
                            out_of_scope: bool = False) -> list[dict[str, Any]] | None:
    """The catalogue's answer when the message asks how to do something (or, put out of scope,
    names a service strongly) and one service of the district clearly fits it; None (nothing said)
    otherwise, or when the catalogue cannot be read."""
    text = simplify()(tracker.latest_message.get("text") or "")
    procedural = bool(PROCEDURAL.search(text))
    hits = await district_hits(text) if procedural or out_of_scope else None
    if hits is None:
        return None
    service, candidates = choose(hits, False, None)
    if not hits or hits[0].score < (PROCEDURAL_SCORE if procedural else OUT_OF_SCOPE_SCORE):
        return None
    if service is None:
        # Out of scope would only hand on to 12345; several services that fit a how-to question
        # ("个体户营业执照在哪办": 个体工商户设立登记 or 营业执照办理) are offered instead.
        if not (out_of_scope and procedural) or not telling(hits):
            return None
        offer_services(dispatcher, candidates, asked_aspects(tracker))
        return []
    dispatcher.utter_message(text=service_reply(service, asked_aspects(tracker)))
    return [SlotSet("service_code", service.code), SlotSet("subject", SUBJECT_SERVICE)]


async def district_hits(text: str) -> list | None:
    """The catalogue's three best hits for a message not about another place; None when it names
    another city or district, or when the catalogue cannot be read (the caller says nothing)."""
    if OTHER_PLACES.search(text):
        return None
    try:
        return await asyncio.to_thread(store().search, text, 3)
    except CatalogueUnavailable:
        return None


def telling(hits: list) -> bool:
    """Whether the best hits say something of which service is meant: not when they tie on a
    word many services share ("孩子走丢了怎么办" meets 生育登记, 入学… equally on 孩子)."""
    return bool(hits) and (len(hits) == 1 or hits[0].score > hits[-1].score)


def offer_services(dispatcher: CollectingDispatcher, candidates: list, aspects: tuple[str, ...]) -> None:
    """Ask which of the candidate services is meant; each button asks the same question about one."""
    question = ASPECT_QUESTIONS.get(aspects[0], "") if aspects else ""
    dispatcher.utter_message(
        text="您想办理的是下面哪一项？也可以拨打12345市民服务热线咨询。",
        buttons=[{"title": h.service.name, "payload": f"{h.service.name}{question}"}
                 for h in candidates])


async def services_for_unsure(text: str) -> list[Service]:
    """For a message the NLU is unsure of: the services a how-to question may mean (at most two),
    or none when it asks no how-to or no service fits it well enough."""
    text = simplify()(text)
    hits = await district_hits(text) if PROCEDURAL.search(text) else None
    if hits is None:
        return []
    service, candidates = choose(hits, False, None)
    if service is not None:
        return [service] if hits[0].score >= PROCEDURAL_SCORE else []
    if not telling(hits):
        return []
    return [h.service for h in candidates[:2] if h.score >= PROCEDURAL_SCORE and h.score > hits[-1].score]


def asks_the_article_for_a_count(text: str, aspects: tuple[str, ...], tracker: Tracker) -> bool:
    """Whether a question taken for a catalogue one asks for a figure of the article instead."""
    if aspects or not COUNT_QUESTION.search(text) or PROCEDURAL.search(text):
        return False
    return not unrelated(ranking(tracker.latest_message), topic_index().scores(text))


class ActionAnswerService(Action):
    """Answers 材料/地点/时限/费用/电话/网办 for the service named, or the one under discussion."""

    def name(self) -> str:
        return "action_answer_service"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = simplify()(tracker.latest_message.get("text") or "")
        named = entity_values(tracker, "service")
        aspects = asked_aspects(tracker)
        if asks_the_article_for_a_count(text, aspects, tracker):
            return await ActionAnswerKnowledge().run(dispatcher, tracker, domain)
        # A follow-up ("在哪办？") applies to the service only while it is the subject.
        code = tracker.get_slot("service_code") if tracker.get_slot("subject") == SUBJECT_SERVICE else None
        try:
            hits = await asyncio.to_thread(store().search, named[0] if named else text, 3)
            current = await asyncio.to_thread(store().get, code) if code else None
        except CatalogueUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        service, candidates = choose(hits, bool(named), current)
        if service is not None:
            dispatcher.utter_message(text=service_reply(service, aspects))
            return [SlotSet("service_code", service.code), SlotSet("subject", SUBJECT_SERVICE)]
        if not named and tracker.get_slot("subject") == SUBJECT_KNOWLEDGE:
            # "具体在哪？" after a knowledge answer asks about that topic, not about a service.
            return more_about(tracker, dispatcher)
        if candidates:
            offer_services(dispatcher, candidates, aspects)
            return []
        dispatcher.utter_message(text=NOT_FOUND.format(query=text.strip()[:30]))
        return []


async def tell_more_about_service(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """"还有吗" about a service: its whole guide."""
    try:
        service = await asyncio.to_thread(store().get, tracker.get_slot("service_code"))
    except CatalogueUnavailable:
        dispatcher.utter_message(text=UNAVAILABLE)
        return []
    if service is None:
        dispatcher.utter_message(text=NOT_FOUND.format(query=tracker.get_slot("service_code")))
        return []
    dispatcher.utter_message(text=f"{describe(service)}\n{source_line(service)}")
    return []


class ActionListServicesByChannel(Action):
    """Lists the services that can be done by one channel (一证通办、全程网办 …)."""

    def name(self) -> str:
        return "action_list_services_by_channel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        channels = [c for c in entity_values(tracker, "channel") if c in CHANNELS]
        text = simplify()(tracker.latest_message.get("text") or "")
        channels = channels or [c for c in CHANNELS if c in text]
        if not channels:
            dispatcher.utter_message(text=f"您想了解哪种办理方式？目前事项目录按{'、'.join(CHANNELS)}分类。",
                                     buttons=[{"title": c, "payload": f"哪些事可以{c}"} for c in CHANNELS])
            return []
        channel = channels[0]
        try:
            services = await asyncio.to_thread(store().by_channel, channel)
        except CatalogueUnavailable:
            dispatcher.utter_message(text=UNAVAILABLE)
            return []
        if not services:
            dispatcher.utter_message(text=f"事项目录里暂时没有标注为“{channel}”的事项，可拨打12345市民服务热线咨询。")
            return []
        names = "、".join(s.name for s in services[:LISTED_AT_MOST])
        more = f"等{len(services)}项" if len(services) > LISTED_AT_MOST else f"共{len(services)}项"
        sample = "（渠道标注为示例数据，以窗口为准）" if any(s.is_sample("channels") for s in services) else ""
        dispatcher.utter_message(
            text=f"可以“{channel}”的事项有：{names}，{more}{sample}。点选下面的事项或直接问我“××要带什么材料”。\n"
                 f"来源：市中区政务服务事项目录",
            buttons=[{"title": s.name, "payload": f"{s.name}怎么办理"} for s in services[:3]])
        return []
