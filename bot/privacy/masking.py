"""Masking of personal numbers in free text and in JSON-like values; no I/O.

Three kinds are recognised, each only when it is valid, so that ordinary figures (“105万平方米”,
“3605公顷”, dates, service codes) stay as they are:

- 居民身份证号 (GB 11643): 17 digits and a check digit (0–9 or X) → ``370102********123X``;
- mobile numbers (1[3-9] and 9 more digits, optionally after 86) → ``138****5678``;
- bank-card numbers (13–19 digits passing the Luhn check) → ``6222********1234``.

Numbers are found as whole digit runs (a digit next to the run makes it a different number), also
when written in groups (``138 1234 5678``, ``6222-0212-3456-7890``). A run that follows a JSON
``\\uXXXX`` escape counts as standing alone, so a log line rendered as JSON (non-ASCII escaped, as
Rasa's structlog renderer does) is masked like the text it renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

MASK = "*"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_DIGITS = "10X98765432"
# Digits kept in clear at the start and the end, by kind.
KEEP = {"id": (6, 4), "mobile": (3, 4), "mobile86": (5, 4), "bank": (4, 4)}

# Not inside a longer number, and not starting within a JSON "\uXXXX" escape; a digit that ends
# such an escape does not join the number.
_START = (r"(?:(?<![0-9])|(?<=\\u[0-9a-fA-F]{4}))"
          r"(?<!\\u)(?<!\\u[0-9a-fA-F])(?<!\\u[0-9a-fA-F]{2})(?<!\\u[0-9a-fA-F]{3})")
_END = r"(?![0-9])"
# A compact run of digits (an ID card's last character may be X), or a grouped way of writing one.
_CANDIDATE = re.compile(_START + r"(?:"
                        r"[0-9]{6}[ -][0-9]{8}[ -][0-9]{3}[0-9Xx]"      # 370102 19900307 123X
                        r"|1[3-9][0-9][ -][0-9]{4}[ -][0-9]{4}"          # 138 1234 5678
                        r"|[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,3})?"  # 6222 0212 3456 7890
                        r"|[0-9]{17}[Xx]"
                        r"|[0-9]{11,19}"
                        r")" + _END)


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
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def kind_of(characters: str) -> str | None:
    """"id", "mobile", "mobile86", "bank" or None for the digits (and X) of one number."""
    if id_card_valid(characters):
        return "id"
    if not characters.isdigit():
        return None
    if is_mobile(characters):
        return "mobile"
    if len(characters) == 13 and characters.startswith("86") and is_mobile(characters[2:]):
        return "mobile86"
    if 13 <= len(characters) <= 19 and luhn_valid(characters):
        return "bank"
    return None


def _mask_number(match: re.Match[str]) -> str:
    return _mask_written(match.group(0))


def _mask_written(written: str) -> str:
    if written[-1] in "Xx" and not id_card_valid(written):  # 17 digits and an X: maybe a bank card
        return _mask_written(written[:-1]) + written[-1]
    characters = "".join(c for c in written if c not in " -")
    kind = kind_of(characters)
    if kind is None:
        return written
    head, tail = KEEP[kind]
    masked, seen = [], 0
    for char in written:
        if char in " -":
            masked.append(char)
            continue
        masked.append(char if seen < head or seen >= len(characters) - tail else MASK)
        seen += 1
    return "".join(masked)


def mask_text(text: str) -> str:
    """`text` with every ID-card, mobile and bank-card number masked."""
    if not any(char.isdigit() for char in text):
        return text
    return _CANDIDATE.sub(_mask_number, text)


def mask_value(value: Any, skip_keys: frozenset[str] = frozenset(),
               mask: Callable[[str], str] = mask_text) -> Any:
    """A copy of a JSON-like value with every string masked; `value` itself is not changed.

    Dictionary keys are kept; values under `skip_keys` (ids, timestamps) are copied as they are.
    """
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: item if key in skip_keys else mask_value(item, skip_keys, mask)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(item, skip_keys, mask) for item in value]
    return value
