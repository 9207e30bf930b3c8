"""The report's charts as PNG images, in files or in memory (matplotlib, no screen needed).

Chinese labels need a CJK font: Debian's fonts-noto-cjk (the set-up installs it with the browser
test tools; `make report` asks for it too). Without one, the charts fall back to labels matplotlib
can draw and the page still lists every name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, TypeVar

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager

from bot.report.conversations import ReportFigures
from bot.requests.store import RATING_LEVELS

CJK_FONT_FILES = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                  Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
                  Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
BLUE, RED = "#1f5fa8", "#c0392b"
# Where a chart goes: a PNG file (the static report) or an open binary stream (the console's page).
Target = TypeVar("Target", Path, BinaryIO)


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


def conversations_per_day(figures: ReportFigures, path: Target) -> Target:
    figure, axes = _figure()
    days = list(figures.conversations_per_day)
    counts = list(figures.conversations_per_day.values())
    axes.bar([day.strftime("%m-%d") for day in days], counts, color=BLUE)
    axes.set_title(_label("每日会话数", "Conversations per day"))
    axes.set_ylabel(_label("会话", "conversations"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    if len(days) > 14:
        axes.tick_params(axis="x", labelrotation=60)
    if not days:
        axes.text(0.5, 0.5, _label("暂无会话", "no conversations"), ha="center", transform=axes.transAxes)
    return _save(figure, path)


def top_topics(figures: ReportFigures, path: Target) -> Target:
    figure, axes = _figure(height=max(2.4, 0.4 * len(figures.top_topics) + 1))
    names = [_label(name, f"#{rank}") for rank, (name, _) in enumerate(figures.top_topics, 1)][::-1]
    counts = [count for _, count in figures.top_topics][::-1]
    axes.barh(names, counts, color=BLUE)
    axes.set_title(_label("问得最多的话题", "Top topics"))
    axes.xaxis.get_major_locator().set_params(integer=True)
    if not names:
        axes.text(0.5, 0.5, _label("暂无", "none"), ha="center", transform=axes.transAxes)
    return _save(figure, path)


def ratings(figures: ReportFigures, path: Target) -> Target:
    figure, axes = _figure()
    distribution = figures.rating_distribution
    labels = [_label(RATING_LEVELS[level], str(level)) for level in distribution]
    colours = [BLUE if level >= 3 else RED for level in distribution]
    axes.bar(labels, list(distribution.values()), color=colours)
    axes.set_title(_label("好差评分布", "Ratings"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _save(figure, path)


def draw_all(figures: ReportFigures, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {"per_day": conversations_per_day(figures, folder / "conversations-per-day.png"),
            "topics": top_topics(figures, folder / "top-topics.png"),
            "ratings": ratings(figures, folder / "ratings.png")}
