"""The console's session secret: with the deployment's secrets (bot/secrets.py), owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.console.secrets import ENV, NAME, SecretError, console_secret


def test_the_secret_is_made_once_readable_by_its_owner_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    folder = tmp_path / "secrets"
    first = console_secret(folder)
    assert len(first) >= 32
    assert stat.S_IMODE((folder / NAME).stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert console_secret(folder) == first  # every instance (and every restart) shares it


def test_the_environment_wins_and_must_be_long_enough(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(ENV, "s" * 40)
    assert console_secret(tmp_path) == "s" * 40
    monkeypatch.setenv(ENV, "short")
    with pytest.raises(SecretError, match="shorter than 32"):
        console_secret(tmp_path)
