"""The service-guide (办事指南) schema: one `Service` per catalogue item, and its rules.

Parsing returns problems instead of raising, so that `validate` and the importer can report every
problem of a file at once with its place (file:line or file:row). No I/O happens here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CHANNELS = ("一窗办", "网上办", "就近办", "一证通办", "全程网办")
AUDIENCES = ("个人", "法人")
HOTLINE = "12345"

# Sources that are not an official service guide: every filled fact must then be flagged sample.
SAMPLE_SOURCE = "示例数据"
ARTICLE_SOURCE = "市中区2020年“聚焦提升年”工作部署"

# Fields that state an official fact. Only these may be flagged sample; `all` expands to them.
FACT_FIELDS = (
    "department", "channels", "visits", "conditions", "materials", "legal_days",
    "promised_days", "fee", "place", "hours", "phone", "online", "legal_basis",
)
# Every key a service may have, in the order the YAML files and the export write them.
FIELDS = (
    "code", "name", "aliases", "examples", "situations", "audience", "topic", *FACT_FIELDS, "source", "updated",
    "sample_fields",
)
REQUIRED = ("code", "name", "audience", "topic", "department", "channels", "source", "updated")

MAX_TEXT = 500
MAX_LIST = 40
MAX_SITUATION = 40  # a situation is a short description, not a story
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
_PHONE = re.compile(r"^[0-9][0-9 -]{2,19}$")


@dataclass(frozen=True)
class Material:
    """One application material (申请材料) and how many originals and copies are needed."""

    name: str
    original: int = 1
    copies: int = 0
    note: str = ""

    def label(self) -> str:
        """'居民身份证（原件1份，复印件1份）' — the way a service guide lists it."""
        counts = [f"原件{self.original}份"] if self.original else []
        counts += [f"复印件{self.copies}份"] if self.copies else []
        extra = "，".join(counts + ([self.note] if self.note else []))
        return f"{self.name}（{extra}）" if extra else self.name


@dataclass(frozen=True)
class Service:
    """One catalogue item; `sample_fields` names the values not taken from an official source."""

    code: str
    name: str
    audience: tuple[str, ...]
    topic: str
    department: str
    channels: tuple[str, ...]
    source: str
    updated: dt.date
    aliases: tuple[str, ...] = ()
    # Residents' questions about this service that the assistant once failed to place (added by
    # editors from the unanswered inbox): NLU examples of ask_service and exact search keys.
    examples: tuple[str, ...] = ()
    # Everyday situations and needs the service is for, in residents' and enterprise staff's own
    # words ("老伴走了，一个人没有收入"): a resident often describes the situation instead of naming
    # the service. Searched as words (weighing less than names and aliases, index.py) and generated
    # as ask_service examples for the NLU.
    situations: tuple[str, ...] = ()
    visits: int | None = None
    conditions: tuple[str, ...] = ()
    materials: tuple[Material, ...] = ()
    legal_days: int | None = None
    promised_days: int | None = None
    fee: str = ""
    place: str = ""
    hours: str = ""
    phone: str = ""
    online: str = ""
    legal_basis: str = ""
    sample_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def sample(self) -> bool:
        """True when any value is a placeholder (the reply must then say 示例 and name 12345)."""
        return bool(self.sample_fields)

    def is_sample(self, field_name: str) -> bool:
        """Whether the value of `field_name` is a placeholder rather than an official fact."""
        return field_name in self.sample_fields

    def names(self) -> tuple[str, ...]:
        """The name first, then the aliases: every way a resident may call the service."""
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, object]:
        """Plain data in the YAML layout (for the export and the database's JSON column)."""
        data: dict[str, object] = {
            "code": self.code,
            "name": self.name,
            "aliases": list(self.aliases),
            "examples": list(self.examples),
            "situations": list(self.situations),
            "audience": list(self.audience),
            "topic": self.topic,
            "department": self.department,
            "channels": list(self.channels),
            "visits": self.visits,
            "conditions": list(self.conditions),
            "materials": [_material_dict(m) for m in self.materials],
            "legal_days": self.legal_days,
            "promised_days": self.promised_days,
            "fee": self.fee,
            "place": self.place,
            "hours": self.hours,
            "phone": self.phone,
            "online": self.online,
            "legal_basis": self.legal_basis,
            "source": self.source,
            "updated": self.updated.isoformat(),
            "sample_fields": "all" if self.sample_fields == frozenset(FACT_FIELDS) else
            [f for f in FACT_FIELDS if f in self.sample_fields],
        }
        return {k: v for k, v in data.items() if v not in (None, "", [])}


@dataclass(frozen=True)
class FieldProblem:
    """A broken rule of one service: which key (None for the whole service) and why."""

    key: str | None
    reason: str


def _material_dict(material: Material) -> dict[str, object]:
    data: dict[str, object] = {
        "name": material.name, "original": material.original, "copies": material.copies,
    }
    if material.note:
        data["note"] = material.note
    return data


class FieldParser:
    """Collects problems while turning one raw mapping into field values (catalogue services and
    the service-centre record alike)."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self.raw = raw
        self.problems: list[FieldProblem] = []

    def fail(self, key: str | None, reason: str) -> None:
        self.problems.append(FieldProblem(key, reason))

    def text(self, key: str, limit: int = MAX_TEXT) -> str:
        value = self.raw.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(key, "must be text")
            return ""
        text = str(value).strip()
        if len(text) > limit:
            self.fail(key, f"longer than {limit} characters")
        return text

    def texts(self, key: str, limit: int = MAX_TEXT) -> tuple[str, ...]:
        value = self.raw.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self.fail(key, "must be a list of texts")
            return ()
        items = tuple(str(v).strip() for v in value if str(v).strip())
        if len(items) > MAX_LIST:
            self.fail(key, f"more than {MAX_LIST} entries")
        if any(len(item) > limit for item in items):
            self.fail(key, f"an entry is longer than {limit} characters")
        if len(set(items)) != len(items):
            self.fail(key, "lists an entry twice")
        return items

    def count(self, key: str, value: object, *, maximum: int) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            self.fail(key, f"must be a whole number from 0 to {maximum}")
            return None
        return value

    def materials(self) -> tuple[Material, ...]:
        value = self.raw.get("materials")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail("materials", "must be a list")
            return ()
        result = []
        for index, item in enumerate(value, start=1):
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, Mapping):
                self.fail("materials", f"entry {index} must be a name or a mapping")
                continue
            unknown = set(item) - {"name", "original", "copies", "note"}
            if unknown:
                self.fail("materials", f"entry {index} has unknown keys {sorted(unknown)}")
            name = str(item.get("name") or "").strip()
            if not name:
                self.fail("materials", f"entry {index} has no name")
                continue
            original = self.count("materials", item.get("original", 1), maximum=20)
            copies = self.count("materials", item.get("copies", 0), maximum=20)
            note = str(item.get("note") or "").strip()
            result.append(Material(name, original or 0, copies or 0, note))
        if len({m.name for m in result}) != len(result):
            self.fail("materials", "lists a material twice")
        return tuple(result)

    def date(self) -> dt.date:
        value = self.raw.get("updated")
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            if value not in (None, ""):
                self.fail("updated", "must be an ISO date such as 2024-05-01")
            return dt.date.min

    def keys(self, known: tuple[str, ...], required: tuple[str, ...]) -> None:
        """Every key known, every required one filled."""
        for key in self.raw:
            if key not in known:
                self.fail(str(key), f"unknown field (known: {', '.join(known)})")
        for key in required:
            if self.raw.get(key) in (None, "", []):
                self.fail(key, "is required and empty")

    def samples(self, facts: tuple[str, ...] = FACT_FIELDS) -> frozenset[str]:
        value = self.raw.get("sample_fields")
        if value is None:
            return frozenset()
        if value == "all":
            return frozenset(facts)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail("sample_fields", "must be `all` or a list of field names")
            return frozenset()
        unknown = [v for v in value if v not in facts]
        if unknown:
            self.fail("sample_fields", f"{unknown} are not fact fields; use {list(facts)}")
        return frozenset(v for v in value if v in facts)


def parse_service(raw: Mapping[str, object]) -> tuple[Service | None, list[FieldProblem]]:
    """Build a Service from YAML-shaped data; return it (None if unusable) and every problem."""
    p = FieldParser(raw)
    p.keys(FIELDS, REQUIRED)
    code, name = p.text("code", 64), p.text("name", 60)
    if code and not _CODE.match(code):
        p.fail("code", "must be 2–64 letters, digits, '-', '_' or '.'")
    service = Service(
        code=code,
        name=name,
        aliases=p.texts("aliases"),
        examples=p.texts("examples"),
        situations=p.texts("situations", limit=MAX_SITUATION),
        audience=p.texts("audience"),
        topic=p.text("topic", 30),
        department=p.text("department", 100),
        channels=p.texts("channels"),
        visits=p.count("visits", raw.get("visits"), maximum=9),
        conditions=p.texts("conditions"),
        materials=p.materials(),
        legal_days=p.count("legal_days", raw.get("legal_days"), maximum=365),
        promised_days=p.count("promised_days", raw.get("promised_days"), maximum=365),
        fee=p.text("fee"),
        place=p.text("place"),
        hours=p.text("hours"),
        phone=p.text("phone", 40),
        online=p.text("online"),
        legal_basis=p.text("legal_basis"),
        source=p.text("source"),
        updated=p.date(),
        sample_fields=p.samples(),
    )
    p.problems += service_problems(service)
    return (None if p.problems else service), p.problems


def service_problems(service: Service) -> list[FieldProblem]:
    """The rules that concern values rather than types (why: see docs/catalogue.md)."""
    problems: list[FieldProblem] = []

    def fail(key: str, reason: str) -> None:
        problems.append(FieldProblem(key, reason))

    for audience in service.audience:
        if audience not in AUDIENCES:
            fail("audience", f"{audience!r} is not one of {'、'.join(AUDIENCES)}")
    for channel in service.channels:
        if channel not in CHANNELS:
            fail("channels", f"{channel!r} is not one of {'、'.join(CHANNELS)}")
    if "全程网办" in service.channels and service.visits not in (None, 0):
        fail("visits", "a 全程网办 service needs 0 visits to the site")
    if {"网上办", "全程网办"} & set(service.channels) and not service.online:
        fail("online", "an online channel needs the online entry (online)")
    if service.name in service.aliases:
        fail("aliases", "repeats the name")
    if set(service.situations) & set(service.names()):
        fail("situations", "repeats a name or alias (a situation describes, it does not name)")
    if (
        service.legal_days is not None
        and service.promised_days is not None
        and service.promised_days > service.legal_days
    ):
        fail("promised_days", "the promised time limit exceeds the legal one")
    if service.updated > dt.date.today():
        fail("updated", "lies in the future")
    if service.phone and not _PHONE.match(service.phone):
        fail("phone", "must be digits (and '-' or spaces)")
    if service.is_sample("phone") and service.phone and service.phone != HOTLINE:
        fail("phone", f"a sample phone must be the {HOTLINE} hotline, never an invented number")
    if service.source.startswith((SAMPLE_SOURCE, ARTICLE_SOURCE)):
        unflagged = [f for f in FACT_FIELDS if _filled(service, f) and not service.is_sample(f)]
        if unflagged:
            fail(
                "sample_fields",
                f"the source gives no official facts, so flag {unflagged} as sample",
            )
    return problems


def _filled(service: Service, field_name: str) -> bool:
    return getattr(service, field_name) not in (None, "", ())


def cross_problems(services: Iterable[Service]) -> list[tuple[Service, FieldProblem]]:
    """Rules across services: unique codes, and names/aliases (and residents' questions and
    situations) that point at one service only."""
    problems: list[tuple[Service, FieldProblem]] = []
    codes: dict[str, Service] = {}
    owners: dict[str, Service] = {}
    asked: dict[str, Service] = {}
    described: dict[str, Service] = {}
    for service in services:
        for situation in service.situations:
            owner = described.setdefault(situation, service)
            if owner is not service:
                problems.append((service, FieldProblem(
                    "situations", f"{situation!r} is already a situation of {owner.code} {owner.name}")))
        for example in service.examples:
            owner = asked.setdefault(example, service)
            if owner is not service:
                problems.append((service, FieldProblem(
                    "examples", f"{example!r} is already a question of {owner.code} {owner.name}")))
        other = codes.setdefault(service.code, service)
        if other is not service:
            problems.append((service, FieldProblem("code", f"{service.code!r} is used twice")))
        for key, text in [("name", service.name)] + [("aliases", a) for a in service.aliases]:
            owner = owners.setdefault(text, service)
            if owner is not service:
                problems.append((service, FieldProblem(
                    key, f"{text!r} already names {owner.code} {owner.name}")))
    return problems
