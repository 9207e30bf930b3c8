"""Search words without a segmenter in the process: texts segmented elsewhere, looked up.

Why: catalogue and topic search cut a text into pkuseg's words (tokens.SpacyTokenizer). In the
action server that took a second spaCy pipeline with pkuseg, and TensorFlow, which spaCy's thinc
imports when it is installed: 567 of the 614 MiB the process held (docs/benchmarks.md). Every text
the action server segments is now segmented where that pipeline is loaded anyway:
- the texts known before a message comes — the knowledge base's questions, titles, terms and
  answers, which the topic index and the topic links search — by the set-up, into a table beside
  the catalogue database (build/segments.json, `write_table`); a release carries its own, built
  with its own pipeline (bot/publish/build.py);
- the texts of a message — its text, its text as searched, its entity values — by the NLU
  (bot/nlp/search_segments.py), into the parse data (PARSE_KEY): for each text, the spans of its
  words in the normalized text. Spans, not words: the tracker store masks personal numbers in each
  stored string, and a number cut into words would pass it as harmless-looking pieces.

`Segmentation` is the action server's tokenizer: it looks a text up among the message's segments,
then in the table. A text in neither is cut into bigrams (tokens.bigram_tokenize) with a warning:
search still answers, but may rank otherwise than the NLU's words would. One kind of message
comes without segments by Rasa's design: a button's payload "/intent{…}" (/deny), which Rasa's
RegexMessageHandler replaces by its intent and entities after the NLU ran; its text holds no
resident's words, and is cut into bigrams without a warning.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from bot import paths
from bot.catalogue.tokens import bigram_tokenize, normalize, with_parts

logger = logging.getLogger(__name__)

PARSE_KEY = "search_segments"
TABLE_ENV = "SHIZHONG_SEGMENTS"
# How a button's payload starts (Rasa's INTENT_MESSAGE_PREFIX): "/deny", "/rate{…}".
INTENT_PREFIX = "/"
Spans = list[tuple[int, int]]


class Segmenter(Protocol):
    """What builds the table: tokens.SpacyTokenizer (its name and its words of a text)."""

    name: str

    def words(self, text: str) -> list[str]: ...


# Seven digits or more in a normalized text: its white space gone, numbers a resident typed apart
# ("139… 370102…") run together into a shape the tracker store's masking cannot recognize.
_DIGIT_RUN = re.compile(r"\d{7,}")


def record(normalized: str, spans: Iterable[tuple[int, int]]) -> dict[str, Any]:
    """One text of a message as the parse data carries it: the normalized text, its words' spans.
    A text holding a long run of digits is left empty (the action server searches it with bigrams):
    no personal number is stored beside the masked message."""
    if _DIGIT_RUN.search(normalized):
        return {"text": "", "spans": []}
    return {"text": normalized, "spans": [[start, end] for start, end in spans]}


def message_words(parse_data: Mapping[str, Any]) -> dict[str, list[str]]:
    """normalized text → words, of the segments the NLU put in a message's parse data."""
    found: dict[str, list[str]] = {}
    for entry in parse_data.get(PARSE_KEY) or ():
        text, spans = entry.get("text"), entry.get("spans")
        if isinstance(text, str) and isinstance(spans, list):
            found[text] = [text[start:end] for start, end in spans]
    return found


def table_path() -> Path:
    """The table the action server reads: a release's (SHIZHONG_SEGMENTS, set for an action server
    that serves a release: bot/publish) or the set-up's build/segments.json."""
    return Path(os.environ.get(TABLE_ENV) or paths.SEGMENTS)


def write_table(path: Path, texts: Iterable[str], segmenter: Segmenter) -> int:
    """Segment every text once and write the table; the number of texts."""
    words = {key: segmenter.words(key) for key in sorted({normalize(t) for t in texts} - {""})}
    data = {"tokenizer": segmenter.name, "words": words}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, path)
    return len(words)


# The words of the message being answered (of_message); None outside one.
_message: contextvars.ContextVar[dict[str, list[str]] | None] = contextvars.ContextVar("message_words", default=None)


def table_version(path: Path) -> tuple[int, int, int, int] | None:
    """Which file the table at `path` is, through any link (device, inode, modification time,
    size: a stat, microseconds); None when there is none. Each release writes its own table, so
    a publish that moves the `live` link changes it, and so does a set-up that rewrites it."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size


def _read_table(path: Path) -> tuple[dict[str, list[str]], str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        logger.warning("search: no segmentation table at %s (%s); the knowledge base's texts are "
                       "cut into bigrams (python -m tools.setup builds it)", path, error)
        return {}, "none"
    return data.get("words") or {}, str(data.get("tokenizer") or "none")


class Segmentation:
    """A tokenizer (tokens.Tokenize) that cuts no words: the message's segments, then the table.

    Loaded from a file (`load`), it follows the file: each message (`of_message`) first checks
    which file is behind the path and reads it again once it is another — the action server is
    not restarted when a publish switches to a release with its own table (bot/publish/switch.py).
    `version` says which table is read: what was built from its words (the topic index) is built
    again when it changes."""

    def __init__(self, table: dict[str, list[str]], name: str, path: Path | None = None,
                 version: object = None) -> None:
        self.table = table
        # The tokenizer the table was made with: the catalogue database records the same name.
        self.name = name
        self.path, self.version = path, version

    @classmethod
    def load(cls, path: Path | None = None) -> Segmentation:
        path = path or table_path()
        version = table_version(path)  # before reading: a table replaced meanwhile is read again
        return cls(*_read_table(path), path, version)

    def refresh(self) -> bool:
        """Read the table again if the file behind its path is another one; True when it was."""
        if self.path is None:
            return False
        version = table_version(self.path)
        if version == self.version:
            return False
        table, name = _read_table(self.path)
        self.table, self.name, self.version = table, name, version
        logger.info("search: segmentation table %s read again (%d texts, %s)", self.path, len(table), name)
        return True

    @contextmanager
    def of_message(self, parse_data: Mapping[str, Any]) -> Iterator[None]:
        """Within: the segments of the message whose parse data this is are known too (this task and
        the threads it starts with asyncio.to_thread, which copy the context, see them), and the
        table is the one now behind its path."""
        self.refresh()
        token = _message.set(message_words(parse_data))
        try:
            yield
        finally:
            _message.reset(token)

    def __call__(self, text: str) -> list[str]:
        key = normalize(text)
        if not key:
            return []
        known = _message.get() or {}
        words = known.get(key)
        if words is None:
            words = self.table.get(key)
        if words is None:
            words = _inside(key, known)
        if words is None:
            if not key.startswith(INTENT_PREFIX):
                logger.warning("search: the segmentation of %r is not known (neither the NLU's nor the "
                               "set-up's); cut into bigrams", key[:40])
            return bigram_tokenize(key)
        return with_parts(words)


def _inside(key: str, known: Mapping[str, list[str]]) -> list[str] | None:
    """The words of a part of a known text that begins and ends at its words' borders ("要拿什么证件"
    of a message, its opening cut off): the router searches parts of the message too."""
    for text, words in known.items():
        spans, at = [], 0
        for word in words:
            begin = text.find(word, at)
            at = begin + len(word)
            spans.append((begin, at))
        borders = {0, len(text)} | {b for span in spans for b in span}
        start = text.find(key)
        while start != -1:
            end = start + len(key)
            if start in borders and end in borders:
                return [text[b:e] for b, e in spans if start <= b and e <= end]
            start = text.find(key, start + 1)
    return None
