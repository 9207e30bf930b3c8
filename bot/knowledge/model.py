"""Loading and checking the knowledge files in `sources/knowledge/` (format: docs/knowledge.md)."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import paths

SOURCE_LINE = "来源：市中区2020年“聚焦提升年”工作部署"
MAX_TITLE_CHARS = 12
MIN_EXAMPLES = 5
# Figures an answer may state without the article: the citizen hotline the assistant hands on to.
HOTLINE = "12345"

# A passage may be several excerpts (a YAML list) where the article says one thing in places apart,
# such as its five "聚焦" headings; they are kept joined by this gap.
PASSAGE_GAP = "……"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# Chinese numerals that count something ("十大科学实验室", "四个引领", "两大基地"); idioms such as
# 一窗办 or 一带一城 are not followed by a measure word and are not treated as figures.
_CN_FIGURE = re.compile(r"[一二两三四五六七八九十百千万]+(?=[个大项所家处条类座片])")


@dataclass(frozen=True)
class Topic:
    """One answerable fact: its answer, the article passage it rests on and how users ask."""

    id: str
    area: str
    title: str
    answer: str
    passage: str
    examples: tuple[str, ...]
    terms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def reply(self) -> str:
        """The text users get: the answer and where it comes from."""
        return f"{self.answer.strip()}\n{SOURCE_LINE}"


@dataclass
class KnowledgeBase:
    """All topics of all areas, in file order."""

    topics: dict[str, Topic] = field(default_factory=dict)
    area_titles: dict[str, str] = field(default_factory=dict)

    def terms(self) -> set[str]:
        """District words named by the topics (for the segmenter's user dictionary)."""
        return {term for topic in self.topics.values() for term in topic.terms}


class KnowledgeError(ValueError):
    """A knowledge file breaks a rule; the message names the file and the topic."""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]"
_SPACE_BY_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")


def _join_lines(text: str) -> str:
    """YAML folds line breaks into spaces; Chinese text must not keep them."""
    return _SPACE_BY_CJK.sub("", text.strip())


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _passage(value: object) -> str:
    """One excerpt, or several (a list, in article order) joined by PASSAGE_GAP."""
    if isinstance(value, list):
        return PASSAGE_GAP.join(_join_lines(excerpt) for excerpt in _strings(value))
    return _join_lines(str(value or ""))


def _topic(area: str, topic_id: str, raw: dict) -> Topic:
    return Topic(
        id=topic_id,
        area=area,
        title=str(raw.get("title", "")).strip(),
        answer=_join_lines(str(raw.get("answer", ""))),
        passage=_passage(raw.get("passage")),
        examples=_strings(raw.get("examples")),
        terms=_strings(raw.get("terms")),
        related=_strings(raw.get("related")),
    )


def topic_problems(topic: Topic, article: str) -> list[str]:
    """Every rule of docs/knowledge.md that the topic breaks, as Chinese-free short reasons."""
    problems = []
    if not _ID.match(topic.id):
        problems.append("topic id must be lower-case letters, digits and _")
    if not topic.title or len(topic.title) > MAX_TITLE_CHARS:
        problems.append(f"title must have 1..{MAX_TITLE_CHARS} characters")
    if not topic.answer:
        problems.append("answer is empty")
    if not topic.passage:
        problems.append("passage is empty")
    elif any(_squash(excerpt) not in _squash(article) for excerpt in topic.passage.split(PASSAGE_GAP)):
        problems.append("passage is not a verbatim part of the article")
    for figure in _DIGITS.findall(topic.answer) + _CN_FIGURE.findall(topic.answer):
        if figure not in topic.passage and figure != HOTLINE:
            problems.append(f"figure {figure!r} of the answer is not in the passage")
    if len(topic.examples) < MIN_EXAMPLES:
        problems.append(f"needs at least {MIN_EXAMPLES} examples")
    if SOURCE_LINE in topic.answer:
        problems.append("answer repeats the source line (the generator adds it)")
    return problems


def load(folder: Path = paths.KNOWLEDGE, article_path: Path = paths.SEED_ARTICLE) -> KnowledgeBase:
    """Read every area file; raise KnowledgeError listing all problems found."""
    article = article_path.read_text(encoding="utf-8")
    base = KnowledgeBase()
    problems: list[str] = []
    seen_examples: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        area = raw.get("area")
        if area != path.stem:
            problems.append(f"{path.name}: area must be {path.stem!r}")
        base.area_titles[path.stem] = str(raw.get("title", path.stem))
        for topic_id, topic_raw in (raw.get("topics") or {}).items():
            where = f"{path.name}: {topic_id}"
            try:
                topic = _topic(path.stem, str(topic_id), topic_raw or {})
            except TypeError as error:
                problems.append(f"{where}: {error}")
                continue
            if topic.id in base.topics:
                problems.append(f"{where}: topic id used twice")
            problems += [f"{where}: {p}" for p in topic_problems(topic, article)]
            for example in topic.examples:
                other = seen_examples.setdefault(example, topic.id)
                if other != topic.id:
                    problems.append(f"{where}: example {example!r} also in {other}")
            base.topics[topic.id] = topic
    for topic in base.topics.values():
        for related in topic.related:
            if related not in base.topics:
                problems.append(f"{topic.area}.yml: {topic.id}: related {related!r} unknown")
    if problems:
        raise KnowledgeError("\n".join(problems))
    return base


KNOWLEDGE_ENV = "SHIZHONG_KNOWLEDGE"


def shared_folder() -> str:
    """Which knowledge base the process answers from, as a resolved path: a release's
    (SHIZHONG_KNOWLEDGE, e.g. build/releases/live/sources/knowledge, set for an action server that
    serves releases: bot/publish/serving.py) or sources/knowledge ("")."""
    configured = os.environ.get(KNOWLEDGE_ENV)
    return os.path.realpath(configured) if configured else ""


def shared() -> KnowledgeBase:
    """The knowledge base everything in the process reads, loaded once per folder: through the
    `live` link, a published release's topics (their questions, which the topic index searches)
    are read at the first question after the switch — the action server is not restarted."""
    return _loaded(shared_folder())


@functools.lru_cache(maxsize=2)
def _loaded(folder: str) -> KnowledgeBase:
    return load(Path(folder)) if folder else load()
