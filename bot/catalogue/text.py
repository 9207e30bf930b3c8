"""Service facts as reply text, each placeholder marked 示例 (why: never pass one off as official).

Actions pick the aspects a resident asked for; this module only phrases them, so every reply marks
sample values the same way and ends with the 12345 hotline when it showed one (once per reply).
One notice per reply: when every value shown is a sample, one line after them says so (a mark on
each line made a card unreadable and told the resident nothing more); only when official and
sample values stand together is each sample line marked, so that the resident sees which is which.
`describe` phrases a guide's aspects line by line (the whole guide); `card` is the short card that
fits one phone screen (name, channels and visits, materials); `answer_fields` answers the fields a
resident asked for, each on one line that names the service, so the first line is the answer.
"""

from __future__ import annotations

from bot.catalogue.schema import HOTLINE, Service

SAMPLE_MARK = "（示例，以窗口为准）"
SAMPLE_NOTE = (f"标注“示例”的内容并非官方信息，请以办理窗口为准，"
               f"或拨打{HOTLINE}市民服务热线咨询。")
# When every value shown is a sample: one notice, no marks.
ALL_SAMPLE_NOTE = (f"以上办理信息为示例，并非官方信息，请以办理窗口为准，"
                   f"或拨打{HOTLINE}市民服务热线咨询。")
UNAVAILABLE = (f"抱歉，事项目录暂时无法查询，请稍后再试，"
               f"或拨打{HOTLINE}市民服务热线咨询。")

ASPECTS = ("overview", "channels", "conditions", "materials", "time_limit", "fee", "place",
           "hours", "phone", "online", "visits", "legal_basis")
# What each field is called in a reply ("【社会保障卡申领】办理时限：…").
LABELS = {"conditions": "受理条件", "materials": "申请材料", "time_limit": "办理时限", "fee": "收费",
          "place": "办理地点", "hours": "办理时间", "phone": "咨询电话", "online": "网上办理",
          "visits": "到现场次数", "legal_basis": "办理依据"}
ONLINE_CHANNELS = ("网上办", "全程网办")


def _days(days: int | None) -> str:
    if days is None:
        return "未提供"
    return "即办" if days == 0 else f"{days}个工作日"


def _lines(service: Service, aspect: str) -> list[tuple[str, str | None]]:
    """(text, field it comes from) pairs for one aspect; the field decides the 示例 mark."""
    s = service
    if aspect == "overview":
        return [(f"【{s.name}】{s.topic}，实施主体：{s.department}", "department")]
    if aspect == "channels":
        visits = "" if s.visits is None else f"，到现场{s.visits}次"
        return [(f"办理渠道：{'、'.join(s.channels)}{visits}", "channels")]
    if aspect == "name":
        return [(f"【{s.name}】", None)]
    if aspect == "conditions":
        return [("受理条件：", None)] + [(f"{i}. {c}", "conditions")
                                      for i, c in enumerate(s.conditions, 1)]
    if aspect == "materials":
        return [("申请材料：", None)] + [(f"{i}. {m.label()}", "materials")
                                      for i, m in enumerate(s.materials, 1)]
    if aspect == "time_limit":
        return [(f"法定办结时限：{_days(s.legal_days)}", "legal_days"),
                (f"承诺办结时限：{_days(s.promised_days)}", "promised_days")]
    if aspect == "visits":
        return [] if s.visits is None else [(f"到现场次数：{s.visits}次", "visits")]
    labels = {"fee": "收费标准", "place": "办理地点", "hours": "办理时间", "phone": "咨询电话",
              "online": "网上办理入口", "legal_basis": "设定依据"}
    value = getattr(s, aspect)
    return [(f"{labels[aspect]}：{value}", aspect)] if value else []


def _marked(service: Service, lines: list[tuple[str, str | None]]) -> str:
    """The lines with one sample notice: after them when every value shown is a sample, else a
    mark on each sample line and the note once."""
    sourced = [field_name for _, field_name in lines if field_name]
    samples = [field_name for field_name in sourced if service.is_sample(field_name)]
    if not samples:
        return "\n".join(text for text, _ in lines)
    if len(samples) == len(sourced):
        return "\n".join([*(text for text, _ in lines), ALL_SAMPLE_NOTE])
    marked = [text + SAMPLE_MARK if field_name and service.is_sample(field_name) else text
              for text, field_name in lines]
    return "\n".join([*marked, SAMPLE_NOTE])


