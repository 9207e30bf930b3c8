"""Rasa's responses as WeChat text: no markdown, buttons as numbered options, 2,048-byte parts.

WeChat shows text messages as they are, so markdown marks are removed, a response's buttons become
numbered lines the follower answers with a number, and text longer than WeChat accepts in one
message is split at paragraph, line or character boundaries. Nothing here does I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

MAX_MESSAGE_BYTES = 2048
OPTIONS_HEADER = "回复数字即可选择："

_FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`([^`\n]+)`")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_markdown(text: str) -> str:
    """The text without markdown marks; links keep their address after the link text."""
    text = _BREAK.sub("\n", text.replace("\r\n", "\n"))
    text = _FENCE.sub("", text)
    text = _IMAGE.sub(lambda m: f"{m[1]} {m[2]}".strip(), text)
    text = _LINK.sub(lambda m: m[1] if m[1] == m[2] else f"{m[1]} {m[2]}", text)
    text = _RULE.sub("", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub(r"\1• ", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


@dataclass
class Rendered:
    """One turn of the assistant as WeChat text, and the payloads its numbers stand for."""

    text: str
    options: list[str] = field(default_factory=list)


def render_turn(messages: list[dict[str, Any]]) -> Rendered:
    """Join a turn's messages (`text`, `buttons`, `image` keys as Rasa sends them) into one text.

    Buttons of every message are numbered in one sequence; `options[n - 1]` is the payload the
    follower chooses by answering `n`.
    """
    paragraphs: list[str] = []
    options: list[str] = []
    for message in messages:
        if message.get("text"):
            paragraphs.append(strip_markdown(str(message["text"])))
        if message.get("image"):
            paragraphs.append(f"图片：{message['image']}")
        lines = []
        for button in message.get("buttons") or []:
            title = strip_markdown(str(button.get("title") or button.get("payload") or ""))
            payload = str(button.get("payload") or title)
            if not title:
                continue
            options.append(payload)
            lines.append(f"{len(options)}. {title}")
        if lines:
            paragraphs.append("\n".join([OPTIONS_HEADER, *lines]))
    return Rendered("\n\n".join(p for p in paragraphs if p), options)


def chosen_option(text: str, options: list[str]) -> str | None:
    """The payload a reply like "1", "１" or "2." picks from `options`, or None."""
    number = unicodedata.normalize("NFKC", text).strip().rstrip(".、。")
    if not number.isascii() or not number.isdigit():
        return None
    index = int(number)
    return options[index - 1] if 1 <= index <= len(options) else None


def split_message(text: str, limit: int = MAX_MESSAGE_BYTES) -> list[str]:
    """`text` in parts of at most `limit` UTF-8 bytes, cut between paragraphs, lines or characters."""
    if limit < 4:
        raise ValueError(f"a part must hold at least one character (4 bytes), not {limit}")
    parts: list[str] = []
    for piece in _pieces(text.strip(), limit):
        if parts and _size(parts[-1]) + _size(piece) <= limit:
            parts[-1] += piece
        else:
            parts.append(piece)
    return [part.strip() for part in parts if part.strip()]


def _pieces(text: str, limit: int, separators: tuple[str, ...] = ("\n\n", "\n")) -> list[str]:
    """Pieces of at most `limit` bytes that join back to `text`, cut at the coarsest boundary."""
    if _size(text) <= limit:
        return [text]
    if not separators:
        pieces, current = [], ""
        for character in text:
            if _size(current) + _size(character) > limit:
                pieces.append(current)
                current = ""
            current += character
        return [*pieces, current]
    separator, finer = separators[0], separators[1:]
    chunks = text.split(separator)
    pieces = []
    for number, chunk in enumerate(chunks, start=1):
        pieces.extend(_pieces(chunk + separator if number < len(chunks) else chunk, limit, finer))
    return pieces


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
