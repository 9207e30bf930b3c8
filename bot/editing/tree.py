"""The source files editors change (sources/), checked and saved as one piece.

An editor's change is a `Change`: the new text of one or more files under the tree's root. Before
anything is written, `check` puts the change into a scratch copy of the whole tree and runs the
command line's own validators on it (bot.knowledge.model.load, bot.catalogue.files.load_catalogue),
and refuses any text that is an evaluation question. `save` writes every file or none: each new
text goes to a temporary file beside its target, and only when all are written are they renamed
into place (a failure midway puts back what was already renamed). Saving also refuses a change
whose files were changed by someone else since it was shown (`base`).

Committing to git stays the operator's step (docs/editors.md).
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import paths
from bot.editing import messages
from bot.editing.eval_texts import EvalTexts

KNOWLEDGE, CATALOGUE, CENTRE = "knowledge", "catalogue", "service_centre.yml"


class ChangeRefused(ValueError):
    """The change cannot be saved; `problems` say why, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Change:
    """New texts for files of the tree (paths relative to its root, e.g. knowledge/talent.yml)."""

    files: dict[str, str]
    summary: str  # what it does, in Chinese (the audit log and the page say it)
    added_texts: tuple[str, ...] = ()  # residents' words it adds (checked against the evaluation)


@dataclass(frozen=True)
class FileDiff:
    path: str
    lines: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.startswith("+") and not line.startswith("+++"))

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.startswith("-") and not line.startswith("---"))


class SourceTree:
    """The editable sources at `root` (sources/ of the deployment's working copy; a copy in tests)."""

    def __init__(self, root: Path = paths.SOURCES, article: Path = paths.SEED_ARTICLE,
                 eval_texts: EvalTexts | None = None) -> None:
        self.root = root
        self.article = article
        self._eval_texts = eval_texts

    @property
    def eval_texts(self) -> EvalTexts:
        if self._eval_texts is None:
            from bot.editing.eval_texts import shared

            self._eval_texts = shared()
        return self._eval_texts

    @property
    def knowledge_dir(self) -> Path:
        return self.root / KNOWLEDGE

    @property
    def catalogue_dir(self) -> Path:
        return self.root / CATALOGUE

    def path(self, relative: str) -> Path:
        target = (self.root / relative).resolve()
        if self.root.resolve() not in target.parents:
            raise ValueError(f"{relative!r} is outside the sources")
        return target

    def text(self, relative: str) -> str:
        """A file's current text ("" for a file that does not exist yet)."""
        target = self.path(relative)
        return target.read_text(encoding="utf-8") if target.exists() else ""

    def base(self, relatives: list[str]) -> str:
        """A digest of the files' current texts: the state a change was made against."""
        digest = hashlib.sha256()
        for relative in sorted(relatives):
            digest.update(relative.encode() + b"\0" + self.text(relative).encode() + b"\0")
        return digest.hexdigest()

    def diff(self, change: Change) -> list[FileDiff]:
        shown = []
        for relative, new in sorted(change.files.items()):
            old = self.text(relative)
            lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), f"a/sources/{relative}",
                                              f"b/sources/{relative}", lineterm="", n=2))
            if lines:
                shown.append(FileDiff(relative, lines))
        return shown

    # Checking ------------------------------------------------------------------------------------

    def check(self, change: Change) -> list[str]:
        """Every reason the change cannot be saved, in Chinese; [] when it can."""
        if not self.diff(change):
            return ["没有任何改动。"]
        problems = [f"“{text}”是评测题，不能加入数据（评测题必须对助手保持未见）。"
                    for text in change.added_texts if text in self.eval_texts]
        with self.scratch_copy(change) as scratch:
            problems += validate(scratch, self.article)
            problems += self._eval_problems(scratch, change)
        return list(dict.fromkeys(problems))

    def _eval_problems(self, scratch: Path, change: Change) -> list[str]:
        """Residents' texts the change adds anywhere in the data (not only the ones it names)."""
        before = resident_texts(self.root, change.files)
        after = resident_texts(scratch, change.files)
        return [f"“{text}”是评测题，不能加入数据（评测题必须对助手保持未见）。"
                for text in sorted(after - before) if text in self.eval_texts]

    @contextlib.contextmanager
    def scratch_copy(self, change: Change | None = None) -> Iterator[Path]:
        """A temporary copy of the tree with `change` applied."""
        with tempfile.TemporaryDirectory(prefix="shizhong-sources-") as folder:
            scratch = Path(folder) / "sources"
            shutil.copytree(self.root, scratch, ignore=shutil.ignore_patterns(".*"))
            for relative, text in (change.files.items() if change else ()):
                target = scratch / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            yield scratch

    # Saving --------------------------------------------------------------------------------------

    def save(self, change: Change, base: str) -> None:
        """Write the change if its files are still as they were when it was made (`base`) and it
        passes every check; raise ChangeRefused otherwise, having written nothing."""
        with self._lock():
            if self.base(list(change.files)) != base:
                raise ChangeRefused(["这些文件在您预览之后已被修改（可能是其他编辑），请返回重新操作。"])
            problems = self.check(change)
            if problems:
                raise ChangeRefused(problems)
            write_all({self.path(relative): text for relative, text in change.files.items()})

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One save at a time for this tree, across processes (several console instances)."""
        name = hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:16]
        lock = Path(tempfile.gettempdir()) / f"shizhong-sources-{name}.lock"
        with open(lock, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def validate(root: Path, article: Path = paths.SEED_ARTICLE) -> list[str]:
    """The command line's validators on the tree at `root`, their problems in Chinese."""
    from bot.catalogue.files import load_catalogue
    from bot.knowledge.model import KnowledgeError, load

    problems = []
    try:
        load(root / KNOWLEDGE, article)
    except KnowledgeError as error:
        problems += [messages.problem(line) for line in str(error).splitlines()]
    except yaml.YAMLError as error:
        problems.append(f"知识库文件 YAML 格式错误：{error}")
    catalogue = load_catalogue(root / CATALOGUE, article)
    problems += [messages.problem(str(problem)) for problem in catalogue.problems]
    if (root / CENTRE).is_file():  # `python -m bot.catalogue validate` checks the record too
        from bot.catalogue.centre import read_centre

        problems += [messages.problem(str(problem)) for problem in read_centre(root / CENTRE, root / CATALOGUE,
                                                                               article).problems]
    return problems


def resident_texts(root: Path, relatives: dict[str, str]) -> set[str]:
    """The questions and names residents' words are kept as, in the given files under `root`:
    knowledge topics' examples, catalogue services' names, aliases, examples and situations."""
    found: set[str] = set()
    for relative in relatives:
        target = root / relative
        if not target.is_file():
            continue
        try:
            raw = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        if not isinstance(raw, dict):
            continue
        for topic in (raw.get("topics") or {}).values():
            if isinstance(topic, dict):
                found.update(text for text in topic.get("examples") or [] if isinstance(text, str))
        for service in raw.get("services") or []:
            if isinstance(service, dict):
                for key in ("aliases", "examples", "situations"):
                    found.update(text for text in service.get(key) or [] if isinstance(text, str))
    return found


def write_all(targets: dict[Path, str]) -> None:
    """Write every target or none (see the module's docstring)."""
    staged: dict[Path, Path] = {}
    replaced: dict[Path, str | None] = {}
    try:
        for target, text in targets.items():
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged[target] = Path(temporary)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        for target, temporary in staged.items():
            replaced[target] = target.read_text(encoding="utf-8") if target.exists() else None
            os.replace(temporary, target)
    except BaseException:
        for target, old in replaced.items():
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_text(old, encoding="utf-8")
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        raise