def describe(service: Service, aspects: tuple[str, ...] = ASPECTS) -> str:
    """The requested aspects as lines, with one sample notice naming 12345 when needed."""
    unknown = set(aspects) - set(ASPECTS) - {"name"}
    if unknown:
        raise ValueError(f"unknown aspects {sorted(unknown)}; use {ASPECTS}")
    return _marked(service, [line for aspect in aspects for line in _lines(service, aspect)])


# The short card: what a resident needs first, on one phone screen; the rest are buttons.
CARD_ASPECTS = ("name", "channels", "materials")


def card(service: Service) -> str:
    """The service's name, channels and visits, and materials, with one sample notice."""
    return describe(service, CARD_ASPECTS)


def _field_value(service: Service, field: str) -> tuple[str | None, tuple[str, ...]]:
    """What the guide says for `field` as one phrase (None when it says nothing), and the guide
    attributes the phrase comes from (they decide the 示例 mark)."""
    s = service
    if field == "materials":
        items = "；".join(f"{i}. {m.label()}" for i, m in enumerate(s.materials, 1))
        return items or None, ("materials",)
    if field == "conditions":
        items = "；".join(f"{i}. {c}" for i, c in enumerate(s.conditions, 1))
        return items or None, ("conditions",)
    if field == "time_limit":
        if s.promised_days is None and s.legal_days is None:
            return None, ()
        if s.promised_days is None:
            return f"法定{_days(s.legal_days)}", ("legal_days",)
        promised = "即办" if s.promised_days == 0 else f"承诺{_days(s.promised_days)}内办结"
        legal = "" if s.legal_days is None else f"（法定时限{_days(s.legal_days)}）"
        return promised + legal, ("promised_days", "legal_days")
    if field == "online":
        online_channels = [c for c in s.channels if c in ONLINE_CHANNELS]
        if s.online:
            return f"可以网上办，入口：{s.online}", ("online", "channels")
        if online_channels:
            return f"可以网上办（{'、'.join(online_channels)}），目录未写明入口", ("channels",)
        return f"目录未列出网上办理渠道，办理渠道为{'、'.join(s.channels)}", ("channels",)
    if field == "visits":
        if s.visits is None:
            return None, ()
        return ("不用到现场（0次）" if s.visits == 0 else f"需要到现场{s.visits}次"), ("visits",)
    value = getattr(s, field)
    return (value or None), (field,)


def _field_text(service: Service, field: str) -> tuple[str, tuple[str, ...]]:
    """One line answering `field` of `service` and naming it, and the guide attributes its value
    comes from; a field the guide leaves empty is said to be missing (nothing is guessed)."""
    if field not in LABELS:
        raise ValueError(f"unknown field {field!r}; use {tuple(LABELS)}")
    value, sources = _field_value(service, field)
    if value is None:
        return f"【{service.name}】{LABELS[field]}：事项目录里没有写明，请拨打{HOTLINE}市民服务热线咨询", ()
    return f"【{service.name}】{LABELS[field]}：{value}", sources


def field_line(service: Service, field: str) -> tuple[str, bool]:
    """One line answering `field` of `service` (its sample mark on it), and whether it shows a
    sample value."""
    text, sources = _field_text(service, field)
    sample = any(service.is_sample(name) for name in sources)
    return text + (SAMPLE_MARK if sample else ""), sample


def answer_fields(service: Service, fields: tuple[str, ...]) -> str:
    """The fields asked, one line each (the first line answers the first field asked), and one
    sample notice naming 12345 when a value shown is a sample."""
    lines: list[tuple[str, str | None]] = []
    for field in dict.fromkeys(fields):
        text, sources = _field_text(service, field)
        sample = next((name for name in sources if service.is_sample(name)), None)
        lines.append((text, sample or (sources[0] if sources else None)))
    return _marked(service, lines)
