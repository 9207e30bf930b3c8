"""Faults: the database behind the catalogue goes down, end to end.

An assistant of this module's own whose action server reads the catalogue from PostgreSQL
through a TCP proxy (tools/tcp_proxy.py) in front of the real server: cutting the proxy
drops the action server's connections and refuses new ones, as a crashed database would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import paths
from bot.catalogue.text import UNAVAILABLE
from bot.endpoints import drop_database, ensure_database
from bot.serve import Servers
from tests.production.conftest import Rest, guarded_credentials, new_sender
from tools.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.server, pytest.mark.postgres]

QUESTION = "临时救助在哪申请"


@pytest.fixture(scope="module")
def catalogue_database() -> Iterator[str]:
    """A PostgreSQL database with the catalogue built into it (as `python -m bot.catalogue build`)."""
    name = f"catalogue_fault_{uuid.uuid4().hex[:10]}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    ensure_database(url)
    try:
        subprocess.run([sys.executable, "-m", "bot.catalogue", "build", "--url", url],
                       cwd=paths.PROJECT, env={**os.environ, "PYTHONPATH": str(paths.PROJECT)},
                       check=True, capture_output=True)
        yield name
    finally:
        drop_database(url)


@pytest.fixture(scope="module")
def proxy(loop_thread) -> Iterator[TcpProxy]:
    running = TcpProxy(loop_thread, "127.0.0.1", 5432)
    running.start()
    yield running
    running.cut()


@pytest.fixture(scope="module")
def own(trained_model: Path, catalogue_database: str, proxy: TcpProxy,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Our assistant, its catalogue on PostgreSQL behind the proxy."""
    from tests.fakes.net import free_port

    folder = tmp_path_factory.mktemp("catalogue-fault")
    url = f"postgresql://postgres@127.0.0.1:{proxy.port}/{catalogue_database}"
    running = Servers(model=trained_model, rasa_port=free_port(), actions_port=free_port(),
                      tracker_db=folder / "tracker.db", log_dir=folder / "logs",
                      extra_env={"CATALOGUE_DATABASE_URL": url}, credentials=guarded_credentials(folder))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_the_catalogue_is_read_through_the_proxy(own: Servers, proxy: TcpProxy) -> None:
    before = proxy.connections
    answer = Rest(own.rasa_url).reply(QUESTION)
    assert "临时救助" in answer and "来源：市中区政务服务事项目录" in answer, answer
    assert proxy.connections >= 1 and proxy.connections >= before


def test_catalogue_database_down_gets_an_apology_naming_12345_then_recovers(own: Servers,
                                                                          proxy: TcpProxy) -> None:
    rest, sender = Rest(own.rasa_url), new_sender("catalogue-down")
    assert "临时救助" in rest.reply(QUESTION, sender)
    proxy.cut()
    try:
        started = time.monotonic()
        down = rest.send(QUESTION, sender)
        assert down.status == 200, down
        assert down.text == UNAVAILABLE and "12345" in down.text, down.text
        assert time.monotonic() - started < 10  # said quickly, not after a hang
        # answers that need no catalogue still work meanwhile
        assert "经纬人才" in rest.reply("经纬人才计划讲的是啥", sender)
    finally:
        proxy.restore()
    again = rest.reply(QUESTION, sender)
    assert "临时救助" in again and "来源：市中区政务服务事项目录" in again, again
