"""The report inside the console: `make report`'s figures (bot/report) for a range of days, with
its charts drawn in memory and put into the page as data: URLs (nothing written to disk)."""

from __future__ import annotations

import base64
from datetime import date, datetime, time, timedelta
from io import BytesIO

from bot.report.conversations import ReportFigures, compute
from bot.requests.store import BEIJING, StaffStore

# Chart (bot/report/charts.py function name) and its title, by name.
CHARTS = {"per_day": ("conversations_per_day", "每日会话数"),
          "topics": ("top_topics", "问得最多的话题"),
          "ratings": ("ratings", "好差评分布")}


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """From the start of `since` up to the end of `until` (both included), Beijing time."""
    return (datetime.combine(since, time(), BEIJING) if since else None,
            datetime.combine(until + timedelta(days=1), time(), BEIJING) if until else None)


def png_url(draw, figures: ReportFigures) -> str:
    buffer = BytesIO()
    draw(figures, buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def build(tracker_url: str, staff: StaffStore, since: date | None, until: date | None
          ) -> tuple[ReportFigures, dict[str, tuple[str, str]]]:
    """The figures and, by chart, (data URL, title). Blocking (SQL, matplotlib): one at a time, off
    the event loop (pyplot is not thread-safe)."""
    from bot.report import charts  # matplotlib: loaded when the first report is asked for

    figures = compute(tracker_url, staff, *day_range(since, until))
    return figures, {name: (png_url(getattr(charts, function), figures), title)
                     for name, (function, title) in CHARTS.items()}
