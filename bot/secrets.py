"""The deployment's secrets, in one folder readable by its owner only, shared by every instance.

A secret is a random token made on first use under build/secrets/ (the folder 0700, each file 0600,
created with that mode, never widened afterwards). Instances on one machine share the files; on
several machines an operator gives every instance the same values through the environment, which
wins over the file (`docs/deploy.md`).
"""

from __future__ import annotations

import os
import secrets as random
from pathlib import Path

from bot import paths

SECRETS = paths.BUILD / "secrets"


def secret_file(name: str, env: str | None = None, folder: Path = SECRETS) -> Path:
    """The file holding secret `name`, made (owner-only) when missing; from `env` when that is set."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / name
    value = os.environ.get(env) if env else None
    if value:
        write_private(path, value)
    elif not path.exists():
        try:
            write_private(path, random.token_urlsafe(32), exclusive=True)
        except FileExistsError:  # another process made it meanwhile
            pass
    return path


def secret(name: str, env: str | None = None, folder: Path = SECRETS) -> str:
    """The value of secret `name` (see `secret_file`)."""
    return secret_file(name, env, folder).read_text(encoding="utf-8").strip()


def write_private(path: Path, value: str, exclusive: bool = False) -> None:
    """Write `value` to a file that is 0600 from the moment it exists (its folder made 0700);
    `exclusive`: only if no such file exists yet (FileExistsError otherwise)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not exclusive and path.exists() and path.read_text(encoding="utf-8").strip() == value:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(value)
    if not exclusive:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)  # fails if it exists: the first writer wins
    finally:
        temporary.unlink()
