"""The router's word lists, patterns and thresholds (sources/routing.yml), checked when loaded.

Why a data file: each of them decides answers residents get, and an editor or a Rasa engineer
should read and change them in one place, not find them in Python. Loading checks every key and
raises RoutingInvalid naming each problem (a missing key, a number out of range, a pattern that does
not compile), so a broken file stops the action server at start with a clear message instead of
answering wrongly.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import paths
from bot.catalogue.centre import ANSWER_FIELDS as CENTRE_FIELDS
from bot.catalogue.hotline import ANSWER_FIELDS as HOTLINE_FIELDS

ROUTING_FILE = paths.SOURCES / "routing.yml"

# (name, lowest allowed, highest allowed, whole number)
THRESHOLDS = (
    ("named_score", 1, 200, False), ("named_margin", 0, 100, False), ("clear_lead", 1, 100, False),
    ("procedural_score", 0, 100, False), ("out_of_scope_score", 0, 100, False), ("switch_score", 0, 100, False),
    ("correction_score", 0, 100, False),
    ("offered_at_most", 2, 10, True), ("offered_share", 0, 1, False), ("kind_share", 0, 1, False),
    ("part_search_share", 0, 1, False), ("yes_question_chars", 1, 100, True),
    ("topic_service_score", 1, 200, False),
    ("elliptical_chars", 1, 50, True), ("context_bonus", 0, 1, False), ("lexical_weight", 0, 1, False),
    ("unrelated_confidence", 0, 1, False), ("unrelated_lexical", 0, 100, False),
    ("article_reread_lexical", 0, 100, False), ("pick_reread_lexical", 0, 100, False),
    ("article_fact_lexical", 0, 100, False), ("linked_topic_share", 0, 1, False),
    ("current_topic_share", 0, 1, False), ("unsure_topic_confidence", 0, 1, False),
    ("unsure_topic_ratio", 1, 100, False),
    ("naming_term_chars", 1, 20, True), ("pick_by_name_chars", 1, 50, True),
    ("pick_by_position_chars", 1, 50, True), ("form_question_confidence", 0, 1, False),
    ("form_field_chars", 1, 100, True),
    ("offered_topics", 0, 10, True), ("listed_at_most", 1, 100, True),
    ("kind_group_above", 1, 100, True), ("pick_name_chars", 1, 50, True),
    ("topic_question_chars", 1, 50, True), ("follow_up_residue_chars", 0, 20, True),
    ("how_after_name_chars", 0, 20, True),
    ("related_services_at_most", 1, 10, True),
    ("next_steps_at_most", 1, 10, True),
    ("source_link_services", 1, 50, True), ("source_clause_chars", 1, 50, True),
    ("near_name_ratio", 0.5, 1, False), ("near_name_extra_chars", 0, 10, True),
    ("situation_score", 0, 100, False), ("situation_share", 0, 1, False),
    ("situation_pairs", 1, 20, True),
    ("situation_message_chars", 1, 100, True), ("situation_margin", 0, 1, False),
    ("situation_beside_pairs", 1, 20, True), ("situation_lead", 1, 100, False),
    ("plan_term_chars", 2, 20, True), ("quoted_chars", 2, 20, True), ("part_name_chars", 2, 20, True),
    ("name_filled_chars", 2, 20, True),
    ("asked_after_chars", 0, 10, True), ("set_aside_rivals", 2, 10, True), ("set_aside_phrase_chars", 1, 20, True),
)
PATTERNS = ("procedural", "set_aside_kind", "set_aside_fillers", "set_aside_counted", "complaint_asked",
            "count_question", "article_mention", "benefit_amount", "own_number_or_address",
            "other_years", "other_places", "origin_places", "personal_request", "task_for_me",
            "definition", "definition_first", "generic_suffix", "bare_number", "listing", "not_listing", "pick_by_name",
            "fact_question", "follow_up_fillers", "service_follow_up_words", "service_ask", "callback_wish",
            "call_them", "own_situation", "enterprise_asker", "kind_tail", "service_wish", "service_doing",
            "done_background", "correction_aside", "part_set_aside", "defined_as", "part_everyday",
            "wish_with_measure", "how_before_name", "service_what_is", "plan_how", "quoted", "set_aside", "clause",
            "question_clause", "correction_form", "eligibility", "ordinal_counts", "required_of", "something_else",
            "kind_of_named", "yes_question_end", "time_after", "no_phone", "district_does", "yes_wh_question",
            "yes_statement", "yes_long_question_end", "thing_brought")
WORD_LISTS = ("correction", "elliptical_starts", "elliptical_ends", "query_openings", "measure_words",
              "complaint_name_words",
              "topic_place_fields", "name_generic_words", "home_words", "name_particles", "listed_beside",
              "name_fillers", "verb_first_endings", "how_name_followers", "online_channels")


class RoutingInvalid(ValueError):
    """sources/routing.yml breaks a rule; the message names the file and every problem."""


@dataclass(frozen=True)
class Detail:
    """Something a question may ask beyond the article (a time, a place …) and how to tell."""

    what: str
    asked: re.Pattern[str]
    given: re.Pattern[str] | None


@dataclass(frozen=True)
class ServiceDetail:
    """Something a question may ask of a service that no guide holds (an amount received, an
    application period, one's own case): `say` (with {name}) tells so, or "…没有写{what}"."""

    what: str
    asked: re.Pattern[str]
    say: str = ""
    # Words by which a service's guide would give it (its note is then not made).
    given: re.Pattern[str] | None = None
    # A guide field asked beside it is answered instead.
    field_first: bool = False


@dataclass(frozen=True)
class Fact:
    """A kind of fact a short question asks (a figure, names) and how an answer shows it has one."""

    asked: re.Pattern[str]
    given: re.Pattern[str]


@dataclass(frozen=True)
class RoutingRules:
    thresholds: dict[str, float]
    ordinals: dict[str, int]
    words: dict[str, tuple[str, ...]]
    pick_stop_chars: frozenset[str]
    channels: dict[str, tuple[str, ...]]
    article_year: str
    article_last_year: str
    patterns: dict[str, re.Pattern[str]]
    details: tuple[Detail, ...]
    # The catalogue's kinds of service (topics) → residents' words for them.
    kinds: dict[str, tuple[str, ...]]
    # The catalogue's audiences → the headings of a long kind's groups.
    audience_groups: dict[str, str]
    # Everyday words → the words of service names they stand for in a pick by name.
    pick_words: dict[str, tuple[str, ...]]
    facts: tuple[Fact, ...] = ()
    # The service centre's fields (address, hours, phone, handles) → the words that ask for them.
    centre_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The 12345 hotline's fields (purpose, hand_on, number, hours, cost) → the words that ask for them.
    hotline_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What a question may ask of a service beyond its guide.
    service_details: tuple[ServiceDetail, ...] = ()

    def __getattr__(self, name: str) -> float:
        """A threshold by name (`rules.named_score`)."""
        thresholds = self.__dict__.get("thresholds", {})
        if name in thresholds:
            return thresholds[name]
        raise AttributeError(name)

    def pattern(self, name: str) -> re.Pattern[str]:
        return self.patterns[name]

    def search_query(self, text: str) -> str:
        """The text as the catalogue is searched for it: an opening that only says one wants to ask
        (请问, 我想咨询一下 …) taken off. The NLU segments this text too (bot/nlp/search_segments.py)."""
        for opening in self.words["query_openings"]:
            if text.startswith(opening) and len(text) > len(opening):
                return text[len(opening):]
        return text


class _Checker:
    """Collects problems while reading the raw mapping."""

    def __init__(self, raw: object) -> None:
        self.raw = raw if isinstance(raw, dict) else {}
        self.problems: list[str] = [] if isinstance(raw, dict) else ["the file must be a mapping"]

    def section(self, name: str) -> dict:
        value = self.raw.get(name)
        if not isinstance(value, dict):
            self.problems.append(f"{name}: must be a mapping")
            return {}
        return value

    def number(self, section: dict, name: str, low: float, high: float, whole: bool) -> float:
        value = section.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problems.append(f"thresholds.{name}: must be a number")
            return 0
        if whole and not float(value).is_integer():
            self.problems.append(f"thresholds.{name}: must be a whole number")
        if not low <= value <= high:
            self.problems.append(f"thresholds.{name}: {value} is outside {low}..{high}")
        return value

    def lists(self, where: str, value: object) -> dict[str, tuple[str, ...]]:
        """A mapping of texts to non-empty lists of texts (a kind's words, a pick word's stand-ins)."""
        if not isinstance(value, dict) or not value:
            self.problems.append(f"{where}: must map texts to lists of texts")
            return {}
        return {str(key): self.texts(f"{where}.{key}", words) for key, words in value.items()}

    def texts(self, where: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self.problems.append(f"{where}: must be a non-empty list of texts")
            return ()
        return tuple(value)

    def regex(self, where: str, value: object) -> re.Pattern[str]:
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{where}: must be a regular expression")
            return re.compile("(?!)")
        try:
            return re.compile(value.strip())
        except re.error as error:
            self.problems.append(f"{where}: does not compile ({error})")
            return re.compile("(?!)")


def parse_rules(raw: object, where: str = "routing.yml") -> RoutingRules:
    """The rules from the file's YAML, or RoutingInvalid listing every problem."""
    check = _Checker(raw)
    section = check.section("thresholds")
    thresholds = {name: check.number(section, name, low, high, whole) for name, low, high, whole in THRESHOLDS}
    unknown = set(section) - {name for name, *_ in THRESHOLDS}
    if unknown:
        check.problems.append(f"thresholds: unknown keys {sorted(unknown)}")
    words = check.section("words")
    ordinals = words.get("ordinals")
    if not isinstance(ordinals, dict) or not ordinals or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v != 0
            for k, v in ordinals.items()):
        check.problems.append("words.ordinals: must map words to non-zero whole numbers")
        ordinals = {}
    lists = {name: check.texts(f"words.{name}", words.get(name)) for name in WORD_LISTS}
    stop = words.get("pick_stop_chars")
    if not isinstance(stop, str) or not stop:
        check.problems.append("words.pick_stop_chars: must be a text of characters")
        stop = ""
    channels = check.lists("words.channels", words.get("channels"))
    if set(lists["online_channels"]) - set(channels):
        check.problems.append(f"words.online_channels: {sorted(set(lists['online_channels']) - set(channels))} "
                              "are not keys of words.channels")
    kinds = check.lists("words.kinds", words.get("kinds"))
    pick_words = check.lists("words.pick_words", words.get("pick_words"))
    centre_fields = check.lists("words.centre_fields", words.get("centre_fields"))
    if set(centre_fields) - set(CENTRE_FIELDS):
        check.problems.append(f"words.centre_fields: {sorted(set(centre_fields) - set(CENTRE_FIELDS))} "
                              f"are not fields of the service centre; use {list(CENTRE_FIELDS)}")
    hotline_fields = check.lists("words.hotline_fields", words.get("hotline_fields"))
    if set(hotline_fields) - set(HOTLINE_FIELDS):
        check.problems.append(f"words.hotline_fields: {sorted(set(hotline_fields) - set(HOTLINE_FIELDS))} "
                              f"are not fields of the hotline record; use {list(HOTLINE_FIELDS)}")
    groups = words.get("audience_groups")
    if not isinstance(groups, dict) or not groups or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in groups.items()):
        check.problems.append("words.audience_groups: must map each audience to a heading")
        groups = {}
    years = [str(words.get(key) or "") for key in ("article_year", "article_last_year")]
    if not all(re.fullmatch(r"\d{4}", year) for year in years):
        check.problems.append("words.article_year, words.article_last_year: must be four-digit years")
    patterns_raw = check.section("patterns")
    patterns = {name: check.regex(f"patterns.{name}", patterns_raw.get(name)) for name in PATTERNS}
    for name, group in (("definition", "subject"), ("definition_first", "subject"), ("pick_by_name", "name")):
        if group not in patterns[name].groupindex:
            check.problems.append(f"patterns.{name}: needs a group (?P<{group}>…)")
    details = []
    raw_details = check.raw.get("details")
    if not isinstance(raw_details, list) or not raw_details:
        check.problems.append("details: must be a non-empty list")
        raw_details = []
    for number, entry in enumerate(raw_details, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("what"), str):
            check.problems.append(f"details[{number}]: needs `what` (text, may be empty) and `asked`")
            continue
        given = entry.get("given")
        details.append(Detail(entry["what"], check.regex(f"details[{number}].asked", entry.get("asked")),
                              None if given is None else check.regex(f"details[{number}].given", given)))
    service_details = _service_details(check)
    facts = []
    raw_facts = check.raw.get("facts")
    if not isinstance(raw_facts, list) or not raw_facts:
        check.problems.append("facts: must be a non-empty list")
        raw_facts = []
    for number, entry in enumerate(raw_facts, 1):
        if not isinstance(entry, dict):
            check.problems.append(f"facts[{number}]: needs `asked` and `given`")
            continue
        facts.append(Fact(check.regex(f"facts[{number}].asked", entry.get("asked")),
                          check.regex(f"facts[{number}].given", entry.get("given"))))
    if check.problems:
        raise RoutingInvalid(f"{where}: " + "; ".join(check.problems))
    return RoutingRules(thresholds=thresholds, ordinals=dict(ordinals), words=lists,
                        pick_stop_chars=frozenset(stop), channels=channels, article_year=years[0],
                        article_last_year=years[1], patterns=patterns, details=tuple(details),
                        kinds=kinds, audience_groups=dict(groups), pick_words=pick_words,
                        facts=tuple(facts), centre_fields=centre_fields,
                        hotline_fields=hotline_fields, service_details=service_details)


