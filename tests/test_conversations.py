"""The end-to-end stories in tests/test_stories.yml pass (`rasa test core`, custom actions run)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot import paths
from bot.model import quiet_env

pytestmark = pytest.mark.server


def test_stories(servers, trained_model) -> None:
    out = paths.TEST_OUTPUT / "story-results"
    env = quiet_env() | {"ACTION_ENDPOINT_URL": f"{servers.actions_url}/webhook",
                         "TRACKER_DB": str(servers.tracker_db.with_name("story-tests.db"))}
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--stories", "tests/test_stories.yml",
         "--model", str(trained_model), "--endpoints", "endpoints.yml", "--out", str(out),
         "--fail-on-prediction-errors"],
        cwd=paths.PROJECT, env=env, capture_output=True, text=True, timeout=600)
    failed = out / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else ""
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:] + details
