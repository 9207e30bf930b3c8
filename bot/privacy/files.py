"""Folders and files that hold conversations or personal data: owner-only from the moment they exist.

Folders (build/, reports/) are 0700, databases and report files 0600. A file is created with its
mode (not created, then restricted: a reader could open it in between), whichever process
creates it; one left by an older version with a wider mode is narrowed when it is next opened.
SQLite creates a database's -wal and -shm files with the mode of the database file itself, so a
database created 0600 keeps its write-ahead log private too.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
PRIVATE_UMASK = 0o077
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """`path` as an owner-only folder (made, with any missing parents, when missing)."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    path.chmod(PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """`path` as an owner-only file: created empty with mode 0600 when missing, narrowed when wider."""
    if not path.parent.exists():
        private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)
    return path


def write_private_text(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to an owner-only file, replacing what was there."""
    private_file(path)
    with path.open("w", encoding="utf-8") as file:
        file.write(text)
    return path


def private_sqlite(path: Path) -> Path:
    """The SQLite database at `path` (an empty file is an empty database) created 0600 before
    SQLite opens it, its -wal/-shm/-journal narrowed to 0600 if an older version left them wider."""
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.chmod(PRIVATE_FILE)
    return path


def sqlite_path(database: str | None) -> Path | None:
    """The file of an SQLite database name as SQLAlchemy takes it; None for an in-memory one."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
