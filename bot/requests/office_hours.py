"""When staff call back: the office hours of sources/staff.yml, and the next time they are open.

The article gives no office hours, so sources/staff.yml marks its hours as a sample (示例) until a
district editor sets the real ones; `describe` says so in every reply that names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot import paths

STAFF_SETTINGS = paths.STAFF_SETTINGS
WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class OfficeHours:
    weekdays: frozenset[int]  # ISO: 1 = Monday
    periods: tuple[tuple[time, time], ...]
    timezone: ZoneInfo
    sample: bool

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        return local.isoweekday() in self.weekdays and any(
            start <= local.time() < end for start, end in self.periods)

    def next_opening(self, moment: datetime) -> datetime:
        """The start of the next open period after `moment` (local time)."""
        local = moment.astimezone(self.timezone)
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            if day.isoweekday() not in self.weekdays:
                continue
            for start, _ in self.periods:
                opening = datetime.combine(day, start, self.timezone)
                if opening > local:
                    return opening
        raise ValueError("office hours have no open period in a week")

    def after_open_time(self, moment: datetime, duration: timedelta) -> datetime:
        """When `duration` of office time has passed after `moment` (local time): a request left
        on Friday evening with two hours to answer it is due on Monday at 11:00."""
        cursor, remaining = moment.astimezone(self.timezone), duration
        for days in range(366):
            day = (moment.astimezone(self.timezone) + timedelta(days=days)).date()
            if day.isoweekday() not in self.weekdays:
                continue
            for start, end in self.periods:
                opening = max(datetime.combine(day, start, self.timezone), cursor)
                closing = datetime.combine(day, end, self.timezone)
                if opening >= closing:
                    continue
                if remaining <= closing - opening:
                    return opening + remaining
                remaining -= closing - opening
                cursor = closing
        raise ValueError(f"office hours give less than {duration} of open time in a year")

    def describe(self) -> str:
        """E.g. "周一至周五 09:00–12:00、13:30–17:00（示例时间，以实际公布为准）"."""
        days = sorted(self.weekdays)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
            day_text = f"周{WEEKDAY_NAMES[days[0] - 1]}至周{WEEKDAY_NAMES[days[-1] - 1]}"
        else:
            day_text = "、".join(f"周{WEEKDAY_NAMES[d - 1]}" for d in days)
        hours = "、".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in self.periods)
        return f"{day_text} {hours}" + ("（示例时间，以实际公布为准）" if self.sample else "")

    def callback_promise(self, moment: datetime) -> str:
        """What a resident is told about when staff will call, given the time they asked."""
        hours = f"工作时间：{self.describe()}。"
        if self.is_open(moment):
            return f"现在是工作时间，工作人员会尽快给您回电。{hours}"
        opening = self.next_opening(moment)
        when = f"{opening.month}月{opening.day}日（周{WEEKDAY_NAMES[opening.isoweekday() - 1]}）{opening:%H:%M}"
        return f"现在是非工作时间，工作人员将在下一个工作时间 {when} 起给您回电。{hours}"


def _time(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def parse(settings: dict) -> OfficeHours:
    """OfficeHours from the `office_hours` mapping of sources/staff.yml; ValueError when malformed."""
    try:
        weekdays = frozenset(int(day) for day in settings["weekdays"])
        periods = tuple(tuple(_time(part) for part in period.split("-")) for period in settings["periods"])
        zone = ZoneInfo(settings.get("timezone", "Asia/Shanghai"))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"office_hours in {STAFF_SETTINGS.name} is malformed: {error}") from error
    if not weekdays <= set(range(1, 8)) or not periods:
        raise ValueError(f"office_hours in {STAFF_SETTINGS.name} needs weekdays 1–7 and at least one period")
    if any(len(period) != 2 or period[0] >= period[1] for period in periods):
        raise ValueError(f"office_hours in {STAFF_SETTINGS.name}: each period is 'HH:MM-HH:MM', start before end")
    return OfficeHours(weekdays, periods, zone, bool(settings.get("sample", True)))


@lru_cache(maxsize=4)
def load(path: Path = STAFF_SETTINGS) -> OfficeHours:
    return parse((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("office_hours") or {})
