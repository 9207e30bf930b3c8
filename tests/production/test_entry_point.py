"""Our entry point (bot/assistant.py): patches first, on the pinned versions only; the token from a
file, never on a command line; files the assistant creates are its owner's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot import patches, paths
from bot.assistant import parse_arguments
from bot.model import quiet_env
from bot.processes import free_port, stop_process_group
from bot.serve import Servers


def test_the_token_reaches_rasa_from_a_file_and_not_the_command_line(tmp_path) -> None:
    servers = Servers(model=tmp_path / "model.tar.gz", auth_token="-starts-with-a-dash")
    command = list(servers.rasa_program().command)
    assert command[1:3] == ["-m", "bot.assistant"]
    assert not any("-starts-with-a-dash" in argument for argument in command)
    token_file = Path(command[command.index("--auth-token-file") + 1])
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700
    assert parse_arguments(command[3:]).auth_token == "-starts-with-a-dash"


def test_a_token_on_the_command_line_is_refused() -> None:
    with pytest.raises(SystemExit, match="auth-token-file"):
        parse_arguments(["--enable-api", "--auth-token", "secret"])
    with pytest.raises(SystemExit, match="auth-token-file"):
        parse_arguments(["--auth-token=secret"])


def test_a_token_file_others_can_read_is_refused(tmp_path) -> None:
    token = tmp_path / "token"
    token.write_text("secret")
    token.chmod(0o644)
    with pytest.raises(SystemExit, match="owner only"):
        parse_arguments(["--auth-token-file", str(token)])


def test_the_patches_refuse_another_rasa_version(tmp_path) -> None:
    """A Rasa of another version (its metadata first on the path) and the assistant does not start."""
    dist = tmp_path / "rasa-3.7.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: rasa\nVersion: 3.7.0\n")
    env = quiet_env() | {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(paths.PROJECT)])}
    result = subprocess.run([sys.executable, "-m", "bot.assistant", "--model", str(tmp_path / "none.tar.gz")],
                            cwd=paths.PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "rasa: installed 3.7.0, patches written for 3.6.21" in result.stderr
    assert patches.mismatches() == []  # and this process runs the pinned ones


@pytest.mark.server
def test_the_running_assistant_keeps_its_token_and_files_private(servers) -> None:
    command_line = Path(f"/proc/{servers.pid('rasa')}/cmdline").read_bytes().decode()
    assert servers.auth_token not in command_line
    assert "bot.assistant" in command_line
    for path in servers.tracker_db.parent.glob(servers.tracker_db.name + "*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_only_known_patches_can_be_left_out() -> None:
    with pytest.raises(ValueError, match="no such patch"):
        patches.install(skip=["no_such_patch"])


@pytest.mark.server
def test_without_a_loaded_model_the_assistant_is_not_ready(tmp_path) -> None:
    """Rasa listens even when its model cannot be loaded; the readiness check says 503 until one is."""
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    servers = Servers(model=broken, rasa_port=free_port(), tracker_db=tmp_path / "tracker.db")
    process = subprocess.Popen(list(servers.rasa_program().command), cwd=paths.PROJECT, env=servers.env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while (answer := status(f"{servers.rasa_url}/webhooks/rest/")) is None:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.5)
        assert answer == 503
        assert status(f"{servers.rasa_url}/") == 200  # alive (the liveness check), not ready
    finally:
        stop_process_group(process)


def status(url: str) -> int | None:
    """The HTTP status of GET `url`; None while nothing listens."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None