def _service_details(check: _Checker) -> tuple[ServiceDetail, ...]:
    """`service_details`: each a non-empty `what`, an `asked` pattern and, if given, a `say` that
    names the service as {name} and nothing else, a `given` pattern and a `field_first` flag."""
    raw = check.raw.get("service_details")
    if not isinstance(raw, list) or not raw:
        check.problems.append("service_details: must be a non-empty list")
        return ()
    details = []
    for number, entry in enumerate(raw, 1):
        where = f"service_details[{number}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("what"), str) or not entry["what"]:
            check.problems.append(f"{where}: needs `what` (text) and `asked`")
            continue
        say = entry.get("say", "")
        if not isinstance(say, str) or (say and set(re.findall(r"{(\w*)}", say)) != {"name"}):
            check.problems.append(f"{where}.say: must be text naming the service as {{name}}")
            say = ""
        given = entry.get("given")
        if not isinstance(entry.get("field_first", False), bool):
            check.problems.append(f"{where}.field_first: must be true or false")
        details.append(ServiceDetail(entry["what"], check.regex(f"{where}.asked", entry.get("asked")), say,
                                     None if given is None else check.regex(f"{where}.given", given),
                                     entry.get("field_first") is True))
    return tuple(details)


def load_rules(path: Path = ROUTING_FILE) -> RoutingRules:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RoutingInvalid(f"{path}: cannot be read: {error}") from error
    shown = path.relative_to(paths.PROJECT) if path.is_relative_to(paths.PROJECT) else path
    return parse_rules(raw, str(shown))


@functools.cache
def shared_rules() -> RoutingRules:
    """The project's routing rules, loaded (and checked) once per process."""
    return load_rules()
