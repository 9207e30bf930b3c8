"""Faults: the action server down, and the assistant killed mid-conversation.

An assistant of this module's own (own ports, tracker database and logs, the guarded REST channel
wired as in credentials.yml), since these tests stop and restart its processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.guard import replies
from tests.production.conftest import GuardedServers, Rest, new_sender, start_own

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def own(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuardedServers]:
    running = start_own(tmp_path_factory.mktemp("faults"), trained_model)
    try:
        yield running
    finally:
        running.stop()


def stop(servers: GuardedServers, name: str, sig: signal.Signals = signal.SIGTERM) -> None:
    process = servers.processes[name]
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_action_server_down_gets_an_apology_naming_12345_then_recovers(own: GuardedServers) -> None:
    rest, sender = Rest(own.rasa_url), new_sender("actions-down")
    assert "临时救助" in rest.reply("临时救助在哪申请", sender)
    stop(own, "actions")
    try:
        down = rest.send("临时救助在哪申请", sender)
        assert down.status == 200, down
        assert down.text == replies.UNAVAILABLE and "12345" in down.text, down.text
        # answers that need no custom action still work meanwhile
        assert "市中区" in rest.reply("您好", sender)
    finally:
        own.start_actions()
        own.wait_until_up()
    again = rest.reply("临时救助在哪申请", sender)
    assert "临时救助" in again and "来源：市中区政务服务事项目录" in again, again


def test_the_conversation_survives_a_killed_assistant(own: GuardedServers) -> None:
    rest, sender = Rest(own.rasa_url), new_sender("restart")
    assert "人才落户" in rest.reply("人才落户在哪办", sender)
    stop(own, "rasa", signal.SIGKILL)
    started = time.monotonic()
    own.start_rasa()
    own.wait_until_up()
    follow_up = rest.reply("要带什么材料", sender)
    assert "人才落户" in follow_up and "申请材料" in follow_up, (follow_up, time.monotonic() - started)
