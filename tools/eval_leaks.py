"""`python -m tools.eval_leaks`: evaluation texts that stand in the project's data or code.

An evaluation question or conversation turn measures the assistant only while nothing was built
from it. This finds every one of six characters or more that stands in a training example, response,
string literal or comment of the data, the domain, the config, the sources, the actions, the
production code or the tests (tests/test_eval_leaks.py fails on any): whole, or inside a longer
string ("请问X，谢谢" holds X). Texts are compared without white space, punctuation and case, so
"X？" is the same string as "X". The sealed sets
(eval/sealed*.yml) are read but never printed: a leak of theirs is reported by id and place only.
"""

from __future__ import annotations

import ast
import itertools
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import eval_sets, paths
from bot.eval_sets import EvalText, key

MIN_CHARS = 6
# Where an evaluation text must not stand: (folder or file, suffixes read).
SEARCHED = (paths.DATA, paths.DOMAIN, paths.CONFIG, paths.SOURCES, paths.PROJECT / "actions",
            paths.PROJECT / "bot", paths.PROJECT / "tests")
TEXT_SUFFIXES = {".py", ".yml", ".yaml", ".js", ".html", ".txt", ".json"}
# [text](entity), [text]{"entity": …}: an annotated example is compared as its plain text.
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
QUOTED = re.compile(r"\"((?:[^\"\\\n]|\\.)*)\"|'((?:[^'\\\n]|\\.)*)'|`([^`]*)`")
__all__ = ["EvalText", "Leak", "describe", "eval_texts", "key", "leaks", "written_length"]


@dataclass(frozen=True)
class Leak:
    text: EvalText
    path: Path
    line: int


def public_names() -> set[str]:
    """The catalogue's official service names, as compared. Evaluation writers are given them
    (a turn may be a bare name, as a resident taps or pastes it), and the catalogue, its training
    examples and tests must hold them: a name is public, not an evaluation text."""
    from bot.catalogue.files import load_services

    return {key(service.name) for service in load_services()}


def in_a_name(text_key: str, names: Iterable[str]) -> bool:
    """A turn that is a name, or a part of one (a name shortened by a word, as residents shorten
    them): the catalogue holds the whole name and with it every part, so no rewording of ours
    could take it out; it is as public as the name."""
    return any(text_key in name for name in names)


def eval_texts(files: Iterable[Path] | None = None) -> list[EvalText]:
    """Every question and conversation turn of the evaluation sets (bot/eval_sets.py, the sealed
    ones too) that is long enough to count as a leak and is not a service name or a part of one."""
    found = eval_sets.eval_texts(eval_sets.eval_files() if files is None else files)
    names = public_names()
    return [t for t in found if written_length(t.text) >= MIN_CHARS and not in_a_name(key(t.text), names)]


def written_length(text: str) -> int:
    """Characters as the writer wrote them, white space aside and a run of one mark or symbol
    counted once: 行，多谢您了 has six, 办证？？？？？？ three (a mark repeated is one mark said loudly)."""
    written = "".join(text.split())
    return len(written) - sum(len(list(run)) - 1 for ch, run in itertools.groupby(written)
                              if not key(ch))


def _pieces(text: str) -> Iterator[str]:
    """A string and each of its lines, annotations and list dashes taken off."""
    yield text
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            line = line[2:]
        yield line
        yield ANNOTATION.sub(r"\1", line)


def _yaml_strings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, string) for every scalar of a YAML file (keys too), with its line."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        yield from _plain_strings(path)
        return
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            yield node.start_mark.line + 1, str(node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))


def _python_strings(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _plain_strings(path: Path) -> Iterator[tuple[int, str]]:
    """Quoted strings and whole lines of any other text file."""
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        yield number, line
        for match in QUOTED.finditer(line):
            yield number, next(g for g in match.groups() if g is not None)


def strings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, candidate) for every string of a file that could hold an evaluation text whole."""
    if path.suffix in (".yml", ".yaml"):
        found = _yaml_strings(path)
    elif path.suffix == ".py":
        found = _python_strings(path)
    else:
        found = _plain_strings(path)
    for line, value in found:
        for piece in _pieces(value):
            yield line, piece


def searched_files(roots: Iterable[Path] = SEARCHED) -> list[Path]:
    files = []
    for root in roots:
        if root.is_file():
            files.append(root)
        elif root.is_dir():
            files += [p for p in root.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES
                      and "__pycache__" not in p.parts and "node_modules" not in p.parts]
    return sorted(files)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Every line of a file, comments included, as written."""
    yield from enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)


class _Finder:
    """Finds the evaluation texts standing inside a string: each text is looked up by its first
    MIN_CHARS characters at every position of the string's key, then compared in full. A text
    whose key is shorter than that is looked up as the whole string only."""

    def __init__(self, texts: Iterable[EvalText]) -> None:
        self.by_start: dict[str, list[tuple[str, EvalText]]] = {}
        self.short: dict[str, list[EvalText]] = {}
        for text in texts:
            whole = key(text.text)
            if not whole:
                continue  # emoji or marks only: nothing a string could hold (a blank line would match)
            if len(whole) < MIN_CHARS:
                self.short.setdefault(whole, []).append(text)
            else:
                self.by_start.setdefault(whole[:MIN_CHARS], []).append((whole, text))

    def inside(self, value: str) -> Iterator[EvalText]:
        compared = key(value)
        yield from self.short.get(compared, ())
        for start in range(len(compared) - MIN_CHARS + 1):
            for whole, text in self.by_start.get(compared[start:start + MIN_CHARS], ()):
                if compared.startswith(whole, start):
                    yield text


def leaks(texts: list[EvalText] | None = None, files: Iterable[Path] | None = None) -> list[Leak]:
    """Every place where an evaluation text stands, whole or inside a longer string or line."""
    finder = _Finder(eval_texts() if texts is None else texts)
    found: dict[tuple[str, str, Path], Leak] = {}
    for path in searched_files() if files is None else files:
        for line, value in itertools.chain(strings(path), _lines(path)):
            if "\n" in value:
                continue  # its lines are pieces of their own; joined, two lines could forge a text
            for text in finder.inside(value):
                found.setdefault((text.source, text.id, path), Leak(text, path, line))
    return sorted(found.values(), key=lambda leak: (str(leak.path), leak.line))


def describe(leak: Leak) -> str:
    shown = leak.path.relative_to(paths.PROJECT) if leak.path.is_relative_to(paths.PROJECT) else leak.path
    return f"{shown}:{leak.line}: {leak.text.shown()}"


def main() -> int:
    found = leaks()
    for leak in found:
        print(describe(leak))
    print(f"eval_leaks: {len(found)} evaluation texts stand in data or code", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
