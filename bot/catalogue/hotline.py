"""The 12345 citizen hotline (12345市民服务热线) as a record: `sources/hotline.yml`.

Every answer the assistant cannot give ends in "please call 12345", so residents ask about the
hotline itself: what it is, when to call it, whether it costs, when it answers. The district's
article does not mention it; the record holds only the number's general purpose (public knowledge),
when this assistant hands on to it (its own behaviour), and for hours and cost placeholders flagged
sample that say the article gives none. The rules (`hotline_problems`) keep a placeholder from
passing for a fact, as the service centre's do (bot/catalogue/centre.py).

`hotline_reply(fields)` is the reply for the fields asked, or the record's main part.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot import paths
from bot.catalogue.files import CatalogueInvalid, Problem, read_record
from bot.catalogue.schema import HOTLINE, FieldParser, FieldProblem

HOTLINE_RECORD = paths.SOURCES / "hotline.yml"
FACT_FIELDS = ("purpose", "hours", "cost")
FIELDS = ("name", "number", "aliases", "purpose", "hand_on", "hours", "cost", "source", "updated", "sample_fields")
REQUIRED = ("name", "number", "purpose", "hand_on", "hours", "cost", "source", "updated")
# The fields a resident asks, as the router names them (sources/routing.yml hotline_fields).
ANSWER_FIELDS = ("purpose", "hand_on", "number", "hours", "cost")
# Asked of nothing in particular ("12345热线"): what it is and when the assistant hands on to it.
MAIN_FIELDS = ("purpose", "hand_on")
LABELS = {"purpose": "用途", "hand_on": "什么时候打", "number": "号码", "hours": "服务时间", "cost": "是否收费"}
SAMPLE_NOTICE = f"以上写明“工作部署里没有写”的为示例说明，不是官方公布的内容，以拨打{HOTLINE}时的提示为准。"
PLACEHOLDER_FIELDS = ("hours", "cost")
MAX_TEXT = 200
_DIGITS = re.compile(r"[0-9０-９]+")


@dataclass(frozen=True)
class Hotline:
    """The hotline; `sample_fields` names the values that are placeholders."""

    name: str
    number: str
    purpose: str
    hand_on: tuple[str, ...]
    hours: str
    cost: str
    source: str
    updated: dt.date
    aliases: tuple[str, ...] = ()
    sample_fields: frozenset[str] = field(default_factory=frozenset)

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def is_sample(self, field_name: str) -> bool:
        return field_name in self.sample_fields


class HotlineInvalid(CatalogueInvalid):
    """The hotline record breaks rules; the message lists every problem, one per line."""


def parse_hotline(values: dict[str, object]) -> tuple[Hotline, list[FieldProblem]]:
    """The record's values as a Hotline, every broken rule of a value, and the rules across them."""
    p = FieldParser(values)
    p.keys(FIELDS, REQUIRED)
    hotline = Hotline(name=p.text("name", 60), number=p.text("number", 20), aliases=p.texts("aliases"),
                      purpose=p.text("purpose", MAX_TEXT), hand_on=p.texts("hand_on", 60),
                      hours=p.text("hours", MAX_TEXT), cost=p.text("cost", MAX_TEXT), source=p.text("source"),
                      updated=p.date(), sample_fields=p.samples(FACT_FIELDS))
    return hotline, p.problems + hotline_problems(hotline)


def hotline_problems(hotline: Hotline) -> list[FieldProblem]:
    """Why: the assistant hands everything on to 12345, and no hour or fee may be invented."""
    problems: list[FieldProblem] = []
    if hotline.number and hotline.number != HOTLINE:
        problems.append(FieldProblem("number", f"must be {HOTLINE}, the number every answer hands on to"))
    if hotline.number and hotline.number not in hotline.name:
        problems.append(FieldProblem("name", "must hold the number"))
    if any(digits != HOTLINE for digits in _DIGITS.findall(hotline.purpose)):
        problems.append(FieldProblem("purpose", f"may hold no number but {HOTLINE} (no invented figure)"))
    for key in PLACEHOLDER_FIELDS:
        value = getattr(hotline, key)
        if value and not hotline.is_sample(key):
            problems.append(FieldProblem("sample_fields", f"{key} is given by no source: flag it sample"))
        elif value and ("为准" not in value or _DIGITS.search(value)):
            problems.append(FieldProblem(key, "a sample value must say where the official one is found "
                                              "(…为准), with no number in it: never an invented one"))
    if hotline.updated > dt.date.today():
        problems.append(FieldProblem("updated", "lies in the future"))
    return problems


def load_hotline(path: Path = HOTLINE_RECORD) -> Hotline:
    """The valid record, or HotlineInvalid listing every problem (file:line)."""
    problems: list[Problem] = []
    entry = read_record(path, "the hotline record", problems)
    if entry is None:
        raise HotlineInvalid(problems)
    hotline, broken = parse_hotline(entry.values)
    problems += [entry.problem(path.name, problem) for problem in broken]
    if problems:
        raise HotlineInvalid(problems)
    return hotline


@lru_cache(maxsize=1)
def default_hotline() -> Hotline:
    """sources/hotline.yml, read once (it is no editor's record: a change ships with a release)."""
    return load_hotline()


def _line(hotline: Hotline, key: str, alone: bool) -> str:
    if key == "hand_on":
        items = "；".join(f"{n}. {item}" for n, item in enumerate(hotline.hand_on, 1))
        return f"本助手会请您拨打{hotline.number}的情况：{items}。"
    if key == "purpose":
        return f"{hotline.name}是{hotline.purpose}" if alone else f"{LABELS[key]}：{hotline.purpose}"
    value = hotline.number if key == "number" else f"{getattr(hotline, key)}。"
    return f"{hotline.name}{LABELS[key]}：{value}" if alone else f"{LABELS[key]}：{value}"


def hotline_reply(keys: tuple[str, ...], hotline: Hotline | None = None) -> str:
    """The fields asked, in the order asked (the first line answers the first), or what it is and
    when the assistant hands on to it; the sample notice once when a placeholder is shown, then
    where it comes from."""
    hotline = hotline or default_hotline()
    shown = tuple(dict.fromkeys(keys)) or MAIN_FIELDS
    lines = [_line(hotline, key, alone=key == shown[0]) for key in shown]
    if any(hotline.is_sample(key) for key in shown):
        lines.append(SAMPLE_NOTICE)
    lines.append(f"来源：{hotline.name}记录（{hotline.source}），更新于{hotline.updated.isoformat()}")
    return "\n".join(lines)
