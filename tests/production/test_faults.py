"""Faults of a `make run` start: the launcher (`python -m bot.serve`) as an operator runs it, on
free ports, its processes killed with real signals.

A crashed process is started again by supervisord while the others keep serving: with the action
server gone residents get the apology naming 12345 (never silence), and answers again within
30 s; a killed assistant comes back with its conversations; Ctrl-C stops everything and leaves no
process behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import paths
from bot.guard import replies
from bot.processes import alive
from bot.publish.instances import SINGLE, KeeperHandle, RunningInstances
from bot.publish.releases import Releases
from bot.supervision import Supervisor
from tests.fakes.net import free_port
from tests.production.conftest import Rest, new_sender

pytestmark = pytest.mark.server

QUESTION = "临时救助在哪申请"
READY = "serve: up in"
START_SECONDS = 300


@dataclass
class Launched:
    process: subprocess.Popen
    output: Path
    rasa_url: str
    web_url: str
    supervisor: Supervisor
    folder: Path

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def answered(text: str) -> bool:
    return "临时救助" in text and "来源：市中区政务服务事项目录" in text


@pytest.fixture(scope="module")
def launched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    folder = tmp_path_factory.mktemp("serve")
    rasa_port, web_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(paths.PROJECT), "RASA_PORT": str(rasa_port),
           "ACTIONS_PORT": str(free_port()), "WEB_PORT": str(web_port), "CONSOLE_PORT": str(free_port()),
           "TRACKER_DB": str(folder / "tracker.db"), "RUN_FOLDER": str(folder / "run"),
           "STAFF_DATABASE_URL": f"sqlite:///{folder / 'staff.db'}",
           "TRACKER_STORE_URL": "", "REDIS_URL": "",
           "PUBLISH_RELEASES": str(folder / "releases"), "PUBLISH_INSTANCES_FILE": str(folder / "instances.json")}
    output = folder / "serve.log"
    with output.open("ab") as sink:
        process = subprocess.Popen([sys.executable, "-m", "bot.serve"], cwd=paths.PROJECT, env=env, stdout=sink,
                                   stderr=subprocess.STDOUT)
    started = time.monotonic()
    try:
        while READY not in output.read_text(encoding="utf-8", errors="replace"):
            assert process.poll() is None, output.read_text()[-3000:]
            assert time.monotonic() - started < START_SECONDS, output.read_text()[-3000:]
            time.sleep(0.5)
        yield Launched(process, output, f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}",
                       Supervisor.attach(folder / "run" / "supervisord.conf"), folder)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_killed_action_server_gets_apologies_never_silence_and_answers_again_within_30_s(
        launched: Launched) -> None:
    rest = Rest(launched.rasa_url)
    assert answered(rest.reply(QUESTION))
    others = {name: launched.supervisor.pid(name) for name in ("rasa", "web", "console")}
    os.kill(launched.supervisor.pid("actions"), signal.SIGKILL)
    killed, apologies = time.monotonic(), 0
    while True:
        reply = rest.send(QUESTION, new_sender("actions-killed"))  # each a first question, comparable
        assert reply.status == 200 and reply.text, reply  # never silence, never an error
        if answered(reply.text):
            break
        assert reply.text == replies.UNAVAILABLE and "12345" in reply.text, reply.text
        apologies += 1
        assert time.monotonic() - killed < 30, f"no answer 30 s after the kill ({apologies} apologies)"
        time.sleep(0.2)
    assert apologies >= 1  # the restart takes seconds: the first questions meet no action server
    assert {name: launched.supervisor.pid(name) for name in others} == others  # the others never stopped
    log = launched.log()
    assert "exited: actions (terminated by SIGKILL; not expected)" in log
    assert "spawned: 'actions'" in log.split("exited: actions (terminated by SIGKILL")[1]


def test_a_stopped_action_server_gets_the_apology_until_it_is_back(launched: Launched) -> None:
    rest, sender = Rest(launched.rasa_url), new_sender("actions-down")
    assert answered(rest.reply(QUESTION, sender))
    launched.supervisor.stop_program("actions")
    try:
        down = rest.send(QUESTION, sender)
        assert down.status == 200, down
        assert down.text == replies.UNAVAILABLE and "12345" in down.text, down.text
        # answers that need no custom action still work meanwhile
        assert "市中区" in rest.reply("您好", sender)
    finally:
        launched.supervisor.start_program("actions")
    again = rest.reply(QUESTION, sender)
    assert answered(again), again


def test_a_killed_assistant_comes_back_with_its_conversations(launched: Launched) -> None:
    rest, sender = Rest(launched.rasa_url), new_sender("restart")
    assert "人才落户" in rest.reply("人才落户在哪办", sender)
    os.kill(launched.supervisor.pid("rasa"), signal.SIGKILL)
    killed = time.monotonic()
    while True:
        try:
            follow_up = rest.reply("要带什么材料", sender)
            break
        except OSError:  # refused (or reset) until the model is loaded again
            assert time.monotonic() - killed < START_SECONDS, launched.log()[-3000:]
            time.sleep(0.5)
    assert "人才落户" in follow_up and "申请材料" in follow_up, follow_up
    assert "exited: rasa (terminated by SIGKILL; not expected)" in launched.log()


def test_make_run_serves_the_live_release_under_the_keeper_so_a_publish_reaches_it(launched: Launched) -> None:
    """The first start adopts the set-up's model as the live release; the assistant runs under
    the keeper on that link and is described to the publish job (docs/editors.md)."""
    releases = Releases(launched.folder / "releases")
    assert releases.live is not None and releases.live.manifest.kind == "adopted"
    running = RunningInstances.load(launched.folder / "instances.json")
    assert running is not None and running.kind == SINGLE and running.public_url == launched.rasa_url
    keeper, deadline = KeeperHandle(running.keeper_state), time.monotonic() + 60
    while keeper.state()["state"] != "serving":  # a keeper started again after the kill above
        assert time.monotonic() < deadline, keeper.state()
        time.sleep(0.2)
    assert keeper.state()["release"] == releases.live.id
    assert f"serving release {releases.live.id} adopts the set-up's model" in launched.log()


def test_ctrl_c_stops_everything_and_leaves_no_process_behind(launched: Launched) -> None:
    supervisord = int((launched.supervisor.folder / "supervisord.pid").read_text())
    groups = [info["pid"] for info in launched.supervisor.states().values() if info["pid"]]
    assert len(groups) == 4  # actions, rasa, web, console
    keeper = RunningInstances.load(launched.folder / "instances.json").keeper_state
    child = KeeperHandle(keeper).state()["child"]
    tree = [supervisord, *processes_in_groups(groups), child]  # the keeper's child: a session of its own
    launched.process.send_signal(signal.SIGINT)
    assert launched.process.wait(timeout=90) == 0, launched.log()[-3000:]
    left = [pid for pid in tree if alive(pid)]
    assert not left, left
    assert "serve: stopping" in launched.log()
    assert not (launched.folder / "instances.json").exists()  # no publish is sent to a stopped assistant


def processes_in_groups(groups: list[int]) -> list[int]:
    """Every process whose process group is one of `groups` (a program and what it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in groups:
                found.append(int(entry.name))
    return found

