"""The console's session secret: it signs session cookies and CSRF tokens.

Every console instance must share it (a cookie signed by one is checked by another), so it lives
with the deployment's other secrets (bot/secrets.py): CONSOLE_SECRET when set, else the owner-only
file build/secrets/console-secret, made on first start. `console_secret()` is the one place the
console asks.
"""

from __future__ import annotations

from pathlib import Path

from bot import secrets

NAME = "console-secret"
ENV = "CONSOLE_SECRET"
MIN_LENGTH = 32


class SecretError(RuntimeError):
    """The secret given is too short to sign with; the message says how to make one."""


def console_secret(folder: Path = secrets.SECRETS) -> str:
    value = secrets.secret(NAME, ENV, folder)
    if len(value) < MIN_LENGTH:
        raise SecretError(f"the console secret ({ENV} or {folder / NAME}) is shorter than {MIN_LENGTH} "
                          "characters; make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    return value
