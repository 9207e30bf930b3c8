"""One user turn as the router reads it: the NLU's parse data and the conversation's state (slots).

Built from plain dicts (the tracker's `latest_message` and slots), so the router knows no Rasa SDK
and is tested with plain data. The text is the NLU's normalised text: the pipeline's first steps
(bot/nlp: 繁→简, a leading greeting taken off, English domain phrases in Chinese) rewrite the
message before it is tokenized, and Rasa's parse data carries that text; nothing is re-simplified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.catalogue.fields import FieldVocabulary

SUBJECT_KNOWLEDGE = "knowledge"
SUBJECT_SERVICE = "service"
# The district service centre (sources/service_centre.yml): "几点开门" then asks its hours.
SUBJECT_CENTRE = "centre"
# The 12345 hotline (sources/hotline.yml): "收费吗" then asks what calling it costs.
SUBJECT_HOTLINE = "hotline"
# A list of options was offered and none chosen yet.
SUBJECT_OPTIONS = "options"

# Which decisions a turn may reach depends on how the NLU read it (the rule that ran the action).
ENTRIES = {"faq": "knowledge", "ask_service": "service", "choose_option": "pick", "ask_more": "more",
           "out_of_scope": "out_of_scope", "nlu_fallback": "unsure",
           "list_services_by_channel": "channel", "deny": "deny", "request_callback": "callback",
           # a yes the router sees says more than yes (actions/handoff.py): read as a service question
           "affirm": "service"}
SERVICE_OPTION, TOPIC_OPTION = "service:", "topic:"
# A kind of service of a channel, offered as one group of a long channel list: "kind:<kind>|<channel>".
KIND_OPTION = "kind:"


def service_option(code: str) -> str:
    return f"{SERVICE_OPTION}{code}"


def topic_option(topic_id: str) -> str:
    return f"{TOPIC_OPTION}{topic_id}"


def kind_option(kind: str, channel: str | None) -> str:
    return f"{KIND_OPTION}{kind}|{channel or ''}"


def kind_of_option(option: str) -> tuple[str, str | None] | None:
    """(kind, channel) of a kind option, else None."""
    if not option.startswith(KIND_OPTION):
        return None
    kind, _, channel = option[len(KIND_OPTION):].partition("|")
    return kind, channel or None


@dataclass(frozen=True)
class State:
    """What the conversation is about, from its slots."""

    subject: str | None = None
    service_code: str | None = None
    knowledge_topic: str | None = None
    topics_shown: tuple[str, ...] = ()
    # The options just offered, in order ("service:SZ-…", "topic:…").
    options: tuple[str, ...] = ()
    # The guide field last asked about (an entity value such as 材料).
    field: str | None = None
    # The resident's message the options answered ("营业执照要怎么弄"), read from the tracker's events:
    # a field asked before a choice goes to the option that message named.
    options_asked: str = ""

    @classmethod
    def from_slots(cls, slots: dict[str, Any], options_asked: str = "") -> State:
        return cls(subject=slots.get("subject"), service_code=slots.get("service_code"),
                   knowledge_topic=slots.get("knowledge_topic"),
                   topics_shown=tuple(slots.get("topics_shown") or ()),
                   options=tuple(slots.get("options_offered") or ()), field=slots.get("field"),
                   options_asked=options_asked)

    @property
    def current_service(self) -> str | None:
        """The service under discussion: only while a service is the subject."""
        return self.service_code if self.subject == SUBJECT_SERVICE else None


@dataclass(frozen=True)
class Turn:
    text: str
    intent: str
    confidence: float = 1.0
    # `service` entity values (names or aliases), in order, without repeats.
    services: tuple[str, ...] = ()
    # The guide fields asked (Service attributes: materials, fee …), from the `field` entities.
    fields: tuple[str, ...] = ()
    # The ResponseSelector's topics, best first.
    ranking: tuple[tuple[str, float], ...] = ()
    state: State = field(default_factory=State)

    @property
    def entry(self) -> str:
        return ENTRIES.get(self.intent, "knowledge")

    @classmethod
    def from_parse(cls, parse: dict[str, Any], slots: dict[str, Any], vocabulary: FieldVocabulary,
                   ranking: list[tuple[str, float]], options_asked: str = "") -> Turn:
        """The turn of a tracker's latest message (`parse`) and slots."""
        intent = parse.get("intent") or {}
        entities = [e for e in parse.get("entities") or [] if isinstance(e.get("value"), str) and e["value"]]
        services = tuple(dict.fromkeys(e["value"] for e in entities if e.get("entity") == "service"))
        text = parse.get("text") or ""
        fields = vocabulary.guides([_as_written(e, text) for e in entities if e.get("entity") == "field"])
        return cls(text=text.strip(), intent=str(intent.get("name") or ""),
                   confidence=float(intent.get("confidence") or 0.0), services=services,
                   fields=fields, ranking=tuple(ranking),
                   state=State.from_slots(slots, options_asked))


def _as_written(entity: dict[str, Any], text: str) -> str:
    """The words of an entity as the message has them: the synonym mapper has replaced its value
    with the field's name, and whether the resident said 要啥 or 条件 matters (generic words)."""
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return str(entity["value"])
