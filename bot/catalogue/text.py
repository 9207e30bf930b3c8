"""Service facts as reply text, each placeholder marked 示例 (why: never pass one off as official).

Actions pick the aspects a resident asked for; this module only phrases them, so every reply marks
sample values the same way and ends with the 12345 hotline when it showed one.
"""

from __future__ import annotations

from bot.catalogue.schema import HOTLINE, Service

SAMPLE_MARK = "（示例，以窗口为准）"
SAMPLE_NOTE = (f"标注“示例”的内容并非官方信息，请以办理窗口为准，"
               f"或拨打{HOTLINE}市民服务热线咨询。")
UNAVAILABLE = (f"抱歉，事项目录暂时无法查询，请稍后再试，"
               f"或拨打{HOTLINE}市民服务热线咨询。")

ASPECTS = ("overview", "channels", "conditions", "materials", "time_limit", "fee", "place",
           "hours", "phone", "online", "legal_basis")


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
