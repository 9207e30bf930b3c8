"""Knowledge answers that remember their topic, so that "那住房呢？" and "还有吗" stay in it."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionOutOfScope
from bot.knowledge.lexical import TopicIndex
from bot.knowledge.model import KnowledgeBase, Topic, shared
from bot.knowledge.rasa_data import RETRIEVAL_INTENT, response_name

# A message this short ("那住房呢？", "就医呢") leans on the topic before it.
ELLIPTICAL_CHARS = 8
# How much closer a topic of the same area (or a related one) gets on an elliptical question.
CONTEXT_BONUS = 0.3
# Weight of a topic's BM25 score beside the ResponseSelector's confidence (bot/knowledge/lexical.py).
# Over all 5 held-out folds of `make bench-nlu` (index from each fold's training questions only),
# 0.03 beat 0.02 on the data before and after the 2026-11-26 additions (918 → 925 of 1,073 and
# 1,253 → 1,261 of 1,418 questions right); 0.04–0.15 were within a few questions of it.
LEXICAL_WEIGHT = 0.03
# DIET puts many questions that have nothing to do with the article in faq with full confidence
# ("芙蓉街有啥小吃", "唐诗三百首第一首是啥"). When the ResponseSelector is unsure of every topic and no
# topic shares a distinctive word with the question, it is out of scope: hand on to 12345 instead of
# answering with an unrelated topic (held-out figures in docs/benchmarks.md).
UNRELATED_CONFIDENCE = 0.05
UNRELATED_LEXICAL = 6.0
NOTHING_MORE = ("关于这个问题，工作部署里就是这些内容了。想了解具体办理或更多情况，"
                "可以继续问我，或拨打12345市民服务热线咨询。")
# What a question may ask beyond the article: (what, how it is asked, what in an answer gives it).
# When the answer does not hold it, the reply says so plainly and names 12345 instead of guessing.
DETAILS = (
    ("时间", re.compile(r"什么时候|啥时候|何时|哪年|几月|几号|哪天|截止|期限|多久|完工|建成|开学"),
     re.compile(r"\d+月|\d+日|\d{4}年|年底|年内")),
    ("地点", re.compile(r"在哪|哪里|哪儿|地址|位置|怎么去"),
     re.compile(r"路|街|区域|片区|社区|园区|大厦|产业园|科技园")),
    ("金额或标准", re.compile(r"多少钱|多少万|金额|补贴多少|补助多少|标准是|给多少|发多少|奖励多少"),
     re.compile(r"\d+(?:\.\d+)?(?:万|亿)?元")),
    ("联系电话或负责人", re.compile(r"电话|手机号|号码|微信号|邮箱|联系方式|找谁|负责人|联系人"), None),
    # Figures the article never gives ("南部科创新城那边房价多少", "2019年的GDP是多少"); named as asked.
    (None, re.compile(r"房价|租金|房租|均价|价格|GDP|生产总值|经济总量|人口|财政收入|税收收入|"
                      r"工资|收入水平|增长率|增速|排名"), None),
)
# The article is the plan for 2020 ("今年"; 2019 is its "去年"): a question about another year
# ("2021年有什么工作计划", "明年建几所学校") is not answered by it, whatever topic it resembles.
OTHER_YEARS = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|明年|后年|前年|往年|十四五|十五五")
ARTICLE_YEAR, ARTICLE_LAST_YEAR = "2020", "2019"
# The article and the catalogue are Shizhong District's: a question about another city or district
# ("历下区今年建几所学校", "上海人才公寓怎么申请") is not answered by them. Jinan's other districts and
# counties, Shandong's cities, and large cities residents compare with.
OTHER_PLACES = re.compile(
    r"历下|槐荫|天桥|历城|长清|章丘|济阳|莱芜|钢城|平阴|商河|高新区|起步区|"
    r"青岛|淄博|枣庄|东营|烟台|潍坊|济宁|泰安|威海|日照|临沂|德州|聊城|滨州|菏泽|"
    r"北京|上海|天津|重庆|广州|深圳|杭州|南京|苏州|成都|武汉|西安|郑州|长沙|合肥|沈阳|哈尔滨|雄安|"
    r"厦门|大连|宁波|福州|无锡|(?<!千)佛山|东莞|珠海|石家庄|太原|长春|南昌|南宁|昆明|贵阳|兰州|海口|三亚|外省|外市")
# A repair, a complaint or a dispute of one's own ("厨房水管漏水了，谁能上门修一下") is the
# hotline's work whatever topic its words resemble; no knowledge question of the data asks so.
# "12100是啥", "一证通办是什么意思": a question asking what one of the article's own terms means.
# The NLU may take a bare term it rarely saw for out of scope; the term names its topic.
DEFINITION = re.compile(
    r"(?:请问|问一下|想问下|问下)?(?:市中区?的?|区里的?)?(?P<subject>[^，。？！?!\s]{2,12}?)(?:到底|究竟)?"
    r"(?:是啥|是什么|是个啥|是啥意思|是什么意思|啥意思|什么意思|指的是什么|指什么|是干啥的|是干什么的)"
    r"(?:东西|玩意儿?)?[？?。！!～~]*")
DEFINITION_FIRST = re.compile(
    r"(?:请问)?(?:什么是|啥是|什么叫|啥叫)(?:市中区?的?|区里的?)?(?P<subject>[^，。？！?!\s]{2,12}?)"
    r"[？?。！!～~]*")
GENERIC_SUFFIX = re.compile(r"(?:工程|计划|项目|政策|制度)$")
PERSONAL_REQUEST = re.compile(r"漏水|停水|停电|断网|坏了|修一下|来修|上门修|报修|投诉|扰民|拖欠|欠薪|被骗")
SUBJECT_KNOWLEDGE = "knowledge"
SUBJECT_SERVICE = "service"


def knowledge() -> KnowledgeBase:
    return shared()


@lru_cache(maxsize=1)
def simplify() -> Callable[[str], str]:
    """The text as the NLU reads it: simplified characters, English domain phrases in Chinese."""
    from bot.nlp.english_terms import to_chinese_terms
    from bot.nlp.traditional import converter

    convert = converter().convert
    return lambda text: to_chinese_terms(convert(text))


@lru_cache(maxsize=1)
def topic_index() -> TopicIndex:
    """Built on first use with the NLU's segmentation (the catalogue search loads the same)."""
    from bot.catalogue.tokens import STOP_TOKENS, default_tokenizer

    return TopicIndex(knowledge(), default_tokenizer(), STOP_TOKENS)


