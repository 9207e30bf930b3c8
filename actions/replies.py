"""A router decision as the reply a resident reads, and the slot events that record the new state.

The first message of every reply carries the decision in its metadata ("routing"): Rasa keeps an
action's extra message keys as the BotUttered event's metadata (rasa/core/actions/action.py,
create_bot_utterance), so the tracker shows per turn which decision fired; the channels send only
text and buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.failures import OFFER_BUTTONS, fail_with, mark_failure, record_failure
from bot.catalogue import UNAVAILABLE, Service, describe
from bot.catalogue.centre import LABELS as CENTRE_LABELS
from bot.catalogue.centre import centre_reply, default_centre
from bot.catalogue.fields import FieldVocabulary
from bot.catalogue.hotline import LABELS as HOTLINE_LABELS
from bot.catalogue.hotline import default_hotline, hotline_reply
from bot.catalogue.schema import CHANNELS, HOTLINE
from bot.catalogue.text import answer_fields, card
from bot.dialogue import router as kinds
from bot.dialogue.menus import shared_menus
from bot.dialogue.router import Decision
from bot.dialogue.rules import ServiceDetail, shared_rules
from bot.dialogue.topics import topic_question
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
    service_option,
    topic_option,
)
from bot.knowledge.model import shared as shared_knowledge
from bot.knowledge.rasa_data import response_name

# A button's payload asks the same question about the service it names.
FIELD_QUESTIONS = {"materials": "要带什么材料", "place": "在哪办", "time_limit": "多久能办好",
                   "fee": "收费吗", "phone": "咨询电话是多少", "online": "能网上办吗", "conditions": "申请条件",
                   "hours": "办理时间", "visits": "要跑几趟", "legal_basis": "办理依据"}
# The card's buttons: the rest of the guide, one tap each (the card shows name, channels, materials).
CARD_BUTTONS = {"conditions": "条件", "time_limit": "时限", "fee": "费用", "place": "地点", "phone": "电话",
                "online": "网上办"}
# After a field's answer: the next fields a resident asks, in this order, the one asked left out.
NEXT_FIELDS = {"materials": "材料", "place": "地点", "time_limit": "时限", "online": "网上办", "fee": "费用",
               "conditions": "条件", "phone": "电话"}
NOT_FOUND = ("抱歉，事项目录里没有找到与“{query}”对应的服务。您可以换个说法（如“临时救助在哪申请”），"
             "或拨打12345市民服务热线咨询。")
OFFER_TEXT = "您想办理的是下面哪一项？可以点选，也可以回复序号（如“第一个”）；或拨打12345市民服务热线咨询。"
# Without the field's name: a list is no answer, and its text must not read like one.
OFFER_FIELD_TEXT = "您问的是下面哪一项？可以点选，也可以回复序号（如“第一个”）；或拨打12345市民服务热线咨询。"
# A field answered for the one offered option the question named, the others still offered.
OTHER_OPTIONS_TEXT = "以上是【{name}】的；您问的如果是下面的事项，可以点选，也可以回复序号。"
KIND_TEXT = "{kinds}方面{channel}，事项目录里有这{count}项："
KIND_END = "可以点选，也可以回复序号（如“第二个”）{example}；也可以拨打12345市民服务热线咨询。"
NOTHING_MORE = ("关于这个问题，工作部署里就是这些内容了。想了解具体办理或更多情况，"
                "可以继续问我，或拨打12345市民服务热线咨询。")
WHICH_MORE = ("您想进一步了解哪方面？可以直接说出问题，比如“人才住房有什么政策”；"
              "也可以拨打12345市民服务热线咨询。")
NOTHING_OFFERED = ("您想了解哪一项？可以直接说出事项名称，比如“居住证去哪里办”；"
                   "也可以拨打12345市民服务热线咨询。")
UNSURE_TEXT = ("抱歉，我不太确定您想问什么。您是想了解下面哪一项？"
               "如果都不是，请换个说法再问，或拨打12345市民服务热线咨询。")
WHICH_CHANNEL = "您想了解哪种办理方式？目前事项目录按{channels}分类。"
# After a topic's answer: the catalogue services it leads on to, so the answer is no dead end.
RELATED_TEXT = "相关办事：{names}（可以问我材料、条件、在哪办）"
NEXT_TEXT = "您还可以接着了解："
# The district service centre's other fields, asked of it by name (its record answers them).
CENTRE_QUESTIONS = {"address": "在哪里", "hours": "几点开门", "phone": "电话是多少", "handles": "能办哪些事"}
# The 12345 hotline's other fields, asked of it by name (its record answers them).
HOTLINE_QUESTIONS = {"purpose": "是干什么的", "hand_on": "什么情况下该打", "hours": "几点能打通",
                     "cost": "打电话收费吗"}
CHANNEL_GROUPED = ("可以“{channel}”的事项共{count}项{sample}，按类别分在下面：点选一类看具体事项，"
                   "也可以直接问我“××怎么办理”。\n来源：市中区政务服务事项目录")
CHANNEL_SAMPLE = f"（渠道标注为示例数据，以窗口为准，可拨打{HOTLINE}市民服务热线咨询）"
# After saying what a guide does not give: the parts it does give, as buttons.
GUIDE_BUTTONS = {"materials": "材料", "conditions": "条件", "time_limit": "时限", "place": "地点", "phone": "电话"}
BEYOND_THE_GUIDE = (f"这项服务指南里写了的{'、'.join(list(GUIDE_BUTTONS.values())[:-1])}和"
                    f"{list(GUIDE_BUTTONS.values())[-1]}，可以点下面的按钮查看。")


def beyond_the_guide(service: Service, details: Iterable[ServiceDetail]) -> str:
    """What the service's guide does not give, in a detail's own words (`say`) or by name, and
    that we will not guess: the hotline knows the case."""
    details = tuple(details)
    said = next((d.say.format(name=service.name) for d in details if d.say), None)
    what = "、".join(dict.fromkeys(d.what for d in details)) or "您问的这一项"
    first = said or f"「{service.name}」的办事指南里没有写{what}"
    return f"{first}，我不能替您推测；如需了解，请拨打{HOTLINE}市民服务热线咨询。"


def source_line(service: Service) -> str:
    """Where the answer comes from; a sample service's notice is said once, above it, not again."""
    origin = "" if service.sample else f"（{service.source}）"
    return f"来源：市中区政务服务事项目录“{service.name}”{origin}，更新于{service.updated.isoformat()}"


