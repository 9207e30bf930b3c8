"""The evaluation sets' texts: the questions and conversation turns nothing may be built from.

../shared/eval/*.yml (the public dev sets) and eval/*.yml (ours: held-out and sealed sets). Two
readers keep them out of what the assistant learns from: the tests' leak check
(tools/eval_leaks.py: every set, the sealed ones read but never printed) and the console, which
refuses an editor's text that is one of them (bot/editing/eval_texts.py: sealed files never
opened). Both compare texts by `key`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths

SHARED_EVAL = paths.PROJECT.parent / "shared" / "eval"
OWN_EVAL = paths.PROJECT / "eval"
FOLDERS = (SHARED_EVAL, OWN_EVAL)
SEALED = "sealed"


def is_sealed(path: Path | str) -> bool:
    """A judges' set (eval/sealed*.yml): its texts are never shown."""
    return Path(path).name.startswith(SEALED)


@dataclass(frozen=True)
class EvalText:
    """One question (`ask`) or conversation turn (`say`) of an evaluation set."""

    source: str  # the set's file name
    id: str  # the question's id, or the conversation's id and the turn's number (c1#2)
    text: str

    @property
    def sealed(self) -> bool:
        return is_sealed(self.source)

    def shown(self) -> str:
        """How a report names it: the text itself, except for a sealed set."""
        return f"{self.source} {self.id}" + ("" if self.sealed else f" {self.text!r}")


def key(text: str) -> str:
    """The text as compared: no white space, punctuation or symbols, lower case, NFKC ("X？" is
    the same text as "x")."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def eval_files(folders: Iterable[Path] = FOLDERS, sealed: bool = True) -> list[Path]:
    """The sets' YAML files, folder by folder; with `sealed` off the sealed ones are left out
    unopened (listed by name only)."""
    return [path for folder in folders for path in sorted(folder.glob("*.yml"))
            if sealed or not is_sealed(path)]


def eval_texts(files: Iterable[Path]) -> list[EvalText]:
    """Every question and conversation turn of the files (entries of another shape skipped)."""
    found = []
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            continue
        for question in raw.get("questions") or []:
            if isinstance(question, dict) and isinstance(question.get("ask"), str):
                found.append(EvalText(path.name, str(question.get("id")), question["ask"]))
        for conversation in raw.get("conversations") or []:
            if not isinstance(conversation, dict):
                continue
            for number, turn in enumerate(conversation.get("turns") or [], start=1):
                if isinstance(turn, dict) and isinstance(turn.get("say"), str):
                    found.append(EvalText(path.name, f"{conversation.get('id')}#{number}", turn["say"]))
    return found
