"""The catalogue's field vocabulary (sources/fields.yml): which part of a guide a resident asks for.

One file says, for each guide field (材料、条件、时限 …), the name the NLU's entity `field` gives it
and the words residents use for it. Some words only ask "what is needed" (要啥, 准备什么): they are
`generic`, and name their field only when the message names no other one ("要啥条件" asks 条件).
Some name the thing a question is about rather than ask for it (窗口): they are `nouns`, and in a
span holding another field's word that field is asked ("大厅窗口几点下班" asks the hours).
The lookup table and synonyms the NLU learns from, the district
dictionary's words and the training data's annotations are all generated from it, and the actions
map an entity value back to the guide's attribute with it. Loading checks it and names every
problem (FieldsInvalid).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths

FIELDS_FILE = paths.SOURCES / "fields.yml"
# The Service attributes a field may answer (bot/catalogue/text.py phrases each).
GUIDES = ("materials", "conditions", "time_limit", "fee", "place", "hours", "phone", "online",
          "visits", "legal_basis")
MAX_WORD_CHARS = 8


class FieldsInvalid(ValueError):
    """The field vocabulary breaks a rule; the message names the file and each problem."""


@dataclass(frozen=True)
class Field:
    """One guide field: its entity value (`name`), the attribute it answers, residents' words."""

    name: str
    guide: str
    words: tuple[str, ...]
    # Words that name this field only when no other field is named beside them (a subset of words).
    generic: tuple[str, ...] = ()
    # Words that may be the subject of another field's question (窗口); a subset of words.
    nouns: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        """The name first, then the words that are not the name."""
        return (self.name, *(w for w in self.words if w != self.name))


@dataclass(frozen=True)
class FieldVocabulary:
    fields: tuple[Field, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def by_name(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def by_guide(self, guide: str) -> Field | None:
        return next((f for f in self.fields if f.guide == guide), None)

    @functools.cached_property
    def _words_longest_first(self) -> tuple[tuple[str, Field], ...]:
        pairs = [(word.lower(), f) for f in self.fields for word in f.spellings()]
        return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))

    @functools.cached_property
    def _generic(self) -> frozenset[str]:
        return frozenset(word.lower() for f in self.fields for word in f.generic)

    @functools.cached_property
    def _nouns(self) -> frozenset[str]:
        return frozenset(word.lower() for f in self.fields for word in f.nouns)

    def is_generic(self, value: str) -> bool:
        """Whether an entity value only asks "what is needed" (要啥) without naming a field itself.
        A span holding a specific word too ("要啥条件") is not generic."""
        value = value.strip().lower()
        return not any(word in value for word, _ in self._words_longest_first if word not in self._generic)

    def field_of(self, value: str) -> Field | None:
        """The field an entity value names: a field's name, one of its words, or a span holding one
        (a specific word before a generic one, a question's word before a noun, then the longest)."""
        value = value.strip().lower()
        for word, found in self._words_longest_first:
            if value == word:
                return found
        inside = [(word in self._generic, word in self._nouns, -len(word), n, f)
                  for n, (word, f) in enumerate(self._words_longest_first) if word in value]
        return min(inside)[-1] if inside else None

    def asked(self, values: list[str]) -> tuple[Field, ...]:
        """The fields a message's entity values ask, in order and without repeats; generic words
        count only when no value names a field specifically ("要啥条件" asks 条件 alone)."""
        specific = [v for v in values if not self.is_generic(v)]
        found = [self.field_of(v) for v in (specific or values)]
        return tuple(dict.fromkeys(f for f in found if f is not None))

    def guides(self, values: list[str]) -> tuple[str, ...]:
        """The guide fields (Service attributes: materials, fee …) the values ask, as `asked` reads them."""
        return tuple(dict.fromkeys(f.guide for f in self.asked(values)))

    def spans(self, text: str) -> list[tuple[int, int, Field]]:
        """(start, end, field) of every word in `text`, longest first, without overlaps, in order."""
        lowered, taken, found = text.lower(), [False] * len(text), []
        for word, field_ in self._words_longest_first:
            start = lowered.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    found.append((start, end, field_))
                start = lowered.find(word, start + 1)
        return sorted(found, key=lambda span: span[0])

    def words(self) -> set[str]:
        return {word for f in self.fields for word in f.spellings()}


def parse_fields(raw: object, where: str = "fields.yml") -> FieldVocabulary:
    """The vocabulary from the file's YAML, or FieldsInvalid listing every problem."""
    problems: list[str] = []
    entries = raw.get("fields") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise FieldsInvalid(f"{where}: needs a non-empty list `fields`")
    fields, owner = [], {}
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"field {number}: must be a mapping with name, guide and words")
            continue
        name, guide, words = entry.get("name"), entry.get("guide"), entry.get("words")
        generic = entry.get("generic") or []
        nouns = entry.get("nouns") or []
        label = f"field {number} ({name})"
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{label}: name must be text")
            continue
        if guide not in GUIDES:
            problems.append(f"{label}: guide must be one of {', '.join(GUIDES)}")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            problems.append(f"{label}: words must be a non-empty list of texts")
            continue
        if not isinstance(generic, list) or not all(isinstance(w, str) and w.strip() for w in generic):
            problems.append(f"{label}: generic must be a list of texts")
            continue
        for word in [name, *words, *generic]:
            word = word.strip()
            if len(word) > MAX_WORD_CHARS:
                problems.append(f"{label}: word {word!r} is longer than {MAX_WORD_CHARS} characters")
            other = owner.setdefault(word.lower(), name)
            if other != name:
                problems.append(f"{label}: word {word!r} is also a word of {other}")
        own = {w.strip() for w in [*words, *generic]}
        if not isinstance(nouns, list) or not all(isinstance(w, str) and w.strip() in own for w in nouns):
            problems.append(f"{label}: nouns must be a list of the field's own words")
            continue
        generic_words = tuple(dict.fromkeys(w.strip() for w in generic))
        fields.append(Field(name.strip(), str(guide),
                            tuple(dict.fromkeys([*(w.strip() for w in words), *generic_words])), generic_words,
                            tuple(w.strip() for w in nouns)))
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        problems.append("a field name is used twice")
    guides = [f.guide for f in fields]
    if len(set(guides)) != len(guides):
        problems.append("a guide attribute is answered by two fields")
    if problems:
        raise FieldsInvalid(f"{where}: " + "; ".join(problems))
    return FieldVocabulary(tuple(fields))


def load_fields(path: Path = FIELDS_FILE) -> FieldVocabulary:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise FieldsInvalid(f"{path}: cannot be read: {error}") from error
    return parse_fields(raw, str(path.relative_to(paths.PROJECT) if path.is_relative_to(paths.PROJECT) else path))


@functools.cache
def shared_fields() -> FieldVocabulary:
    """The project's field vocabulary, loaded once per process."""
    return load_fields()