def service_text(service: Service, fields: tuple[str, ...]) -> str:
    """The fields asked (the first line answers the first, naming the service), or the short card.
    A field answer lists no other field: it answers what was asked, and nothing else in it may
    look like an answer to another question (the other fields are buttons)."""
    if fields:
        return f"{answer_fields(service, fields)}\n{source_line(service)}"
    return f"{card(service)}\n{source_line(service)}"


def service_buttons(service: Service, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The card's buttons for the rest of the guide; after a field's answer, the next three fields."""
    if fields:
        shown = [(name, title) for name, title in NEXT_FIELDS.items() if name not in fields][:3]
    else:
        shown = list(CARD_BUTTONS.items())
    return field_buttons(service, shown)


def field_buttons(service: Service, shown: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """A button per (guide field, title), asking that field of the service by name."""
    return [{"title": title, "payload": f"{service.name}{FIELD_QUESTIONS[name]}"} for name, title in shown]


def related_text(services: tuple[Service, ...]) -> str:
    return RELATED_TEXT.format(names="、".join(f"【{s.name}】" for s in services))


def related_buttons(services: tuple[Service, ...]) -> list[dict[str, str]]:
    """One button per service, asking how it is done (the service's own card answers it)."""
    return [{"title": s.name, "payload": f"{s.name}怎么办理"} for s in services]


class Reply:
    """Collects the messages of one reply; the first carries the routing record."""

    def __init__(self, dispatcher: CollectingDispatcher, routing: dict[str, Any]) -> None:
        self.dispatcher = dispatcher
        self.routing: dict[str, Any] | None = routing

    def _metadata(self) -> dict[str, Any]:
        if self.routing is None:
            return {}
        metadata, self.routing = {"routing": self.routing}, None
        return metadata

    def say(self, text: str | None = None, response: str | None = None,
            buttons: list[dict[str, str]] | None = None) -> None:
        self.dispatcher.utter_message(text=text, response=response, buttons=buttons, **self._metadata())

    def fail(self, tracker: Tracker, response: str) -> list[EventType]:
        return fail_with(response, self.dispatcher, tracker, **self._metadata())


def _topic_events(topic_id: str, tracker: Tracker) -> list[EventType]:
    shown = list(tracker.get_slot("topics_shown") or [])
    return [SlotSet("knowledge_topic", topic_id), SlotSet("subject", SUBJECT_KNOWLEDGE),
            SlotSet("topics_shown", [*shown, topic_id][-20:])]


def _offer_buttons(decision: Decision) -> list[dict[str, str]]:
    question = FIELD_QUESTIONS.get(decision.fields[0], "") if decision.fields else ""
    topics = shared_knowledge().topics
    buttons = []
    for offer in decision.offers:
        of_kind = kind_of_option(offer.option)
        if of_kind is not None:
            buttons.append({"title": offer.title, "payload": kind_question(*of_kind)})
        elif offer.option.startswith(TOPIC_OPTION):
            topic = topics[offer.option[len(TOPIC_OPTION):]]
            buttons.append({"title": offer.title, "payload": topic_question(topic, shared_rules())})
        else:
            buttons.append({"title": offer.title, "payload": f"{offer.title}{question}"})
    return buttons


# The decisions that pick one of the options offered: the others stay a choice.
PICKS = frozenset({"pick_by_position", "pick_by_name"})


def render(decision: Decision, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker,
           vocabulary: FieldVocabulary) -> list[EventType]:
    """Say the decision's reply; return the events that record what the conversation is about now."""
    events = _render(decision, turn, dispatcher, tracker, vocabulary)
    if _topic_buttons_expire(decision, tracker, events):
        events.append(SlotSet("options_offered", None))
    return events


def _topic_buttons_expire(decision: Decision, tracker: Tracker, events: list[EventType]) -> bool:
    """While an article topic is the subject, the options standing (its buttons, or a list offered
    before it) are those of the next message only: answered with anything but a pick of them or
    another topic, and offering nothing new, the conversation lets them go (left standing,
    "一窗办是什么" two answers later was read as a pick of one by a shared word)."""
    if tracker.get_slot("subject") != SUBJECT_KNOWLEDGE or not tracker.get_slot("options_offered"):
        return False
    if decision.reply == kinds.TOPIC or decision.name in PICKS:
        return False
    return not any(event.get("name") == "options_offered" for event in events)


def _render(decision: Decision, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker,
            vocabulary: FieldVocabulary) -> list[EventType]:
    reply = Reply(dispatcher, decision.record(turn))
    kind = decision.reply
    if kind == kinds.SERVICE and decision.service is not None:
        service = decision.service
        reply.say(text=service_text(service, decision.fields), buttons=service_buttons(service, decision.fields))
        if decision.note:
            reply.say(text=decision.note)
        asked = vocabulary.by_guide(decision.fields[0]) if decision.fields else None
        events = [SlotSet("service_code", service.code), SlotSet("subject", SUBJECT_SERVICE),
                  SlotSet("field", asked.name if asked else None)]
        if decision.offers:  # answered for the option the question named; the others stay a choice,
            # numbered as shown ("第一个" is the first of them now)
            reply.say(text=OTHER_OPTIONS_TEXT.format(name=service.name), buttons=_offer_buttons(decision))
            events.append(SlotSet("options_offered", [o.option for o in decision.offers]))
        return events
    if kind == kinds.SERVICE_BEYOND and decision.service is not None:
        service = decision.service
        reply.say(text=f"{beyond_the_guide(service, decision.details)}\n{BEYOND_THE_GUIDE}\n{source_line(service)}",
                  buttons=field_buttons(service, GUIDE_BUTTONS.items()))
        return [SlotSet("service_code", service.code), SlotSet("subject", SUBJECT_SERVICE), SlotSet("field", None)]
    if kind == kinds.SERVICE_GUIDE and decision.service is not None:
        reply.say(text=f"{describe(decision.service)}\n{source_line(decision.service)}")
        return [SlotSet("field", None)]
    if kind == kinds.TOPIC and decision.topic:
        reply.say(response=response_name(decision.topic))
        if decision.note:
            reply.say(text=decision.note)
        _next_steps(decision, reply)
        return [*_topic_events(decision.topic, tracker), *_next_step_options(decision)]
    if kind == kinds.MENU and decision.menu:
        menu = shared_menus().menus[decision.menu]
        reply.say(text=menu.intro, buttons=[{"title": q.title, "payload": q.ask} for q in menu.questions])
        return []
    if kind == kinds.CENTRE:
        return _centre(decision, reply)
    if kind == kinds.HOTLINE:
        return _hotline(decision, reply)
    if kind == kinds.OFFER:
        reply.say(text=OFFER_FIELD_TEXT if decision.fields else OFFER_TEXT,
                  buttons=_offer_buttons(decision))
        asked = vocabulary.by_guide(decision.fields[0]) if decision.fields else None
        return [SlotSet("options_offered", [o.option for o in decision.offers]),
                SlotSet("subject", SUBJECT_OPTIONS), SlotSet("field", asked.name if asked else None)]
    if kind == kinds.KIND_LIST:
        return _kind_list(decision, reply, vocabulary)
    if kind == kinds.OUT_OF_SCOPE:
        return reply.fail(tracker, response="utter_out_of_scope")
    if kind == kinds.REPHRASE:
        return reply.fail(tracker, response="utter_ask_rephrase")
    if kind == kinds.UNSURE:
        return _unsure(decision, reply, tracker)
    if kind == kinds.CHANNEL and decision.channel:
        return _channel(decision, reply)
    texts = {kinds.NOT_FOUND: NOT_FOUND.format(query=turn.text[:30]), kinds.NOTHING_MORE: NOTHING_MORE,
             kinds.WHICH_MORE: WHICH_MORE, kinds.NOTHING_OFFERED: NOTHING_OFFERED,
             kinds.UNAVAILABLE: UNAVAILABLE}
    if kind == kinds.WHICH_CHANNEL:
        reply.say(text=WHICH_CHANNEL.format(channels="、".join(CHANNELS)),
                  buttons=[{"title": c, "payload": f"哪些事可以{c}"} for c in CHANNELS])
        return []
    if kind in texts:
        reply.say(text=texts[kind])
        return []
    reply.say(response="utter_default")
    return []


def _name_example(offers: tuple[kinds.Offer, ...]) -> str:
    """How to pick by a word of a name: two characters of the last option's name no other has."""
    last, others = offers[-1].title, "".join(o.title for o in offers[:-1])
    part = next((last[i:i + 2] for i in range(len(last) - 1) if last[i:i + 2] not in others), None)
    return f"或事项里的词（如“{part}那个”）" if part else ""


def _kind_list(decision: Decision, reply: Reply, vocabulary: FieldVocabulary) -> list[EventType]:
    """A kind's services, numbered in one run across their groups (so "第七个" and WeChat's "7"
    pick the seventh named), a heading over each group when there are several; one button each."""
    channel = f"可以“{decision.channel}”的" if decision.channel else ""
    lines = [KIND_TEXT.format(kinds="、".join(decision.kinds), channel=channel, count=len(decision.offers))]
    offers = iter(enumerate(decision.offers, 1))
    for heading, count in decision.groups:
        if len(decision.groups) > 1:
            lines.append(f"{heading}：")
        lines += [f"{number}. {offer.title}" for number, offer in (next(offers) for _ in range(count))]
    lines.append(KIND_END.format(example=_name_example(decision.offers)))
    reply.say(text="\n".join(lines), buttons=_offer_buttons(decision))
    asked = vocabulary.by_guide(decision.fields[0]) if decision.fields else None
    return [SlotSet("options_offered", [o.option for o in decision.offers]),
            SlotSet("subject", SUBJECT_OPTIONS), SlotSet("field", asked.name if asked else None)]


def _unsure(decision: Decision, reply: Reply, tracker: Tracker) -> list[EventType]:
    """The fallback's first stage: likely services and topics as buttons; a failure all the same
    (right after another one, the callback is one more button)."""
    if not decision.offers:
        reply.say(response="utter_default")
        return record_failure(tracker, reply.dispatcher)
    events, offer = mark_failure(tracker)
    topics = shared_knowledge().topics
    buttons = []
    for option in decision.offers:
        if option.option.startswith(SERVICE_OPTION):
            # The button says what it gives: the service's guide, not the article's words about it.
            buttons.append({"title": f"{option.title}怎么办理", "payload": f"{option.title}怎么办理"})
        else:
            topic = topics[option.option[len(TOPIC_OPTION):]]
            buttons.append({"title": topic.title, "payload": topic_question(topic, shared_rules())})
    buttons.append({"title": "都不是", "payload": "/deny"})
    if offer:
        buttons.append(OFFER_BUTTONS[0])
    reply.say(text=UNSURE_TEXT, buttons=buttons)
    return [*events, SlotSet("options_offered", [o.option for o in decision.offers])]


def _channel(decision: Decision, reply: Reply) -> list[EventType]:
    """The channel's services, named in order ("第二个" then picks the second named); a long list
    by kind, one button a kind ("第二个" then picks the second kind)."""
    channel, services = decision.channel, list(decision.services)
    if not services:
        reply.say(text=f"事项目录里暂时没有标注为“{channel}”的事项，可拨打12345市民服务热线咨询。")
        return []
    sample = CHANNEL_SAMPLE if any(s.is_sample("channels") for s in services) else ""
    if decision.offers:
        counts = dict(decision.groups)
        buttons = []
        for offer in decision.offers:
            of_kind = kind_of_option(offer.option)
            if of_kind is None:
                buttons.append({"title": offer.title, "payload": f"{offer.title}怎么办理"})
            else:
                buttons.append({"title": f"{offer.title}（{counts[offer.title]}项）",
                                "payload": kind_question(of_kind[0], channel)})
        reply.say(text=CHANNEL_GROUPED.format(channel=channel, count=len(services), sample=sample),
                  buttons=buttons)
        return [SlotSet("options_offered", [o.option for o in decision.offers]), SlotSet("subject", SUBJECT_OPTIONS)]
    listed = int(shared_rules().listed_at_most)
    names = "、".join(s.name for s in services[:listed])
    more = f"等{len(services)}项" if len(services) > listed else f"共{len(services)}项"
    reply.say(text=f"可以“{channel}”的事项有：{names}，{more}{sample}。点选下面的事项或直接问我“××要带什么材料”。\n"
                   f"来源：市中区政务服务事项目录",
              buttons=[{"title": s.name, "payload": f"{s.name}怎么办理"} for s in services[:3]])
    return [SlotSet("options_offered", [f"{SERVICE_OPTION}{s.code}" for s in services[:listed]])]


def kind_question(kind: str, channel: str | None) -> str:
    """A kind's services of a channel, asked in the words the kind list answers ("可以网上办的社保
    事项有哪些"): the kind's first everyday word that reads as a list, not as the article's plans."""
    rules = shared_rules()
    words = [kind, *rules.kinds.get(kind, ())]
    word = next((w for w in words if not rules.pattern("not_listing").search(w)), kind)
    return f"可以{channel}的{word}事项有哪些" if channel else f"{word}方面能办哪些事"


def _next_steps(decision: Decision, reply: Reply) -> None:
    """After a topic's (or the centre's) answer: its services ("相关办事") and related topics, as buttons."""
    topics, rules = shared_knowledge().topics, shared_rules()
    buttons = related_buttons(decision.services)
    buttons += [{"title": topics[t].title, "payload": topic_question(topics[t], rules)} for t in decision.next_topics]
    if decision.services:
        reply.say(text=related_text(decision.services), buttons=buttons)
    elif buttons:
        reply.say(text=NEXT_TEXT, buttons=buttons)


def _next_step_options(decision: Decision) -> list[EventType]:
    """The buttons after a topic's answer, in the order shown, as the options "第二个" or WeChat's
    "2" picks from; the topic stays the subject, so a question about it still follows it. No
    buttons: the options of an earlier list stay."""
    options = [*(service_option(s.code) for s in decision.services),
               *(topic_option(t) for t in decision.next_topics)]
    return [SlotSet("options_offered", options)] if options else []


def _centre(decision: Decision, reply: Reply) -> list[EventType]:
    """The district service centre's record: the fields asked (or all), the sample notice and
    12345; the other fields as buttons; then the services the message called by a shared word
    ("相关办事"), which "第一个" picks from."""
    centre = default_centre()
    reply.say(text=centre_reply(decision.fields, centre),
              buttons=[{"title": CENTRE_LABELS[key], "payload": f"{centre.name}{question}"}
                       for key, question in CENTRE_QUESTIONS.items() if key not in decision.fields][:3]
              if decision.fields else [])
    _next_steps(decision, reply)
    return [SlotSet("subject", SUBJECT_CENTRE), SlotSet("field", None), *_next_step_options(decision)]


def _hotline(decision: Decision, reply: Reply) -> list[EventType]:
    """The 12345 hotline's record: the fields asked (or what it is and when to call it), the
    notice when a placeholder is shown; up to three other fields as buttons."""
    hotline = default_hotline()
    shown = decision.fields or ("purpose", "hand_on")
    reply.say(text=hotline_reply(decision.fields, hotline),
              buttons=[{"title": HOTLINE_LABELS[key], "payload": f"{hotline.number}{question}"}
                       for key, question in HOTLINE_QUESTIONS.items() if key not in shown][:3])
    return [SlotSet("subject", SUBJECT_HOTLINE), SlotSet("field", None)]
