"""The district service centre (区政务服务中心) as an editable record: `sources/service_centre.yml`.

Residents ask where the centre is, when it opens, its phone and what it handles. The district's
article names no address, hours, phone nor street centre, so the record starts with placeholders,
each flagged sample, and the answer says so once and hands on to 12345; an editor replaces them
with official values. The rules (`centre_problems`) keep a placeholder from passing for a fact:
a sample address or time is "以……为准" with no digit in it, a sample phone is 12345, and what the
centre handles is named by the catalogue's own topics. Problems read file:line like the catalogue's.

`centre_answer(field)` is the reply for one field (地址, 时间, 电话, 能办什么) or all of them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot import paths
from bot.catalogue.files import CatalogueInvalid, Problem, article_problem, load_catalogue, read_record
from bot.catalogue.schema import ARTICLE_SOURCE, HOTLINE, SAMPLE_SOURCE, FieldParser, FieldProblem, Service

FACT_FIELDS = ("name", "address", "hours", "phone", "handles")
FIELDS = ("name", "aliases", "address", "hours", "phone", "handles", "source", "updated", "sample_fields")
REQUIRED = ("name", "address", "hours", "phone", "handles", "source", "updated")
# A resident's word for a field → the field (the dialogue picks one of these, or "all").
FIELD_WORDS = {"地址": "address", "在哪": "address", "时间": "hours", "几点": "hours",
               "电话": "phone", "能办什么": "handles", "办什么": "handles"}
LABELS = {"address": "地址", "hours": "办公时间", "phone": "咨询电话", "handles": "可以办理"}
ANSWER_FIELDS = ("address", "hours", "phone", "handles")
PLACEHOLDER_FIELDS = ("address", "hours")
SAMPLE_NOTICE = f"以上为示例信息，不是官方公布的内容，请拨打{HOTLINE}市民服务热线核实。"
MAX_TEXT = 200
_PHONE = re.compile(r"^[0-9][0-9 -]{2,19}$")


@dataclass(frozen=True)
class ServiceCentre:
    """The district service centre; `sample_fields` names the values that are placeholders."""

    name: str
    address: str
    hours: str
    phone: str
    handles: tuple[str, ...]
    source: str
    updated: dt.date
    aliases: tuple[str, ...] = ()
    sample_fields: frozenset[str] = field(default_factory=frozenset)

    def is_sample(self, field_name: str) -> bool:
        return field_name in self.sample_fields

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class CentreFile:
    """The record as read: the centre (None when unusable) and every problem found."""

    centre: ServiceCentre | None
    problems: list[Problem]


class CentreInvalid(CatalogueInvalid):
    """The service-centre record breaks rules; the message lists every problem, one per line."""


def parse_centre(values: Mapping[str, object]) -> tuple[ServiceCentre, list[FieldProblem]]:
    """The record's values as a ServiceCentre, and every broken rule of a single value."""
    p = FieldParser(values)
    p.keys(FIELDS, REQUIRED)
    centre = ServiceCentre(
        name=p.text("name", 60),
        aliases=p.texts("aliases"),
        address=p.text("address", MAX_TEXT),
        hours=p.text("hours", MAX_TEXT),
        phone=p.text("phone", 40),
        handles=p.texts("handles"),
        source=p.text("source"),
        updated=p.date(),
        sample_fields=p.samples(FACT_FIELDS),
    )
    return centre, p.problems


def centre_problems(centre: ServiceCentre, services: Iterable[Service], article: str | None) -> list[FieldProblem]:
    """The rules across values, the catalogue and the article (why: never an invented fact)."""
    problems: list[FieldProblem] = []

    def fail(key: str, reason: str) -> None:
        problems.append(FieldProblem(key, reason))

    services = list(services)
    if centre.name in centre.aliases:
        fail("aliases", "repeats the name")
    owners = {text: service for service in services for text in service.names()}
    for text in centre.names():
        if text in owners:
            fail("aliases" if text != centre.name else "name",
                 f"{text!r} already names {owners[text].code} {owners[text].name} in the catalogue")
    topics = {service.topic for service in services}
    unknown = [topic for topic in centre.handles if topic not in topics]
    if unknown:
        fail("handles", f"{unknown} are not catalogue topics; use {sorted(topics)}")
    if centre.phone and not _PHONE.match(centre.phone):
        fail("phone", "must be digits (and '-' or spaces)")
    if centre.is_sample("phone") and centre.phone and centre.phone != HOTLINE:
        fail("phone", f"a sample phone must be the {HOTLINE} hotline, never an invented number")
    for key in PLACEHOLDER_FIELDS:
        value = getattr(centre, key)
        if centre.is_sample(key) and value and ("为准" not in value or re.search(r"[0-9０-９]", value)):
            fail(key, "a sample value must be a placeholder saying where the official one is "
                      "published (e.g. 以区政府官方公布的地址为准), with no number in it: never an invented one")
    if centre.source.startswith((SAMPLE_SOURCE, ARTICLE_SOURCE)):
        unflagged = [key for key in FACT_FIELDS if getattr(centre, key) and not centre.is_sample(key)]
        if unflagged:
            fail("sample_fields", f"the source gives no official facts, so flag {unflagged} as sample")
    reason = article_problem(centre.source, article)
    if reason:
        fail("source", reason.removeprefix("source: "))
    if centre.updated > dt.date.today():
        fail("updated", "lies in the future")
    return problems


