"""Masking of personal numbers and e-mail addresses in free text and in JSON-like values; no I/O.

What is recognised (bot/privacy/numbers.py says how), on the normalised view of the text
(bot/privacy/normalise.py: full-width and other digits, any dash, ideographic spaces, JSON
escapes), and how it is masked (the separators and the rest of the text stay as written):

- 居民身份证号, 18 characters with a correct check digit → ``370102********123X``; 15 digits with a
  province code and a birth date → ``370102******123``; after "身份证"/"证件号" any 15 or 18
  characters, whatever the check digit, and a shorter or longer run of 6–20 digits entirely;
- mobiles (1[3-9] + 9 digits, also after 86/0086) → ``138****5678``;
- landlines with an area code (010/02x + 8 digits, 0xxx + 7–8) → ``0531****4321``;
- bank cards (13–19 digits passing the Luhn check; 12–19 digits after "卡号"/"银行卡"/"账号")
  → ``6222********1234``;
- e-mail addresses → ``z*******@example.com`` (the domain stays).

A number is a run of digit groups joined by separators (spaces, dashes, dots, brackets; up to
three characters between two groups); a digit right before or after makes it another number. A
run is read as the numbers that cover most of its digits with the groupings each kind allows, so
"138 1234 5678 / 6222 0212 3456 7894" is a mobile and a card, and "2020.03.07" stays a date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.privacy.normalise import INTERESTING, View, replace_spans, view
from bot.privacy.numbers import GUESS, Kind, classify

MASK = "*"
MAX_NUMBER_CHARS = 20
PARTIAL_ID_CHARS = (6, 20)
# Digit groups of one number, joined by up to three separators; an ID may end with X.
_SEPARATOR = r"[ \t\-.()]{1,3}"
_RUN = re.compile(rf"(?<![0-9])[0-9]+(?:{_SEPARATOR}[0-9]+)*[Xx]?")
_GROUP = re.compile(r"[0-9]+[Xx]?")
# A keyword a few characters before a number says what it is.
_ID_KEYWORD = re.compile(r"(?:身份证|身份号|证件)[^0-9\n]{0,8}$")
_CARD_KEYWORD = re.compile(r"(?:卡号|银行卡|信用卡|储蓄卡|借记卡|账号|帐号|账户|帐户)[^0-9\n]{0,8}$")
_KEYWORD_REACH = 20
_EMAIL = re.compile(r"([A-Za-z0-9._%+\-]+)@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Digits however grouped (anything but letters, CJK and line breaks between them): for text
# known to answer "your phone number?" (mask_every_number).
_ANY_DIGITS = re.compile(r"[0-9](?:[^0-9A-Za-z\u3400-\u9fff\n]{0,3}[0-9])*")
_LOOSE_MIN_DIGITS, _LOOSE_KEEP = 5, 4


@dataclass(frozen=True)
class Found:
    """One personal number in a text: its kind, its characters (digits, maybe a final X) and the
    view positions of those characters."""

    kind: Kind
    chars: str
    positions: tuple[int, ...]

    def masked_positions(self) -> list[int]:
        head, tail = self.kind.head, self.kind.tail
        return list(self.positions[head:len(self.positions) - tail])


def _keywords(normal: str, start: int) -> tuple[bool, bool]:
    before = normal[max(0, start - _KEYWORD_REACH):start]
    return bool(_ID_KEYWORD.search(before)), bool(_CARD_KEYWORD.search(before))


def _reading(groups: list[tuple[int, int]], normal: str, i: int, j: int, id_keyword: bool,
             card_keyword: bool, partial_allowed: bool) -> tuple[Kind, int] | None:
    """The kind of the number made of groups i..j and how many of their characters it takes
    (a final X that is no ID's stays out), or None."""
    chars = "".join(normal[start:end] for start, end in groups[i:j + 1])
    if len(chars) > MAX_NUMBER_CHARS:
        return None
    splits, length = set(), 0
    for start, end in groups[i:j]:
        length += end - start
        splits.add(length)
    kind = classify(chars, frozenset(splits), id_keyword, card_keyword)
    if kind is not None:
        return kind, len(chars)
    if chars[-1:] in ("X", "x"):
        kind = classify(chars[:-1], frozenset(splits), id_keyword, card_keyword)
        if kind is not None:
            return kind, len(chars) - 1
    if partial_allowed and id_keyword and PARTIAL_ID_CHARS[0] <= len(chars) <= PARTIAL_ID_CHARS[1]:
        return Kind("id_part", 0, 0, GUESS), len(chars)
    return None


def _numbers_in_run(normal: str, start: int, end: int) -> Iterator[Found]:
    groups = [m.span() for m in _GROUP.finditer(normal, start, end)]
    id_keyword, card_keyword = _keywords(normal, start)
    # A part of a number already masked ("370102********") is no partial ID to mask again.
    touches_mask = normal[start - 1:start] == MASK or normal[end:end + 1] == MASK
    count = len(groups)
    best = [0] * (count + 1)
    choice: list[tuple[int, Kind, int] | None] = [None] * (count + 1)
    for i in reversed(range(count)):
        best[i], choice[i] = best[i + 1], None
        for j in range(i, count):
            reading = _reading(groups, normal, i, j, id_keyword and i == 0, card_keyword and i == 0,
                               partial_allowed=i == 0 and j == count - 1 and not touches_mask)
            if reading is None:
                continue
            kind, taken = reading
            score = kind.weight * taken + best[j + 1]
            if score > best[i]:
                best[i], choice[i] = score, (j, kind, taken)
    i = 0
    while i < count:
        if choice[i] is None:
            i += 1
            continue
        j, kind, taken = choice[i]
        positions = tuple(p for group_start, group_end in groups[i:j + 1] for p in range(group_start, group_end))
        yield Found(kind, "".join(normal[p] for p in positions[:taken]), positions[:taken])
        i = j + 1


def find_numbers(text: str | View) -> list[Found]:
    """Every personal number in `text` (or its view), in order."""
    seen = text if isinstance(text, View) else view(text)
    return [found for run in _RUN.finditer(seen.text)
            for found in _numbers_in_run(seen.text, run.start(), run.end())]


def _email_positions(normal: str) -> Iterator[int]:
    for match in _EMAIL.finditer(normal):
        start, end = match.span(1)
        yield from range(start + 1 if end - start > 1 else start, end)


def _masked(seen: View, positions: set[int]) -> str:
    spans = {(seen.starts[p], seen.ends[p]) for p in positions}
    return replace_spans(seen.original, spans, MASK) if spans else seen.original


def mask_text(text: str) -> str:
    """`text` with every personal number and e-mail address masked (see the module docstring)."""
    if not INTERESTING.search(text):
        return text
    seen = view(text)
    positions = set(_email_positions(seen.text))
    for found in find_numbers(seen):
        positions.update(found.masked_positions())
    return _masked(seen, positions)


def mask_every_number(text: str) -> str:
    """`mask_text`, and besides every run of five or more digits however written, but its last
    four: for a message that answers "your phone number?", where any digits are the number."""
    text = mask_text(text)
    seen = view(text)
    positions: set[int] = set()
    for run in _ANY_DIGITS.finditer(seen.text):
        digits = [p for p in range(run.start(), run.end()) if seen.text[p].isdigit()]
        if len(digits) >= _LOOSE_MIN_DIGITS:
            positions.update(digits[:-_LOOSE_KEEP])
    return _masked(seen, positions)


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
