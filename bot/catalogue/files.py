"""Loading `sources/catalogue/*.yml`, keeping the line of every key so problems read file:line.

The YAML is composed into nodes first (not loaded straight into dicts) because only the nodes keep
their marks; each value is then constructed with PyYAML's safe constructor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import paths
from bot.catalogue.schema import ARTICLE_SOURCE, FieldProblem, Service, cross_problems, parse_service

IMPORTED_FILE = "imported.yml"
_TOP_KEYS = ("defaults", "services")


@dataclass(frozen=True)
class Problem:
    """One broken rule, located for an editor: `talent.yml:12: name: is required and empty`."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class Catalogue:
    """The valid services in file order, and every problem found on the way."""

    services: list[Service] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # code -> file name


class CatalogueInvalid(ValueError):
    """The catalogue files break rules; the message lists every problem, one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Entry:
    """One YAML mapping as raw values, with the line of each key and of the mapping."""

    line: int
    values: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def problem(self, where: str, broken: FieldProblem) -> Problem:
        """A value's broken rule as a problem of the file, at its key's line (else the mapping's)."""
        return Problem(where, self.lines.get(broken.key or "", self.line), f"{broken.key}: {broken.reason}")


def read_mapping(loader: yaml.SafeLoader, node: yaml.Node, name: str, problems: list[Problem],
                 where: str) -> Entry | None:
    """A mapping node's keys and values with their lines; None (and a problem) if it is no mapping."""
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(where, line, f"{name} must be a mapping of keys to values"))
        return None
    entry = Entry(line)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            problems.append(Problem(where, key_line, f"{name}: key {key!r} must be text"))
            continue
        if key in entry.values:
            problems.append(Problem(where, key_line, f"{name}: key {key!r} is given twice"))
        entry.values[key] = loader.construct_object(value_node, deep=True)
        entry.lines[key] = key_line
    return entry


def compose(path: Path, problems: list[Problem]) -> tuple[yaml.SafeLoader, yaml.Node] | None:
    """The file's YAML as a node tree (which keeps lines) and the loader to construct values with;
    None, and a problem, when the file is not UTF-8, not YAML or empty."""
    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(Problem(where, 1, f"not UTF-8 ({error.reason} at byte {error.start})"))
        return None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        problems.append(Problem(where, line, f"broken YAML: {reason}"))
        return None
    finally:
        loader.dispose()
    if root is None:
        problems.append(Problem(where, 1, "file is empty"))
        return None
    return loader, root


def read_record(path: Path, what: str, problems: list[Problem]) -> Entry | None:
    """A file holding one record (a mapping): its entry, or None with the problems found (`what`
    names it when the file is missing)."""
    if not path.is_file():
        problems.append(Problem(path.name, 1, f"{what} is missing"))
        return None
    composed = compose(path, problems)
    return read_mapping(*composed, "the record", problems, path.name) if composed else None


def _entries(path: Path, problems: list[Problem]) -> list[Entry]:
    """The file's service entries with file defaults merged in (the entry's own keys win)."""
    where = path.name
    composed = compose(path, problems)
    if composed is None:
        return []
    loader, root = composed
    top = read_mapping(loader, root, "the file", problems, where)
    if top is None:
        return []
    for key in top.values:
        if key not in _TOP_KEYS:
            problems.append(Problem(where, top.lines[key], f"unknown top-level key {key!r}"))
    defaults = Entry(top.lines.get("defaults", 1))
    defaults_node = _value_node(root, "defaults")
    if defaults_node is not None:
        defaults = read_mapping(loader, defaults_node, "defaults", problems, where) or defaults
    services_node = _value_node(root, "services")
    if not isinstance(services_node, yaml.SequenceNode):
        line = top.lines.get("services", 1)
        problems.append(Problem(where, line, "needs `services:`, a list of services"))
        return []
    entries = []
    for node in services_node.value:
        entry = read_mapping(loader, node, "a service", problems, where)
        if entry is None:
            continue
        merged = Entry(entry.line, dict(defaults.values), dict(defaults.lines))
        merged.values.update(entry.values)
        merged.lines.update(entry.lines)
        entries.append(merged)
    return entries


def _value_node(root: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def article_problem(source: str, article: str | None) -> str | None:
    """An article-based source must quote the article verbatim after the '：'."""
    if article is None or not source.startswith(ARTICLE_SOURCE):
        return None
    quote = source[len(ARTICLE_SOURCE):].lstrip("：:").strip()
    squash = re.compile(r"\s+")
    if not quote or squash.sub("", quote) not in squash.sub("", article):
        return "source: the quoted passage is not a verbatim part of the article"
    return None


def load_catalogue(folder: Path = paths.CATALOGUE_DATA,
                   article_path: Path | None = paths.SEED_ARTICLE) -> Catalogue:
    """Read every `*.yml` of `folder`; never raises for content, collects problems instead."""
    catalogue = Catalogue()
    article = None
    if article_path is not None and article_path.is_file():
        article = article_path.read_text(encoding="utf-8")
    where_of: dict[int, tuple[str, Entry]] = {}
    for path in sorted(folder.glob("*.yml")):
        for entry in _entries(path, catalogue.problems):
            service, problems = parse_service(entry.values)
            catalogue.problems += [entry.problem(path.name, problem) for problem in problems]
            if service is None:
                continue
            reason = article_problem(service.source, article)
            if reason:
                catalogue.problems.append(Problem(path.name, entry.lines.get("source", entry.line),
                                                  reason))
                continue
            catalogue.services.append(service)
            where_of[id(service)] = (path.name, entry)
            catalogue.origin.setdefault(service.code, path.name)
    for service, problem in cross_problems(catalogue.services):
        # Reported at the later service: the first one keeps its name or code.
        file, entry = where_of[id(service)]
        catalogue.problems.append(entry.problem(file, problem))
    return catalogue


def load_services(folder: Path = paths.CATALOGUE_DATA) -> list[Service]:
    """The valid catalogue, or CatalogueInvalid listing every problem (for build and actions)."""
    catalogue = load_catalogue(folder)
    if catalogue.problems:
        raise CatalogueInvalid(catalogue.problems)
    return catalogue.services
