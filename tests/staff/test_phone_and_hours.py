"""Phone numbers residents leave, and when staff call back (office hours of sources/staff.yml)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.requests import office_hours
from bot.requests.phone import find_phone, mask_phone, normalise_phone

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("written", "digits"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("0531-87654321", "053187654321"),
    ("(0531) 8765 4321", "053187654321"),
    ("010-62345678", "01062345678"),
])
def test_valid_numbers_are_normalised(written: str, digits: str) -> None:
    assert normalise_phone(written) == digits


@pytest.mark.parametrize("written", ["", "1381234567", "138123456789", "12812345678", "0531-1234", "0531-12345678",
                                     "12345678", "abc13812345678", "13812345678转1", "电话", "00000000000"])
def test_invalid_numbers_are_refused(written: str) -> None:
    assert normalise_phone(written) is None


def test_a_number_inside_a_sentence_is_found() -> None:
    assert find_phone("我的手机是138 1234 5678，白天都在") == "13812345678"
    assert find_phone("座机0531-87654321") == "053187654321"
    assert find_phone("没有电话") is None


def test_masking_keeps_the_ends() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("053112345678") == "0531****5678"


HOURS = office_hours.parse({"weekdays": [1, 2, 3, 4, 5], "periods": ["09:00-12:00", "13:30-17:00"],
                            "timezone": "Asia/Shanghai", "sample": True})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_open_and_closed_times() -> None:
    assert HOURS.is_open(at("2026-11-26T10:00"))  # a Thursday morning
    assert not HOURS.is_open(at("2026-11-26T12:30"))  # lunch
    assert not HOURS.is_open(at("2026-11-26T17:00"))  # the end is not open
    assert not HOURS.is_open(at("2026-11-28T10:00"))  # Saturday


@pytest.mark.parametrize(("now", "next_opening"), [
    ("2026-11-26T12:30", "2026-11-26T13:30"),
    ("2026-11-26T18:00", "2026-11-27T09:00"),
    ("2026-11-27T17:30", "2026-11-30T09:00"),  # Friday evening → Monday
    ("2026-11-29T08:00", "2026-11-30T09:00"),
])
def test_next_opening(now: str, next_opening: str) -> None:
    assert HOURS.next_opening(at(now)) == at(next_opening)


def test_the_promise_says_when_and_that_the_hours_are_a_sample() -> None:
    inside = HOURS.callback_promise(at("2026-11-26T10:00"))
    assert "现在是工作时间" in inside and "示例" in inside
    outside = HOURS.callback_promise(at("2026-11-27T20:00"))
    assert "非工作时间" in outside and "11月30日（周一）09:00" in outside
    assert "周一至周五 09:00–12:00、13:30–17:00" in outside


def test_the_project_settings_load_and_bad_settings_are_refused() -> None:
    assert office_hours.load().periods
    for bad in ({"weekdays": [8], "periods": ["09:00-12:00"]}, {"weekdays": [1], "periods": []},
                {"weekdays": [1], "periods": ["12:00-09:00"]}, {"periods": ["09:00-12:00"]}):
        with pytest.raises(ValueError):
            office_hours.parse(bad)
