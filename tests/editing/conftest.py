"""A copy of sources/ per test: the editors' changes are made to it, never to the real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import paths
from bot.editing.tree import SourceTree


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    copy = tmp_path / "sources"
    shutil.copytree(paths.SOURCES, copy)
    return copy


@pytest.fixture
def tree(sources: Path) -> SourceTree:
    return SourceTree(sources)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
