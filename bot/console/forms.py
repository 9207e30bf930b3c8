"""What staff type into the console's filter forms, checked: dates and page numbers."""

from __future__ import annotations

from datetime import date


class BadFilter(ValueError):
    """A filter that cannot be used; the message says which and how, in Chinese."""


def parse_day(text: str | None, label: str) -> date | None:
    """A date typed as 2026-11-01 (the browser's date field sends that); None when empty."""
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise BadFilter(f"{label}应为 年-月-日，例如 2026-11-01。") from error


def day_range(since_text: str | None, until_text: str | None) -> tuple[date | None, date | None]:
    since, until = parse_day(since_text, "开始日期"), parse_day(until_text, "截止日期")
    if since and until and since > until:
        raise BadFilter("开始日期不能晚于截止日期。")
    return since, until


def page_number(text: str | None) -> int:
    """A page number from the URL; 1 for anything else."""
    return int(text) if text and text.isdigit() and 0 < int(text) < 100_000 else 1