def ranking(parse_data: dict[str, Any]) -> list[tuple[str, float]]:
    """(topic id, confidence) from the ResponseSelector, best first."""
    selector = parse_data.get("response_selector", {})
    ranked = (selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}).get("ranking", [])
    pairs = [(entry.get("intent_response_key", "").partition("/")[2], float(entry.get("confidence", 0)))
             for entry in ranked]
    return [(topic, confidence) for topic, confidence in pairs if topic in knowledge().topics]


def is_elliptical(text: str) -> bool:
    text = text.strip(" ？?。！!")
    return len(text) <= ELLIPTICAL_CHARS or text.startswith(("那", "那么", "还有", "再说说"))


def pick_topic(candidates: list[tuple[str, float]], previous: Topic | None, text: str,
               lexical: dict[str, float] | None = None, weight: float = LEXICAL_WEIGHT) -> str | None:
    """The topic with the best ResponseSelector confidence plus weighted lexical score; an
    elliptical question ("那住房呢？") also leans towards the previous topic's area."""
    confidence = dict(candidates)
    lexical = lexical or {}
    if not confidence and not any(lexical.values()):
        return None
    elliptical = previous is not None and is_elliptical(text)
    topics = knowledge().topics

    def score(topic_id: str) -> float:
        topic = topics[topic_id]
        near = elliptical and (topic.area == previous.area or topic.id in previous.related)
        return confidence.get(topic_id, 0.0) + weight * lexical.get(topic_id, 0.0) + (
            CONTEXT_BONUS if near else 0.0)

    return max(topics, key=score)


def unrelated(candidates: list[tuple[str, float]], lexical: dict[str, float]) -> bool:
    """Whether no topic fits: the selector unsure of all and no topic sharing a telling word."""
    return (max((c for _, c in candidates), default=0.0) < UNRELATED_CONFIDENCE
            and max(lexical.values(), default=0.0) < UNRELATED_LEXICAL)


def beyond_the_article(question: str, topic: Topic) -> str | None:
    """A plain note when the question asks for a detail (time, place, amount, contact) the answer lacks."""
    missing = []
    for what, asked, given in DETAILS:
        found = asked.search(question)
        if found and found.group() not in topic.answer and (
                given is None or not given.search(topic.answer)):
            missing.append(what or found.group())
    if not missing:
        return None
    return (f"工作部署中没有写明具体的{'、'.join(missing)}，我不能替您推测；"
            "如需了解，请拨打12345市民服务热线咨询。")


def another_place(question: str, topic: Topic) -> str | None:
    """A plain note when the question asks about a place other than Shizhong that the topic's
    passage does not name ("承接北京疏解非首都功能" is Shizhong's own plan and gets none)."""
    places = [p for p in dict.fromkeys(OTHER_PLACES.findall(question)) if p not in topic.passage]
    if not places:
        return None
    return (f"以上是市中区的情况；{'、'.join(places)}的情况不在市中区的工作部署里，我不能替您推测，"
            "请拨打12345市民服务热线咨询。")


def another_year(question: str, topic: Topic) -> str | None:
    """A plain note when the question asks about a year the article does not speak of."""
    years = [y for y in dict.fromkeys(OTHER_YEARS.findall(question)) if y != ARTICLE_YEAR
             and not (y == ARTICLE_LAST_YEAR and "去年" in topic.passage + topic.answer)
             and y not in topic.passage]
    if not years:
        return None
    return (f"以上是市中区2020年“聚焦提升年”工作部署的内容；{'、'.join(years)}的情况部署里没有写，"
            "我不能替您推测，请拨打12345市民服务热线咨询。")


