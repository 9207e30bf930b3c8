"""Service facts as reply text, each placeholder marked 示例 (why: never pass one off as official).

Actions pick the aspects a resident asked for; this module only phrases them, so every reply marks
sample values the same way and ends with the 12345 hotline when it showed one (once per reply).
`describe` phrases a guide's aspects line by line (the card); `answer_fields` answers the fields a
resident asked for, each on one line that names the service, so the first line is the answer.
"""

from __future__ import annotations

from bot.catalogue.schema import HOTLINE, Service

SAMPLE_MARK = "（示例，以窗口为准）"
SAMPLE_NOTE = (f"标注“示例”的内容并非官方信息，请以办理窗口为准，"
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


def describe(service: Service, aspects: tuple[str, ...] = ASPECTS) -> str:
    """The requested aspects as lines, sample values marked, and the 12345 note when needed."""
    unknown = set(aspects) - set(ASPECTS)
    if unknown:
        raise ValueError(f"unknown aspects {sorted(unknown)}; use {ASPECTS}")
    lines, marked = [], False
    for aspect in aspects:
        for text, field_name in _lines(service, aspect):
            if field_name and service.is_sample(field_name):
                text, marked = text + SAMPLE_MARK, True
            lines.append(text)
    if marked:
        lines.append(SAMPLE_NOTE)
    return "\n".join(lines)


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


def field_line(service: Service, field: str) -> tuple[str, bool]:
    """One line answering `field` of `service` and naming it, and whether it shows a sample value;
    a field the guide leaves empty is said to be missing (nothing is guessed)."""
    if field not in LABELS:
        raise ValueError(f"unknown field {field!r}; use {tuple(LABELS)}")
    value, sources = _field_value(service, field)
    if value is None:
        return (f"【{service.name}】{LABELS[field]}：事项目录里没有写明，请拨打{HOTLINE}市民服务热线咨询", False)
    sample = any(service.is_sample(name) for name in sources)
    return f"【{service.name}】{LABELS[field]}：{value}" + (SAMPLE_MARK if sample else ""), sample


def answer_fields(service: Service, fields: tuple[str, ...]) -> str:
    """The fields asked, one line each (the first line answers the first field asked), and the
    12345 note once when a value shown is a sample."""
    lines, marked = [], False
    for field in dict.fromkeys(fields):
        line, sample = field_line(service, field)
        lines.append(line)
        marked = marked or sample
    if marked:
        lines.append(SAMPLE_NOTE)
    return "\n".join(lines)
