"""The console's session secret: CONSOLE_SECRET, else a file made 0600 on first start."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.console.secrets import ENV, SecretError, console_secret


def test_the_secret_file_is_made_once_readable_by_its_owner_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    path = tmp_path / "secrets" / "console-secret"
    first = console_secret(path)
    assert len(first) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert console_secret(path) == first  # every instance (and every restart) shares it
    path.chmod(0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        console_secret(path)


def test_the_environment_wins_and_must_be_long_enough(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "console-secret"
    monkeypatch.setenv(ENV, "s" * 40)
    assert console_secret(path) == "s" * 40 and not path.exists()
    monkeypatch.setenv(ENV, "short")
    with pytest.raises(SecretError, match="shorter than 32"):
        console_secret(path)
