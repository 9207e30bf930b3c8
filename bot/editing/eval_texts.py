"""The evaluation's questions, so that an editor can never add one to the data.

Graded questions must stay unseen by training (GUIDE: no eval question or turn goes into data/ or
sources/). The console refuses to save any text that, once normalised, is one of them: the public
ones (../shared/eval/*.yml) and our held-out sets (eval/*.yml). Files named sealed* are never
opened: they are the judges', not ours to read.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from bot import paths

FOLDERS = (paths.PROJECT.parent / "shared" / "eval", paths.PROJECT / "eval")
SEALED = "sealed"


def normalise(text: str) -> str:
    """Width, case, script (繁→简) and punctuation folded away: "經緯人才計劃是什麼？" and
    "经纬人才计划是什么" are the same question."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in _to_simplified()(folded) if ch.isalnum())


@functools.cache
def _to_simplified():
    import opencc  # as the NLU's 繁→简 step (bot/nlp/traditional.py), without loading Rasa

    return opencc.OpenCC("t2s").convert


def question_files(folders: Iterable[Path] = FOLDERS) -> list[Path]:
    """The YAML files of the evaluation folders, the sealed ones left out unopened."""
    return sorted(path for folder in folders if folder.is_dir() for path in folder.glob("*.yml")
                  if not path.name.startswith(SEALED))


def _texts(raw: object) -> Iterator[str]:
    """Every question (`ask`) and conversation turn (`say`) of one evaluation file."""
    if not isinstance(raw, dict):
        return
    for question in raw.get("questions") or []:
        if isinstance(question, dict) and isinstance(question.get("ask"), str):
            yield question["ask"]
    for conversation in raw.get("conversations") or []:
        for turn in (conversation or {}).get("turns") or [] if isinstance(conversation, dict) else []:
            if isinstance(turn, dict) and isinstance(turn.get("say"), str):
                yield turn["say"]


class EvalTexts:
    """The normalised evaluation texts; `in` tells whether a text is one of them."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._normalised = frozenset(key for key in map(normalise, texts) if key)

    @classmethod
    def load(cls, folders: Iterable[Path] = FOLDERS) -> EvalTexts:
        texts: list[str] = []
        for path in question_files(folders):
            texts.extend(_texts(yaml.safe_load(path.read_text(encoding="utf-8"))))
        return cls(texts)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and normalise(text) in self._normalised

    def __len__(self) -> int:
        return len(self._normalised)


@functools.cache
def shared() -> EvalTexts:
    """Loaded once a process (the console checks every text it saves)."""
    return EvalTexts.load()
