"""A catalogue service as the console's form shows it, and the form's values back as a YAML entry.

Lists are one item a line; materials are written as a service guide lists them
("居民身份证（原件1份，复印件1份）"), read back by the importer's own rule; the channels, the
audiences and the sample flags are check boxes. The values then go through the catalogue's own
parser (bot.catalogue.schema.parse_service), so the form accepts exactly what the files accept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.catalogue.importer import parse_material
from bot.catalogue.schema import AUDIENCES, CHANNELS, FACT_FIELDS, Service
from bot.editing.messages import FIELD_NAMES
from bot.editing.tree import ChangeRefused

TEXT_FIELDS = ("code", "name", "topic", "department", "fee", "place", "hours", "phone", "online", "legal_basis",
               "source")
LINE_FIELDS = ("aliases", "examples", "situations", "conditions", "materials")
NUMBER_FIELDS = ("visits", "legal_days", "promised_days")
HINTS = {
    "aliases": "居民对该事项的其他叫法，每行一个", "examples": "居民的原话问法，每行一个（来自未答问题）",
    "situations": "居民或企业用自己的话说的需要或处境，每行一条（如：腿脚不便的老人想在家吃上热饭）",
    "conditions": "每行一条", "materials": "每行一项，例如：居民身份证（原件1份，复印件1份）",
    "legal_days": "工作日，0 表示即办", "promised_days": "工作日，不能长于法定时限",
    "phone": "示例数据的电话只能填 12345", "source": "正式办事指南名称，或“示例数据”，或文章原文引用",
    "sample_fields": "未取自正式办事指南的字段必须勾选为示例，回复中会标注“示例”并提示拨打12345",
}


@dataclass(frozen=True)
class ServiceForm:
    """The form's values as text, and which boxes are ticked."""

    values: dict[str, str]
    audience: frozenset[str]
    channels: frozenset[str]
    samples: frozenset[str]

    @classmethod
    def empty(cls, **values: str) -> ServiceForm:
        base = {key: "" for key in (*TEXT_FIELDS, *LINE_FIELDS, *NUMBER_FIELDS, "updated")}
        base["updated"] = dt.date.today().isoformat()
        base["source"] = "示例数据"
        return cls({**base, **values}, frozenset({"个人"}), frozenset(), frozenset(FACT_FIELDS))

    @classmethod
    def of(cls, service: Service) -> ServiceForm:
        values = {key: str(getattr(service, key) or "") for key in TEXT_FIELDS}
        values.update({key: "" if getattr(service, key) is None else str(getattr(service, key))
                       for key in NUMBER_FIELDS})
        values.update(aliases="\n".join(service.aliases), examples="\n".join(service.examples),
                      situations="\n".join(service.situations),
                      conditions="\n".join(service.conditions),
                      materials="\n".join(material.label() for material in service.materials),
                      updated=service.updated.isoformat())
        return cls(values, frozenset(service.audience), frozenset(service.channels), service.sample_fields)

    @classmethod
    def from_request(cls, form) -> ServiceForm:
        values = {key: (form.get(key) or "").strip() for key in (*TEXT_FIELDS, *LINE_FIELDS, *NUMBER_FIELDS,
                                                                  "updated")}
        return cls(values, frozenset(form.getlist("audience") or []), frozenset(form.getlist("channels") or []),
                   frozenset(form.getlist("sample_fields") or []))

    def raw(self) -> dict:
        """The values shaped as a YAML entry for bot.catalogue.schema.parse_service."""
        problems, raw = [], {}
        for key in TEXT_FIELDS:
            if self.values.get(key):
                raw[key] = self.values[key]
        for key in LINE_FIELDS:
            lines = [line.strip() for line in self.values.get(key, "").splitlines() if line.strip()]
            if lines:
                raw[key] = [parse_material(line) for line in lines] if key == "materials" else lines
        for key in NUMBER_FIELDS:
            text = self.values.get(key, "")
            if text:
                if not text.isdigit():
                    problems.append(f"{FIELD_NAMES[key]}：应为整数，例如 0 或 5")
                else:
                    raw[key] = int(text)
        raw["updated"] = self.values.get("updated", "")
        raw["audience"] = [a for a in AUDIENCES if a in self.audience]
        raw["channels"] = [c for c in CHANNELS if c in self.channels]
        samples = [f for f in FACT_FIELDS if f in self.samples]
        if samples:
            raw["sample_fields"] = "all" if len(samples) == len(FACT_FIELDS) else samples
        if problems:
            raise ChangeRefused(problems)
        return raw


def field_name(key: str) -> str:
    return FIELD_NAMES.get(key, key)


@dataclass(frozen=True)
class CentreForm:
    """The service-centre record (sources/service_centre.yml) as the form shows it."""

    values: dict[str, str]
    handles: tuple[str, ...]
    samples: frozenset[str]

    TEXTS = ("name", "address", "hours", "phone", "source")
    HINTS = {"address": "示例值只能写“以……为准”，不能编造门牌号",
             "hours": "示例值只能写“以……为准”，不能编造钟点",
             "phone": "示例电话只能是 12345", "aliases": "每行一个",
             "source": "官方出处（如区政府网站公告的标题），或“示例数据”"}

    @classmethod
    def of(cls, centre) -> CentreForm:
        values = {key: str(getattr(centre, key) or "") for key in cls.TEXTS}
        values.update(aliases="\n".join(centre.aliases), updated=centre.updated.isoformat())
        return cls(values, tuple(centre.handles), frozenset(centre.sample_fields))

    @classmethod
    def from_request(cls, form) -> CentreForm:
        values = {key: (form.get(key) or "").strip() for key in (*cls.TEXTS, "aliases", "updated")}
        return cls(values, tuple(form.getlist("handles") or []), frozenset(form.getlist("sample_fields") or []))

    def raw(self) -> dict:
        from bot.catalogue.centre import FACT_FIELDS as CENTRE_FACTS

        raw: dict = {key: self.values[key] for key in self.TEXTS if self.values.get(key)}
        aliases = [line.strip() for line in self.values.get("aliases", "").splitlines() if line.strip()]
        if aliases:
            raw["aliases"] = aliases
        raw["handles"] = list(self.handles)
        raw["updated"] = self.values.get("updated", "")
        samples = [f for f in CENTRE_FACTS if f in self.samples]
        if samples:
            raw["sample_fields"] = "all" if len(samples) == len(CENTRE_FACTS) else samples
        return raw
