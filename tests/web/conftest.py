"""Fixtures for the web widget: the widget app (and a stand-in Rasa) as real processes on free ports.

The widget talks to Rasa from the browser, so Rasa must accept the widget's origin: the session-wide
assistant (`servers`, tests/conftest.py) is started with `web_origin` set to `widget_origin`, and
`widget` here serves the page on that origin's port (`web_port`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import paths
from bot.processes import stop_process_group
from tests.fakes.net import free_port

OUTPUT = paths.PROJECT / "test-output" / "web"
HERE = Path(__file__).parent


@dataclass
class Process:
    url: str
    process: subprocess.Popen

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")


def _wait(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{process.args} did not answer at {url}; see {log}")
        time.sleep(0.2)


def _start(name: str, command: list[str], health_url: str) -> subprocess.Popen:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log = OUTPUT / f"{name}.log"
    env = dict(os.environ, PYTHONPATH=str(paths.PROJECT))
    process = subprocess.Popen(command, cwd=paths.PROJECT, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    _wait(health_url, process, log)
    return process


def _widget(name: str, port: int, rasa_url: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "bot.web", "--host", "127.0.0.1", "--port", str(port),
               "--rasa-url", rasa_url]
    return _start(name, command, f"http://127.0.0.1:{port}/health")


@pytest.fixture(scope="session")
def widget(servers, web_port: int, widget_origin: str) -> Iterator[Process]:
    """The widget app on `web_port`, pointing residents' browsers at the running assistant."""
    process = _widget("widget", web_port, servers.rasa_url)
    try:
        yield Process(f"{widget_origin}/", process)
    finally:
        stop_process_group(process)


@pytest.fixture(scope="session")
def page_only() -> Iterator[Process]:
    """The widget app alone (no assistant behind it): enough for what the page and bundle are."""
    port = free_port()
    process = _widget("widget-page-only", port, f"http://127.0.0.1:{free_port()}")
    try:
        yield Process(f"http://127.0.0.1:{port}/", process)
    finally:
        stop_process_group(process)


@pytest.fixture(scope="session")
def hostile_widget() -> Iterator[Process]:
    """The widget app talking to tests/web/fake_rasa.py, whose every answer is hostile markup."""
    web, rasa = free_port(), free_port()
    fake = _start("fake-rasa", [sys.executable, str(HERE / "fake_rasa.py"), "--port", str(rasa),
                                "--origin", f"http://127.0.0.1:{web}"],
                  f"http://127.0.0.1:{rasa}/socket.io/?EIO=4&transport=polling")
    try:
        process = _widget("widget-hostile", web, f"http://127.0.0.1:{rasa}")
        try:
            yield Process(f"http://127.0.0.1:{web}/", process)
        finally:
            stop_process_group(process)
    finally:
        stop_process_group(fake)
