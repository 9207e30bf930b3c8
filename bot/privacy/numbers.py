"""What kind of personal number a string of digits is, given how it was grouped; no text search.

A candidate is the digits (an ID's last character may be X) of one or more groups as written, with
the offsets where the writer put a separator. Each kind accepts the groupings people use for it
(a mobile as 3-4-4 or 4-4-3, an ID as 6-8-4 or 6-4-4-4, a card in fours), so that ordinary figures
written next to each other ("2020.03.07", a timestamp "1712345678.123") are not taken for one.
A keyword before the number ("身份证", "卡号") is evidence enough for its kind by itself: an ID
with a wrong check digit, or a card failing the Luhn check, is masked after one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_DIGITS = "10X98765432"
# GB/T 2260 province-level codes: the first two digits of an ID.
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
                       46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})
MOBILE_PREFIXES = ("", "86", "0086")
# Where people put separators: (digits before each separator) that a kind accepts.
MOBILE_SPLITS = frozenset({3, 4, 7, 8})
ID18_SPLITS = (frozenset({6, 10, 14}), frozenset({4, 8, 12, 16}), frozenset({6, 14}))
ID15_SPLITS = frozenset({6, 8, 10, 12})
CARD_SPLITS = (frozenset({4, 8, 12, 16}), frozenset({4, 10}))
# How much a kind counts when choosing among readings of one run of groups: digits × weight.
STRONG, WEAK, GUESS = 4, 2, 1


@dataclass(frozen=True)
class Kind:
    """A recognised number: its name, the characters kept in clear at each end, and its weight."""

    name: str
    head: int
    tail: int
    weight: int


def id_card_valid(number: str) -> bool:
    """Whether `number` is 18 characters with a correct GB 11643 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_DIGITS[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits.isdigit() and digits[0] == "1" and digits[1] in "3456789"


def landline_area(digits: str) -> int | None:
    """The length of the area code (with its 0) when `digits` is a landline number with one
    (010/02x + 8 digits, 0xxx + 7–8 digits; a local number never starts with 0 or 1), else None."""
    if len(digits) not in (11, 12) or not digits.isdigit() or digits[0] != "0":
        return None
    if digits[1] == "2" or digits[1:3] == "10":
        return 3 if len(digits) == 11 and digits[3] not in "01" else None
    return 4 if digits[1] in "3456789" and digits[4] not in "01" else None


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def id15_shape(digits: str) -> bool:
    """A first-generation (15-digit) ID: a province code and a birth date 19YYMMDD."""
    return (len(digits) == 15 and digits.isdigit() and int(digits[:2]) in PROVINCES
            and _valid_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12])))


def id_kind(chars: str, splits: frozenset[int], after_keyword: bool) -> Kind | None:
    if len(chars) == 18 and chars[:17].isdigit() and (chars[17].isdigit() or chars[17] in "Xx"):
        if after_keyword or (id_card_valid(chars) and any(splits <= allowed for allowed in ID18_SPLITS)):
            return Kind("id", 6, 4, STRONG)
    if len(chars) == 15 and chars.isdigit() and (after_keyword or (id15_shape(chars) and splits <= ID15_SPLITS)):
        return Kind("id15", 6, 3, STRONG if after_keyword else WEAK)
    return None


def phone_kind(digits: str, splits: frozenset[int]) -> Kind | None:
    for prefix in MOBILE_PREFIXES:
        rest = digits[len(prefix):]
        if digits.startswith(prefix) and is_mobile(rest):
            inner = frozenset(split - len(prefix) for split in splits if split != len(prefix))
            if inner <= MOBILE_SPLITS:
                return Kind("mobile", len(prefix) + 3, 4, STRONG)
    area = landline_area(digits)
    if area is not None and splits <= {area, area + 3, area + 4}:
        return Kind("landline", area, 4, STRONG)
    return None


def card_kind(digits: str, splits: frozenset[int], after_keyword: bool) -> Kind | None:
    if after_keyword and 12 <= len(digits) <= 19:
        return Kind("bank", 4, 4, STRONG)
    if 13 <= len(digits) <= 19 and luhn_valid(digits) and (
            not splits or any(splits <= allowed for allowed in CARD_SPLITS)):
        return Kind("bank", 4, 4, WEAK)
    return None


def classify(chars: str, splits: frozenset[int], id_keyword: bool = False,
             card_keyword: bool = False) -> Kind | None:
    """The kind of the number whose characters are `chars` (digits, an ID's last one maybe X),
    written with separators after the digits counted in `splits`; None for no personal number."""
    kind = id_kind(chars, splits, id_keyword)
    if kind is not None:
        return kind
    if not chars.isdigit():
        return None
    return phone_kind(chars, splits) or card_kind(chars, splits, card_keyword)