def read_centre(path: Path = paths.SERVICE_CENTRE, catalogue: Path = paths.CATALOGUE_DATA,
                article_path: Path | None = paths.SEED_ARTICLE) -> CentreFile:
    """Read and check the record; never raises for content, collects problems instead."""
    problems: list[Problem] = []
    entry = read_record(path, "the service-centre record", problems)
    if entry is None:
        return CentreFile(None, problems)

    centre, broken = parse_centre(entry.values)
    article = article_path.read_text(encoding="utf-8") if article_path and article_path.is_file() else None
    broken += centre_problems(centre, load_catalogue(catalogue, article_path).services, article)
    problems += [entry.problem(path.name, problem) for problem in broken]
    return CentreFile(None if problems else centre, problems)


def load_centre(path: Path = paths.SERVICE_CENTRE, catalogue: Path = paths.CATALOGUE_DATA) -> ServiceCentre:
    """The valid record, or CentreInvalid listing every problem."""
    record = read_centre(path, catalogue)
    if record.centre is None:
        raise CentreInvalid(record.problems)
    return record.centre


CENTRE_ENV = "SHIZHONG_SERVICE_CENTRE"


def default_centre() -> ServiceCentre:
    """The record the action server answers from: a release's (SHIZHONG_SERVICE_CENTRE, e.g.
    build/releases/live/sources/service_centre.yml, checked against the catalogue beside it) or
    sources/'s. Read once per file: through the `live` link, a newly published record is read
    at its first question."""
    configured = os.environ.get(CENTRE_ENV)
    return _centre_at(str(Path(configured).resolve()) if configured else "")


@lru_cache(maxsize=2)
def _centre_at(path: str) -> ServiceCentre:
    return load_centre(Path(path), Path(path).parent / "catalogue") if path else load_centre()


def field_for(word: str) -> str:
    """A field name from a field name or a resident's word for it (地址, 时间, 电话, 能办什么); "all" stays."""
    if word == "all" or word in ANSWER_FIELDS:
        return word
    if word in FIELD_WORDS:
        return FIELD_WORDS[word]
    raise ValueError(f"unknown service-centre field {word!r}; use {ANSWER_FIELDS}, {list(FIELD_WORDS)} or 'all'")


def _value(centre: ServiceCentre, key: str) -> str:
    if key == "handles":
        return "、".join(centre.handles) + "等方面的政务服务事项"
    if key == "phone" and centre.phone == HOTLINE:
        return f"{HOTLINE}（市民服务热线）"
    return getattr(centre, key)


def centre_answer(word: str = "all", centre: ServiceCentre | None = None) -> str:
    """The centre's answer for one field (or "all"): the value first, the sample notice once with
    12345 when any value shown (or the name) is a placeholder, then where it comes from."""
    key = field_for(word)
    return centre_reply(() if key == "all" else (key,), centre)


def centre_reply(keys: tuple[str, ...], centre: ServiceCentre | None = None) -> str:
    """The centre's answer for the fields asked, in the order asked ("在哪，几点开门": address, then
    hours), or the whole record when none is: as `centre_answer`."""
    centre = centre or default_centre()
    shown = tuple(dict.fromkeys(field_for(key) for key in keys)) or ANSWER_FIELDS
    if len(shown) > 1:
        lines = [f"【{centre.name}】"] + [f"{LABELS[k]}：{_value(centre, k)}" for k in shown]
    else:
        lines = [f"{centre.name}{LABELS[shown[0]]}：{_value(centre, shown[0])}"]
    if any(centre.is_sample(k) for k in ("name", *shown)):
        lines.append(SAMPLE_NOTICE)
    origin = "待编辑核实" if centre.source.startswith(SAMPLE_SOURCE) else centre.source
    lines.append(f"来源：{centre.name}记录（{origin}），更新于{centre.updated.isoformat()}")
    return "\n".join(lines)
