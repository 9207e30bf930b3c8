"""Releases: the model, the spaCy pipeline and the catalogue database that go live together.

    build/releases/<id>/
        release.json     what it is: kind, parent, model id, digests of its inputs, its grade
        model.tar.gz     the Rasa model (a hard link when unchanged from the parent)
        spacy-zh/        the spaCy pipeline the model was trained with (pkuseg + district dictionary)
        catalogue.db     the catalogue database, indexed with that pipeline's segmentation
        segments.json    the knowledge base's texts segmented with it (bot/catalogue/segmented.py)
        sources/         the editors' sources it was built from (for the next plan's comparison)
    build/releases/live -> <id>       what the assistants serve
    build/releases/previous -> <id>   the one before, for one-click rollback

A release folder never changes once made: a swap or a rollback moves a symlink, so a model is
never paired with another release's tokenizer (bot/patches/release_pipeline.py loads the pipeline
beside the model). Symlinks are replaced atomically (a new link renamed over the old one).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import paths

FOLDER = paths.BUILD / "releases"
BEIJING = ZoneInfo("Asia/Shanghai")
LIVE, PREVIOUS = "live", "previous"
MANIFEST, MODEL, PIPELINE, CATALOGUE_DB, SOURCES = "release.json", "model.tar.gz", "spacy-zh", "catalogue.db", "sources"
SEGMENTS = "segments.json"
# What a release changed, from the cheapest to publish to the dearest.
ADOPTED, CATALOGUE, FINETUNE, FULL = "adopted", "catalogue", "finetune", "full"
KIND_NAMES = {ADOPTED: "接管现有模型", CATALOGUE: "仅服务目录（不训练）", FINETUNE: "增量训练（--finetune）",
              FULL: "完整训练"}
KEEP = 4  # releases kept besides live and previous: older ones are removed after a publish


class ReleaseError(RuntimeError):
    """A release folder is missing a part or a symlink points nowhere."""


@dataclass
class Manifest:
    id: str
    kind: str
    created: str
    parent: str | None = None
    model_id: str = ""
    digests: dict[str, str] = field(default_factory=dict)  # knowledge, catalogue, rasa_data, dictionary
    labels: list[str] = field(default_factory=list)  # topic ids (fine-tuning keeps them)
    grade: dict = field(default_factory=dict)  # {set name: {"passed": n, "total": n, "failed": [ids]}}
    published_at: str | None = None
    published_by: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


@dataclass(frozen=True)
class Release:
    folder: Path
    manifest: Manifest

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def model(self) -> Path:
        return self.folder / MODEL

    @property
    def pipeline(self) -> Path:
        return self.folder / PIPELINE

    @property
    def catalogue_db(self) -> Path:
        return self.folder / CATALOGUE_DB

    @property
    def segments(self) -> Path:
        return self.folder / SEGMENTS

    @property
    def sources(self) -> Path:
        return self.folder / SOURCES

    def save_manifest(self) -> None:
        write_json(self.folder / MANIFEST, asdict(self.manifest))


def now_text() -> str:
    """Beijing time, as staff read times: 2026-12-05 09:30:12."""
    return datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def new_id() -> str:
    """Sortable and readable (Beijing time): 20261205-093012."""
    return datetime.now(BEIJING).strftime("%Y%m%d-%H%M%S")


def write_json(path: Path, data: object) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


class Releases:
    """The release folders under `folder`."""

    def __init__(self, folder: Path = FOLDER) -> None:
        self.folder = folder

    def load(self, release_id: str) -> Release:
        target = self.folder / release_id
        manifest = target / MANIFEST
        if not manifest.is_file():
            raise ReleaseError(f"release {release_id}: no {MANIFEST}")
        data = json.loads(manifest.read_text(encoding="utf-8"))
        known = Manifest.__dataclass_fields__
        return Release(target, Manifest(**{key: value for key, value in data.items() if key in known}))

    def all(self) -> list[Release]:
        """Every complete release, the newest first."""
        found = []
        for candidate in sorted(self.folder.glob("*/" + MANIFEST), reverse=True):
            if candidate.parent.is_symlink() or candidate.parent.name.startswith("."):
                continue
            found.append(self.load(candidate.parent.name))
        return found

    def _linked(self, name: str) -> Release | None:
        link = self.folder / name
        if not link.is_symlink():
            return None
        return self.load(os.readlink(link))

    @property
    def live(self) -> Release | None:
        return self._linked(LIVE)

    @property
    def previous(self) -> Release | None:
        return self._linked(PREVIOUS)

    @property
    def live_link(self) -> Path:
        return self.folder / LIVE

    def staging(self, release_id: str) -> Path:
        """An empty folder to build release `release_id` in (renamed into place by `complete`)."""
        target = self.folder / f".staging-{release_id}"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        return target

    def complete(self, staging: Path, manifest: Manifest) -> Release:
        """The staged folder, checked and renamed to its release id."""
        for part in (MODEL, CATALOGUE_DB, SEGMENTS, PIPELINE + "/meta.json"):
            if not (staging / part).exists():
                raise ReleaseError(f"release {manifest.id}: {part} is missing")
        write_json(staging / MANIFEST, asdict(manifest))
        target = self.folder / manifest.id
        os.rename(staging, target)
        return self.load(manifest.id)

    def point(self, name: str, release: Release) -> None:
        """Make the symlink `name` (live, previous) point at `release`, atomically."""
        temporary = self.folder / f".{name}.{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(release.id)
        os.replace(temporary, self.folder / name)

    def go_live(self, release: Release) -> Release | None:
        """`release` becomes live and the live one before it becomes previous; the old live one."""
        before = self.live
        if before is not None and before.id != release.id:
            self.point(PREVIOUS, before)
        self.point(LIVE, release)
        return before

    def prune(self, keep: int = KEEP, staging: bool = True) -> list[str]:
        """Remove old releases (never live or previous) and, with `staging`, unfinished ones (the
        publish job prunes after it has finished; others must leave them); the ids removed."""
        protected = {r.id for r in (self.live, self.previous) if r is not None}
        removable = [r for r in self.all() if r.id not in protected]
        removed = []
        for release in removable[keep:]:
            shutil.rmtree(release.folder, ignore_errors=True)
            removed.append(release.id)
        for stale in self.folder.glob(".staging-*") if staging else ():
            shutil.rmtree(stale, ignore_errors=True)
        return removed


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link (same file system: no copy of a 120 MB model), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def copy_tree(source: Path, target: Path) -> None:
    """A folder's files hard-linked into `target` (a spaCy pipeline: nothing ever writes into it)."""
    shutil.copytree(source, target, copy_function=lambda s, t: link_or_copy(Path(s), Path(t)))
