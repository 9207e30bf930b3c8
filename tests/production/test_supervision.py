"""supervisord as we run it (bot/supervision.py), with small real programs and real signals: a
killed program comes back and the others are not touched, one that keeps failing backs off and is
given up, and stopping (or losing the launcher) leaves no process behind."""

from __future__ import annotations

import configparser
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import paths
from bot.processes import alive
from bot.serve import Servers, wait_until_answering
from bot.supervision import Program, SupervisionError, Supervisor, config_text
from tests.fakes.net import free_port


def http_server(name: str, port: int, **options) -> Program:
    """A program answering GET / on `port` (Python's own http.server)."""
    return Program(name, [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                   start_seconds=1, **options)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, timeout: float = 20, what: str = "") -> float:
    """Seconds until `condition()` held; fails the test after `timeout`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"not within {timeout} s: {what}"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture
def ports() -> tuple[int, int]:
    return free_port(), free_port()


@pytest.fixture
def supervised(tmp_path: Path, ports: tuple[int, int]) -> Iterator[Supervisor]:
    running = Supervisor(tmp_path / "run", [http_server("first", ports[0]), http_server("second", ports[1])],
                         log_dir=tmp_path / "logs")
    running.start()
    try:
        wait_until_answering([f"http://127.0.0.1:{port}/" for port in ports], running, timeout=30)
        yield running
    finally:
        running.stop()


def test_the_config_restarts_each_program_in_its_own_group_privately(tmp_path: Path) -> None:
    program = Program("web-1", ["python", "-c", "print('100%')"], environment={"SANIC_WORKERS": "1"},
                      start_seconds=7, autostart=False)
    text = config_text([program], tmp_path, tmp_path / "s.sock", "secret", log_dir=tmp_path / "logs")
    config = configparser.ConfigParser()  # as supervisord reads it: %(...)s expanded, %% is one %
    config.read_string(text)
    section = config["program:web-1"]
    assert section["command"] == "python -c 'print('\"'\"'100%'\"'\"')'"
    assert (section["autorestart"], section["autostart"], section["startsecs"]) == ("true", "false", "7")
    assert section["stopasgroup"] == section["killasgroup"] == "true"
    assert section["umask"] == "077" and section["environment"] == 'SANIC_WORKERS="1"'
    assert section["stdout_logfile"] == str(tmp_path / "logs" / "web-1.log")
    assert config["supervisord"]["nodaemon"] == "true"
    assert config["unix_http_server"]["chmod"] == "0700"
    with pytest.raises(ValueError):
        config_text([program, program], tmp_path, tmp_path / "s.sock", "secret")
    with pytest.raises(ValueError):
        config_text([Program("a", ["x"], environment={"A": 'say "hi"'})], tmp_path, tmp_path / "s.sock", "x")


def test_no_secret_reaches_the_config_and_it_is_the_owners_only(tmp_path: Path) -> None:
    servers = Servers(model=tmp_path / "model.tar.gz", auth_token="token-that-must-not-leak",
                      extra_env={"WECHAT_SECRET": "wechat-secret-that-must-not-leak"}, with_web=True)
    supervisor = Supervisor(tmp_path / "run", servers.programs(), env=servers.env())
    config = supervisor.write_config()
    text = config.read_text()
    assert "token-that-must-not-leak" not in text and "wechat-secret-that-must-not-leak" not in text
    assert "--auth-token-file" in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700


def test_a_killed_program_comes_back_and_the_others_are_not_touched(supervised: Supervisor,
                                                                    ports: tuple[int, int]) -> None:
    first, second = supervised.pid("first"), supervised.pid("second")
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: supervised.pid("first") not in (0, first), what="first restarted")
    wait_for(lambda: answers(ports[0]), what="first answers again")
    assert supervised.pid("second") == second and answers(ports[1])
    log = (supervised.folder / "supervisord.log").read_text()
    assert "exited: first (terminated by SIGKILL; not expected)" in log
    # every program runs with umask 077 and in a process group of its own
    status = Path(f"/proc/{supervised.pid('first')}/status").read_text()
    assert "Umask:\t0077" in status
    assert os.getpgid(supervised.pid("first")) == supervised.pid("first")


def test_a_program_that_keeps_failing_backs_off_and_is_given_up(tmp_path: Path) -> None:
    failing = Program("failing", [sys.executable, "-c", "import sys; sys.exit(3)"], start_seconds=1,
                      start_retries=2)
    port = free_port()
    supervisor = Supervisor(tmp_path / "run", [failing, http_server("fine", port)], log_dir=tmp_path / "logs")
    supervisor.start()
    try:
        started = time.monotonic()
        with pytest.raises(SupervisionError, match="gave up on failing"):
            wait_until_answering([f"http://127.0.0.1:{free_port()}/"], supervisor, timeout=60)
        log = (supervisor.folder / "supervisord.log").read_text()
        assert log.count("exited: failing (exit status 3; not expected)") == 3
        assert "gave up: failing entered FATAL state" in log
        assert time.monotonic() - started >= 3  # 1 s, then 2 s of back-off between the three tries
        assert answers(port)  # and the other program serves on
    finally:
        supervisor.stop()


def test_stopping_leaves_no_process_behind(tmp_path: Path) -> None:
    # a program with a child of its own, as Sanic's workers or nginx's are
    child_file = tmp_path / "child.pid"
    program = Program("parent", ["bash", "-c", f"sleep 600 & echo $! > {child_file}; wait"], start_seconds=1)
    supervisor = Supervisor(tmp_path / "run", [program])
    supervisor.start()
    try:
        wait_for(lambda: child_file.exists() and child_file.read_text().strip(), what="child started")
        parent, child = supervisor.pid("parent"), int(child_file.read_text())
        supervisord = supervisor.process.pid
    finally:
        supervisor.stop()
    assert not any(alive(pid) for pid in (parent, child, supervisord))


def test_a_killed_supervisord_leaves_no_program_behind(supervised: Supervisor) -> None:
    pids = [supervised.pid("first"), supervised.pid("second")]
    os.kill(supervised.process.pid, signal.SIGKILL)
    supervised.stop()
    wait_for(lambda: not any(alive(pid) for pid in pids), timeout=5, what="programs gone")


def test_a_killed_launcher_takes_supervisord_and_its_programs_along(tmp_path: Path) -> None:
    port = free_port()
    launcher = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from bot.supervision import Program, Supervisor
        program = Program("web", [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "{port}"])
        supervisor = Supervisor(Path({str(tmp_path / "run")!r}), [program], quiet=True)
        supervisor.start()
        print(supervisor.process.pid, flush=True)
        time.sleep(600)
    """)], cwd=paths.PROJECT, env={**os.environ, "PYTHONPATH": str(paths.PROJECT)}, stdout=subprocess.PIPE,
        text=True)
    try:
        supervisord = int(launcher.stdout.readline())
        wait_for(lambda: answers(port), what="the program answers")
        web = Supervisor.attach(tmp_path / "run" / "supervisord.conf").pid("web")
    finally:
        launcher.kill()
        launcher.wait()
    wait_for(lambda: not alive(supervisord) and not alive(web), timeout=30, what="supervisord and web gone")
