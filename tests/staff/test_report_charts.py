"""The per-day chart as a person sees it: bars measured in the PNG matplotlib wrote.

One day of conversations used to be one bar filling the chart; the chart must read the same with
one day as with thirty: narrow bars of one width, on a date axis at least a week wide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from matplotlib import image

from bot.report import charts
from bot.report.conversations import ReportFigures

BAR_COLOUR = np.array([int(charts.BLUE[i:i + 2], 16) / 255 for i in (1, 3, 5)])


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in pixels, with the sizes it is judged against."""

    width: int
    height: int
    image_width: int
    plot_height: int


def bars(png: Path) -> list[Bar]:
    """The bars of a chart's PNG, left to right: runs of columns holding the bars' colour."""
    pixels = image.imread(str(png))[:, :, :3]
    coloured = np.all(np.abs(pixels - BAR_COLOUR) < 0.03, axis=2)
    # The plot's frame: the rows crossed by a dark line over half the image (top and bottom axes).
    frame = np.flatnonzero((pixels.max(axis=2) < 0.3).sum(axis=1) > pixels.shape[1] // 2)
    plot_height = int(frame[-1] - frame[0]) if len(frame) >= 2 else pixels.shape[0]
    columns = coloured.any(axis=0)
    found, start = [], None
    for x, on in enumerate([*columns, False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            height = int(coloured[:, start:x].sum(axis=0).max())
            found.append(Bar(x - start, height, pixels.shape[1], plot_height))
            start = None
    return found


def draw(per_day: dict[date, int], path: Path) -> list[Bar]:
    figures = ReportFigures(conversations_per_day=per_day)
    return bars(charts.conversations_per_day(figures, path))


def test_one_day_is_one_narrow_bar_with_room_above(tmp_path: Path) -> None:
    (bar,) = draw({date(2026, 12, 4): 3}, tmp_path / "one.png")
    assert bar.width <= 0.15 * bar.image_width, bar
    assert bar.height <= 0.85 * bar.plot_height, bar


def test_thirty_days_are_thirty_bars_of_one_width(tmp_path: Path) -> None:
    first = date(2026, 11, 1)
    per_day = {first + timedelta(days=i): 1 + (i * 7) % 11 for i in range(30) if i % 9 != 4}
    found = draw(per_day, tmp_path / "thirty.png")
    assert len(found) == len(per_day) == 27  # the three days without conversations stay empty
    widths = [bar.width for bar in found]
    assert max(widths) - min(widths) <= 2, widths
    (one,) = draw({first: 1}, tmp_path / "one.png")
    # A day's bar is never much wider than in a month: at most the week's share of the month.
    assert one.width <= 30 / charts.MIN_DAYS_SHOWN * max(widths) + 2, (one, widths)


def test_no_conversations_draws_an_empty_chart(tmp_path: Path) -> None:
    assert draw({}, tmp_path / "none.png") == []
