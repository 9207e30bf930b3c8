"""The evaluation's questions, so that an editor can never add one to the data.

Graded questions must stay unseen by training (GUIDE: no eval question or turn goes into data/ or
sources/). The console refuses to save any text that, once normalised, is one of them: the public
ones (../shared/eval/*.yml) and our held-out sets (eval/*.yml), read by bot/eval_sets.py as the
tests' leak check reads them. Files named sealed* are never opened: they are the judges', not ours
to read.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from bot.eval_sets import FOLDERS, eval_files, eval_texts, key

__all__ = ["FOLDERS", "EvalTexts", "normalise", "question_files", "shared"]


def normalise(text: str) -> str:
    """The leak check's `key` (width, case, punctuation and spaces folded) of the text in
    simplified script: "臨時救助在哪申請？" and "临时救助在哪申请" are the same question."""
    return key(_to_simplified()(text))


@functools.cache
def _to_simplified():
    import opencc  # as the NLU's 繁→简 step (bot/nlp/traditional.py), without loading Rasa

    return opencc.OpenCC("t2s").convert


def question_files(folders: Iterable[Path] = FOLDERS) -> list[Path]:
    """The YAML files of the evaluation folders, the sealed ones left out unopened."""
    return eval_files(folders, sealed=False)


class EvalTexts:
    """The normalised evaluation texts; `in` tells whether a text is one of them."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._normalised = frozenset(key for key in map(normalise, texts) if key)

    @classmethod
    def load(cls, folders: Iterable[Path] = FOLDERS) -> EvalTexts:
        return cls(t.text for t in eval_texts(question_files(folders)))

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and normalise(text) in self._normalised

    def __len__(self) -> int:
        return len(self._normalised)


@functools.cache
def shared() -> EvalTexts:
    """Loaded once a process (the console checks every text it saves)."""
    return EvalTexts.load()
