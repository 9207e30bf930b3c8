"""A number split over two messages: "我的身份证号是370102199003", then "071238".

Neither part is a number by itself, so `mask_text` leaves each as it is; together they are. The
tracker store (and `python -m bot.privacy remask`) hands each user message here with the
previous one *as stored*, and masks both parts when the end of the one and the start of the
other make a number of a known kind:

- the previous part still in clear: the joined digits are read as one number (an ID by its check
  digit or after "身份证", a mobile, a landline, a card) and masked as that number would be;
- the previous part already masked (after "身份证", a run of 6–20 digits is masked whole): the new
  part is masked but for the last 4 (3 for a 15-digit ID) when the two make 15 or 18 characters.

What is not possible: a number split over three or more messages, or one whose second part comes
after another message in between; and the part already sent to a log before the second arrived
stays there as it was (a partial number: at most the first 14 digits of an ID).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.privacy.masking import MASK, find_numbers
from bot.privacy.normalise import View, replace_spans, view
from bot.privacy.numbers import classify

_ID_KEYWORD = re.compile(r"(?:身份证|身份号|证件)[^0-9\n]{0,8}$")
_SEPARATOR = r"[ \t\-.()]{1,3}"
_TAIL = re.compile(rf"[0-9*]+(?:{_SEPARATOR}[0-9*]+)*(?=[ \t，,。、]*$)")
_HEAD = re.compile(rf"^[ \t]*([0-9]+(?:{_SEPARATOR}[0-9]+)*[Xx]?)(?![0-9])")
ID_LENGTHS = {18: 4, 15: 3}  # total characters → kept at the end


@dataclass(frozen=True)
class Continuation:
    """What to replace, as written: in the previous message (None: nothing) and in this one."""

    earlier: tuple[str, str] | None
    current: tuple[str, str]


def _chars(seen: View, start: int, end: int) -> list[int]:
    return [p for p in range(start, end) if seen.text[p].isdigit() or seen.text[p] in "Xx*"]


def _masked_part(seen: View, positions: list[int], masked: set[int]) -> tuple[str, str]:
    """The part of the original the positions span, as written and with `masked` ones masked."""
    start, end = seen.starts[positions[0]], seen.ends[positions[-1]]
    part = seen.original[start:end]
    spans = {(seen.starts[p] - start, seen.ends[p] - start) for p in masked}
    return part, replace_spans(part, spans, MASK)


def continuation(previous: str, current: str) -> Continuation | None:
    """How to mask `previous` (as stored) and `current` when they end and start one number."""
    before, after = view(previous), view(current)
    tail, head = _TAIL.search(before.text), _HEAD.match(after.text)
    if tail is None or head is None or find_numbers(current[:after.ends[head.end(1) - 1]]):
        return None
    tail_positions = _chars(before, *tail.span())
    head_positions = _chars(after, *head.span(1))
    tail_chars = "".join(before.text[p] for p in tail_positions)
    head_chars = "".join(after.text[p] for p in head_positions)
    after_keyword = bool(_ID_KEYWORD.search(before.text[:tail.start()]))
    if MASK in tail_chars:
        keep = ID_LENGTHS.get(len(tail_chars) + len(head_chars))
        if not after_keyword or keep is None or len(head_chars) <= keep:
            return None
        return Continuation(None, _masked_part(after, head_positions, set(head_positions[:-keep])))
    joined = tail_chars + head_chars
    kind = classify(joined, frozenset(), id_keyword=after_keyword)
    if kind is None and joined[-1] in "Xx":  # an X that is no ID's stays out
        joined, head_positions = joined[:-1], head_positions[:-1]
        kind = classify(joined, frozenset(), id_keyword=after_keyword)
    if kind is None or not head_positions:
        return None
    masked = range(kind.head, len(joined) - kind.tail)
    count = len(tail_positions)
    earlier = _masked_part(before, tail_positions, {tail_positions[i] for i in masked if i < count})
    here = _masked_part(after, head_positions, {head_positions[i - count] for i in masked if i >= count})
    return Continuation(earlier if earlier[0] != earlier[1] else None, here)