def answered(topic: Topic, shown: list[str]) -> list[dict[str, Any]]:
    return [SlotSet("knowledge_topic", topic.id), SlotSet("subject", SUBJECT_KNOWLEDGE),
            SlotSet("topics_shown", [*shown, topic.id][-20:])]


def shown_topics(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("topics_shown") or [])


def previous_topic(tracker: Tracker) -> Topic | None:
    return knowledge().topics.get(tracker.get_slot("knowledge_topic") or "")


class ActionAnswerKnowledge(Action):
    """Answers a knowledge question with the topic's response, and remembers the topic."""

    def name(self) -> str:
        return "action_answer_knowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = simplify()(tracker.latest_message.get("text") or "")
        previous = previous_topic(tracker)
        follow_up = previous is not None and is_elliptical(text)  # "那住房呢？" stays in the topic
        candidates, lexical = ranking(tracker.latest_message), topic_index().scores(text)
        if not follow_up:
            if unrelated(candidates, lexical) or PERSONAL_REQUEST.search(text):
                # The out-of-scope reply tries the catalogue itself (a how-to question included).
                return await ActionOutOfScope().run(dispatcher, tracker, domain)
            from actions.services import answer_procedural

            # "退役士兵一次性补助怎么领" asks for the catalogue's service, not the article's plan.
            served = await answer_procedural(dispatcher, tracker)
            if served is not None:
                return served
        topic_id = pick_topic(candidates, previous, text, lexical)
        if topic_id is None:
            dispatcher.utter_message(response="utter_default")
            return []
        return answer_topic(dispatcher, tracker, topic_id, text)


def answer_topic(dispatcher: CollectingDispatcher, tracker: Tracker, topic_id: str,
                 text: str) -> list[dict[str, Any]]:
    """The topic's answer, with a note when the question reaches beyond it."""
    dispatcher.utter_message(response=response_name(topic_id))
    topic = knowledge().topics[topic_id]
    for note in (another_place(text, topic), another_year(text, topic),
                 beyond_the_article(text, topic)):
        if note:
            dispatcher.utter_message(text=note)
            break
    return answered(topic, shown_topics(tracker))


@lru_cache(maxsize=1)
def term_owners() -> dict[str, tuple[str, ...]]:
    """Each topic's own terms and title → the topics that have it, built once (the knowledge is)."""
    owners: dict[str, list[str]] = {}
    for topic in knowledge().topics.values():
        for term in {*topic.terms, topic.title}:
            owners.setdefault(term, []).append(topic.id)
    return {term: tuple(ids) for term, ids in owners.items()}


def topic_defining(text: str) -> str | None:
    """The one topic whose own term a "X是啥" question asks about ("12100是啥" → 12100民生工程)."""
    match = DEFINITION.fullmatch(text.strip()) or DEFINITION_FIRST.fullmatch(text.strip())
    if not match:
        return None
    subject = match.group("subject")
    owners = term_owners()
    found = {topic_id for name in {subject, GENERIC_SUFFIX.sub("", subject)} for topic_id in owners.get(name, ())}
    return found.pop() if len(found) == 1 else None


# A term this long that one topic alone owns names it (花漾街区, 雄安新区); shorter ones (家门口,
# 金鸡岭) do not: out-of-scope messages use them too.
NAMING_TERM_CHARS = 4


def topic_named(text: str) -> str | None:
    """The one topic whose own term (or title) the message names, for a message the NLU put out of
    scope ("花漾街区有几条，都在哪"); None for a repair or complaint of one's own, a place the topic's
    passage does not name, or when the terms named belong to several topics."""
    if PERSONAL_REQUEST.search(text):
        return None
    found = {ids[0] for term, ids in term_owners().items()
             if len(ids) == 1 and len(term) >= NAMING_TERM_CHARS and term in text}
    if len(found) != 1:
        return None
    topic_id = found.pop()
    # "上海人才公寓怎么申请" asks about another city: handed on, not answered with Shizhong's topic.
    return None if another_place(text, knowledge().topics[topic_id]) else topic_id


def more_about(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The next related topic of the one under discussion that the user has not seen yet."""
    previous = previous_topic(tracker)
    shown = shown_topics(tracker)
    if previous is None:
        dispatcher.utter_message(text="您想进一步了解哪方面？可以直接说出问题，比如“人才住房有什么政策”；"
                                      "也可以拨打12345市民服务热线咨询。")
        return []
    for topic_id in previous.related:
        if topic_id not in shown:
            dispatcher.utter_message(response=response_name(topic_id))
            return answered(knowledge().topics[topic_id], shown)
    dispatcher.utter_message(text=NOTHING_MORE)
    return []


class ActionKnowledgeMore(Action):
    """"还有吗 / 具体呢": more on the topic (or the service) under discussion."""

    def name(self) -> str:
        return "action_tell_more"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        if tracker.get_slot("subject") == SUBJECT_SERVICE and tracker.get_slot("service_code"):
            from actions.services import tell_more_about_service

            return await tell_more_about_service(dispatcher, tracker)
        return more_about(tracker, dispatcher)
