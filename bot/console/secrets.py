"""The console's session secret: it signs session cookies and CSRF tokens.

Every console instance must share it (a cookie signed by one is checked by another), so it is
read from CONSOLE_SECRET when set (a deployment's secret store), else from build/secrets/
console-secret, which the first start creates (random, 0600). `console_secret()` is the one
place that knows where it lives.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from secrets import token_urlsafe

from bot import paths

ENV = "CONSOLE_SECRET"
SECRETS = paths.BUILD / "secrets"
SECRET_FILE = SECRETS / "console-secret"
MIN_LENGTH = 32


class SecretError(RuntimeError):
    """The secret is missing, too short or readable by others; the message says what to do."""


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another instance made it first: use theirs
        return
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(token_urlsafe(48) + "\n")


def console_secret(path: Path = SECRET_FILE) -> str:
    """CONSOLE_SECRET, else the secret file (created on first use)."""
    value = os.environ.get(ENV, "").strip()
    source = ENV
    if not value:
        if not path.exists():
            _create(path)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise SecretError(f"{path} can be read by other users: chmod 600 {path}")
        value, source = path.read_text(encoding="utf-8").strip(), str(path)
    if len(value) < MIN_LENGTH:
        raise SecretError(f"the console secret from {source} is shorter than {MIN_LENGTH} characters; "
                          "make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    return value
