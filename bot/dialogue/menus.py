"""The menus (sources/menus.yml): a short list of real next questions for one area of the assistant.

Why: the greeting's buttons (人才政策, 政务服务怎么办, 民生工程) used to send one question and end on one
sentence; a resident who taps an area wants to see what can be asked there. A menu opens when the
whole message is one of its names (the greeting's button sends its title; a resident may type it),
so it never takes a question that merely mentions the area. The questions are data an editor
changes; tests/test_buttons.py presses each one through the running assistant.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths

MENUS_FILE = paths.SOURCES / "menus.yml"
MAX_TITLE_CHARS = 12
QUESTIONS = (3, 6)  # at least, at most: a menu, not a list to scroll through
_NOT_WORDS = re.compile(r"[\W_]+")


class MenusInvalid(ValueError):
    """sources/menus.yml breaks a rule; the message names every problem."""


@dataclass(frozen=True)
class Question:
    """One button of a menu: what it says and the question it sends."""

    title: str
    ask: str


@dataclass(frozen=True)
class Menu:
    id: str
    title: str
    names: tuple[str, ...]
    intro: str
    questions: tuple[Question, ...]


def bare(text: str) -> str:
    """The text as menus compare it: punctuation and spaces taken out."""
    return _NOT_WORDS.sub("", text)


@dataclass(frozen=True)
class Menus:
    menus: dict[str, Menu]

    def named(self, text: str) -> Menu | None:
        """The menu the whole message names ("人才政策", "民生工程？"), if any."""
        said = bare(text)
        return next((m for m in self.menus.values() if said in {bare(n) for n in (m.title, *m.names)}), None)


def _text(value: object, where: str, problems: list[str], most: int | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: must be a text")
        return ""
    if most is not None and len(value) > most:
        problems.append(f"{where}: {value!r} is longer than {most} characters")
    return value.strip()


def parse_menus(raw: object, where: str = "menus.yml") -> Menus:
    """The menus from the file's YAML, or MenusInvalid listing every problem."""
    problems: list[str] = []
    entries = raw.get("menus") if isinstance(raw, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise MenusInvalid(f"{where}: needs `menus:`, a mapping of menu ids to menus")
    menus, owners = {}, {}
    for menu_id, entry in entries.items():
        at = f"menus.{menu_id}"
        if not isinstance(entry, dict):
            problems.append(f"{at}: must be a mapping (title, names, intro, questions)")
            continue
        unknown = set(entry) - {"title", "names", "intro", "questions"}
        if unknown:
            problems.append(f"{at}: unknown keys {sorted(unknown)}")
        names = entry.get("names")
        if not isinstance(names, list) or not names:
            problems.append(f"{at}.names: must be a non-empty list of texts")
            names = []
        title = _text(entry.get("title"), f"{at}.title", problems, MAX_TITLE_CHARS)
        names = [_text(name, f"{at}.names", problems) for name in names]
        for name in (title, *names):
            if name and bare(name) in owners and owners[bare(name)] != menu_id:
                problems.append(f"{at}.names: {name!r} already opens menu {owners[bare(name)]}")
            owners.setdefault(bare(name), menu_id)
        questions = entry.get("questions")
        low, high = QUESTIONS
        if not isinstance(questions, list) or not low <= len(questions) <= high:
            problems.append(f"{at}.questions: must be a list of {low} to {high} questions")
            questions = []
        parsed = []
        for number, question in enumerate(questions, 1):
            if not isinstance(question, dict):
                problems.append(f"{at}.questions[{number}]: needs `title` and `ask`")
                continue
            parsed.append(Question(_text(question.get("title"), f"{at}.questions[{number}].title", problems,
                                         MAX_TITLE_CHARS),
                                   _text(question.get("ask"), f"{at}.questions[{number}].ask", problems)))
        menus[str(menu_id)] = Menu(str(menu_id), title, tuple(names),
                                   _text(entry.get("intro"), f"{at}.intro", problems), tuple(parsed))
    if problems:
        raise MenusInvalid(f"{where}: " + "; ".join(problems))
    return Menus(menus)


def load_menus(path: Path = MENUS_FILE) -> Menus:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise MenusInvalid(f"{path}: cannot be read: {error}") from error
    return parse_menus(raw, path.name)


@functools.cache
def shared_menus() -> Menus:
    """The project's menus, loaded (and checked) once per process."""
    return load_menus()
