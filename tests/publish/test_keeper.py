"""The keeper hands one instance's port over to a new process: no request refused or dropped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot import paths
from bot.model import quiet_env
from bot.processes import alive, free_port, stop_process_group
from bot.publish.instances import InstancesError, KeeperHandle
from bot.publish.switch import wait_answering
from tests.fakes.load import Load

FAKE = Path(__file__).with_name("fake_assistant.py")


def post(url: str) -> str:
    body = json.dumps({"sender": "t", "message": "x"}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json", "Connection": "close"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())[0]["text"]


def load(url: str, clients: int = 3) -> Load:
    """Clients asking all the time, each request on a new connection; what each got."""
    return Load(lambda _turn: post(url), clients)


@pytest.fixture
def keeper(tmp_path: Path):
    port, state = free_port(), tmp_path / "keeper.json"
    link = tmp_path / "live"
    link.symlink_to("release-a")
    env = quiet_env() | {"PYTHONPATH": str(paths.PROJECT), "FAKE_START_SECONDS": "3",
                         "FAKE_FAIL_FILE": str(tmp_path / "fail")}
    process = subprocess.Popen([sys.executable, "-m", "bot.publish.keeper", "--port", str(port), "--state", str(state),
                                "--release-link", str(link), "--", sys.executable, str(FAKE)],
                               cwd=paths.PROJECT, env=env, start_new_session=True)
    handle, url = KeeperHandle(state), f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not (state.exists() and handle.state().get("state") == "serving"):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    yield handle, url, link, tmp_path
    stop_process_group(process)


def test_a_hand_over_under_load_fails_no_request(keeper) -> None:
    handle, url, link, _ = keeper
    first = handle.state()["child"]
    assert post(url) == str(first)
    link.unlink()
    link.symlink_to("release-b")
    with load(url) as asked:
        time.sleep(1)
        handle.hand_over("release-b", timeout=120, say=lambda _: None)
        time.sleep(1)
    second = handle.state()["child"]
    assert second != first and handle.state()["release"] == "release-b"
    assert asked.errors == [] and len(asked.answers) > 20
    assert str(first) in asked.answers and str(second) in asked.answers  # served by both, in turn
    assert asked.answers[-1] == str(second)
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)  # the old one has gone


def test_a_new_process_that_fails_leaves_the_old_one_serving(keeper) -> None:
    handle, url, _, folder = keeper
    first = handle.state()["child"]
    (folder / "fail").touch()
    with load(url, clients=2) as asked:
        with pytest.raises(InstancesError, match="启动失败"):
            handle.hand_over("release-a", timeout=120, say=lambda _: None)
    assert asked.errors == [] and set(asked.answers) == {str(first)}
    assert handle.state()["child"] == first


def test_a_child_that_dies_is_started_again(keeper) -> None:
    handle, url, _, _ = keeper
    first = handle.state()["child"]
    os.killpg(first, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while handle.state().get("child") == first or handle.state().get("state") != "serving":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert post(url) == str(handle.state()["child"])


def test_a_killed_keeper_takes_its_child_along_so_a_new_keeper_gets_the_port(keeper) -> None:
    """supervisord starts the keeper again when it is killed outright: its child (a session of
    its own) must not live on holding the port, unmanaged."""
    handle, url, link, folder = keeper
    child = handle.state()["child"]
    os.kill(handle.state()["keeper"], signal.SIGKILL)
    deadline = time.monotonic() + 15
    while alive(child):
        assert time.monotonic() < deadline, "the keeper's child outlived it"
        time.sleep(0.2)
    state = folder / "keeper-again.json"
    env = quiet_env() | {"PYTHONPATH": str(paths.PROJECT), "FAKE_START_SECONDS": "1"}
    again = subprocess.Popen([sys.executable, "-m", "bot.publish.keeper", "--port", url.rsplit(":", 1)[1],
                              "--state", str(state), "--release-link", str(link), "--", sys.executable, str(FAKE)],
                             cwd=paths.PROJECT, env=env, start_new_session=True)
    try:
        handle = KeeperHandle(state)
        while not (state.exists() and handle.state().get("state") == "serving"):
            assert again.poll() is None and time.monotonic() < deadline + 60
            time.sleep(0.2)
        assert post(url) == str(handle.state()["child"])
    finally:
        stop_process_group(again)


def test_a_connection_made_just_before_a_stop_gets_its_answer(tmp_path: Path) -> None:
    """Stopping, Sanic closes the connections it finds idle — also one accepted a moment before
    whose request is still on its way (bot/patches/inherited_socket.py): that request is answered."""
    port = free_port()
    env = quiet_env() | {"PYTHONPATH": str(paths.PROJECT), "FAKE_PORT": str(port), "FAKE_START_SECONDS": "0"}
    process = subprocess.Popen([sys.executable, str(FAKE)], cwd=paths.PROJECT, env=env, start_new_session=True)
    try:
        wait_answering(f"http://127.0.0.1:{port}")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            time.sleep(0.2)  # accepted, nothing sent yet
            os.kill(process.pid, signal.SIGTERM)
            time.sleep(0.3)  # the server is stopping
            body = json.dumps({"sender": "t", "message": "x"}).encode()
            connection.sendall(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
                               + b"\r\n\r\n" + body)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200") and str(process.pid).encode() in answer
        assert process.wait(timeout=30) is not None  # and it stops
    finally:
        stop_process_group(process)
