"""A normalised view of a text for finding personal numbers, mapped back to the text as written.

People and programs write one number in many ways: full-width digits (１３８…), other scripts'
digits, circled ones, ideographic spaces, a dozen kinds of dash, middle dots; Rasa's structlog
renders a log line as JSON with every non-ASCII character `\\uXXXX`-escaped. Matching runs on a
view where each of these is NFKC-normalised (dashes made "-", middle dots ".", a JSON escape
decoded), and every character of the view remembers which characters of the original it came
from, so that masking replaces exactly those and leaves the rest of the text as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u2e3a\u2e3b\u30fc\ufe58")
DOTS = frozenset("\u00b7\u2022\u2027\u2219\u30fb\u2024")
# One piece of the original: a JSON escape of a backslash or of a character, or one non-ASCII
# character, or a run of ASCII without backslashes (NFKC leaves ASCII as it is).
_PIECES = re.compile(r"\\\\|\\u[0-9a-fA-F]{4}|\\|[^\x00-\x7f]|[^\\\x80-\U0010ffff]+")


@lru_cache(maxsize=4096)
def normalise_char(char: str) -> str:
    """One character as the view shows it: NFKC, dashes as "-", middle dots as ".", any
    script's decimal digit as an ASCII digit."""
    if char in DASHES:
        return "-"
    if char in DOTS:
        return "."
    normal = unicodedata.normalize("NFKC", char)
    if len(normal) == 1 and not normal.isascii():
        digit = unicodedata.decimal(normal, None)
        if digit is not None:
            return str(digit)
    return normal


def _may_matter(char: str) -> bool:
    """Whether `char` becomes a digit or "@" in the view (everything else is never masked)."""
    normal = normalise_char(char)
    return any(c.isascii() and (c.isdigit() or c == "@") for c in normal)


def _interesting_pattern() -> re.Pattern[str]:
    """Texts without any of these characters have nothing to mask: the fast path."""
    extra = "".join(re.escape(chr(code)) for code in range(0x80, 0x10000)
                    if not 0xD800 <= code <= 0xDFFF and _may_matter(chr(code)))
    return re.compile(rf"[0-9@\\{extra}]|\d")


INTERESTING = _interesting_pattern()


@dataclass(frozen=True)
class View:
    """The normalised text and, for each of its characters, the original's [start, end)."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters the view's characters [start, end) came from."""
        return self.starts[start], self.ends[end - 1]


def view(text: str) -> View:
    """The normalised view of `text` (see the module's docstring)."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for piece in _PIECES.finditer(text):
        start, end = piece.span()
        written = piece.group(0)
        if written[0] != "\\" and written.isascii():
            parts.append(written)
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
            continue
        if written == "\\\\" or written == "\\":
            normal = "\\"
        elif written.startswith("\\u"):
            normal = normalise_char(chr(int(written[2:], 16)))
        else:
            normal = normalise_char(written)
        parts.append(normal)
        starts.extend([start] * len(normal))
        ends.extend([end] * len(normal))
    return View(text, "".join(parts), tuple(starts), tuple(ends))


def replace_spans(text: str, spans: set[tuple[int, int]], mask: str) -> str:
    """`text` with each of the original `spans` (non-overlapping) replaced by `mask`."""
    out, position = [], 0
    for start, end in sorted(spans):
        if start < position:  # the same original character reached twice (a "⑯" is two digits)
            continue
        out.append(text[position:start])
        out.append(mask)
        position = end
    out.append(text[position:])
    return "".join(out)

