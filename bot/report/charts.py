"""The report's charts as PNG images, in files or in memory (matplotlib, no screen needed).

Chinese labels need a CJK font: Debian's fonts-noto-cjk (the set-up installs it with the browser
test tools; `make report` asks for it too). Without one, the charts fall back to labels matplotlib
can draw and the page still lists every name.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, TypeVar

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import dates, font_manager

from bot.report.conversations import ReportFigures
from bot.requests.store import RATING_LEVELS

CJK_FONT_FILES = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                  Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
                  Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
BLUE, RED = "#1f5fa8", "#c0392b"
# Where a chart goes: a PNG file (the static report) or an open binary stream (the console's page).
Target = TypeVar("Target", Path, BinaryIO)
# The per-day chart: at least a week wide, bars 0.7 day wide, counts written on the bars while
# there are few of them. Every count axis runs to at least 5.
MIN_DAYS_SHOWN, BAR_DAYS, MIN_TOP, LABELLED_BARS = 7, 0.7, 5, 14


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed CJK font, registered with matplotlib; None when none is."""
    for path in CJK_FONT_FILES:
        if path.exists():
            try:
                font_manager.fontManager.addfont(str(path))
                return font_manager.FontProperties(fname=str(path)).get_name()
            except (RuntimeError, OSError, ValueError):
                continue
    return None


def _label(text: str, fallback: str) -> str:
    return text if cjk_font() or text.isascii() else fallback


def _figure(width: float = 7.5, height: float = 3.6):
    family = cjk_font()
    if family:
        plt.rcParams["font.family"] = [family, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt.subplots(figsize=(width, height), dpi=100)


def _save(figure, path: Target) -> Target:
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
    return path


def _top(counts: list[int]) -> float:
    """The count axis's end: room above the largest bar, and never below MIN_TOP, so that a
    handful of conversations does not draw as bars filling the chart."""
    return max(MIN_TOP, max(counts, default=0) * 1.25)


def day_window(days: list[date]) -> tuple[date, date]:
    """The dates the per-day chart spans: the report's days, widened evenly to at least a week, so
    one day's bar is as narrow as one of thirty, not the whole chart."""
    first, last = days[0], days[-1]
    missing = max(0, MIN_DAYS_SHOWN - ((last - first).days + 1))
    return first - timedelta(days=missing // 2), last + timedelta(days=missing - missing // 2)


def conversations_per_day(figures: ReportFigures, path: Target) -> Target:
    figure, axes = _figure()
    days = list(figures.conversations_per_day)
    counts = list(figures.conversations_per_day.values())
    axes.set_title(_label("每日会话数", "Conversations per day"))
    axes.set_ylabel(_label("会话", "conversations"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    if not days:
        axes.text(0.5, 0.5, _label("暂无会话", "no conversations"), ha="center", transform=axes.transAxes)
        return _save(figure, path)
    # A date axis: bars a fixed share of a day wide, days without conversations left empty.
    bars = axes.bar(days, counts, width=BAR_DAYS, color=BLUE)
    start, end = day_window(days)
    half = timedelta(hours=12)  # bars stand on the day's midnight: half a day either side
    axes.set_xlim(datetime.combine(start, time()) - half, datetime.combine(end, time()) + half)
    axes.set_ylim(0, _top(counts))
    axes.xaxis.set_major_locator(dates.AutoDateLocator(minticks=3, maxticks=10))
    axes.xaxis.set_major_formatter(dates.DateFormatter("%m-%d"))
    if len(days) <= LABELLED_BARS:
        axes.bar_label(bars, padding=2)
    return _save(figure, path)


def top_topics(figures: ReportFigures, path: Target) -> Target:
    figure, axes = _figure(height=max(2.4, 0.4 * len(figures.top_topics) + 1))
    names = [_label(name, f"#{rank}") for rank, (name, _) in enumerate(figures.top_topics, 1)][::-1]
    counts = [count for _, count in figures.top_topics][::-1]
    axes.bar_label(axes.barh(names, counts, color=BLUE), padding=3)
    axes.set_title(_label("问得最多的话题", "Top topics"))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlim(0, _top(counts))
    if not names:
        axes.text(0.5, 0.5, _label("暂无", "none"), ha="center", transform=axes.transAxes)
    return _save(figure, path)


def ratings(figures: ReportFigures, path: Target) -> Target:
    figure, axes = _figure()
    distribution = figures.rating_distribution
    labels = [_label(RATING_LEVELS[level], str(level)) for level in distribution]
    colours = [BLUE if level >= 3 else RED for level in distribution]
    axes.bar_label(axes.bar(labels, list(distribution.values()), color=colours), padding=2)
    axes.set_title(_label("好差评分布", "Ratings"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylim(0, _top(list(distribution.values())))
    return _save(figure, path)


def draw_all(figures: ReportFigures, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {"per_day": conversations_per_day(figures, folder / "conversations-per-day.png"),
            "topics": top_topics(figures, folder / "top-topics.png"),
            "ratings": ratings(figures, folder / "ratings.png")}
