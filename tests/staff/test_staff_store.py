"""The staff database on both SQLite and PostgreSQL (the one running here), and the staff's
command line `python -m bot.requests` against it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import paths
from bot.model import quiet_env
from bot.requests.store import (
    DRAFT_LIFETIME,
    StaffStore,
    StaffStoreUnavailable,
    callback_drafts,
    purge_periodically,
    utc_now,
)
from tests.fakes.net import free_port

POSTGRES = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> Iterator[StaffStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'staff.db'}"
        yield StaffStore(url)
        return
    name = f"staff_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    staff = StaffStore(f"{POSTGRES}/{name}")
    try:
        yield staff
    finally:
        staff.close()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def test_a_request_needs_the_phone_given_in_its_conversation(store: StaffStore) -> None:
    assert store.submit_callback("c1", "人才落户", "想问材料") is None  # no number was given
    store.save_draft("c1", "13812345678")
    store.save_draft("c2", "053187654321")
    request = store.submit_callback("c1", "人才落户", "想问材料，身份证11010519491231002X", "rest")
    assert request is not None and request.phone == "13812345678" and request.status == "open"
    assert "11010519491231002X" not in request.description  # free text is stored masked
    assert store.submit_callback("c1", "again", "the draft was used up") is None
    assert [r.id for r in store.callback_requests()] == [request.id]
    assert store.callback_request(request.id) == request


def test_closing_keeps_the_first_closing(store: StaffStore) -> None:
    store.save_draft("c1", "13812345678")
    request = store.submit_callback("c1", "临时救助", "家里困难")
    closed = store.close_request(request.id, "已回电")
    assert closed.status == "closed" and closed.closing_note == "已回电" and closed.closed_at
    assert store.close_request(request.id, "again").closing_note == "已回电"
    assert store.callback_requests() == [] and len(store.callback_requests(None)) == 1
    assert store.close_request(999) is None


def test_ratings(store: StaffStore) -> None:
    store.add_rating("c1", 5, topic="talent_plan", channel="rest")
    store.add_rating("c2", 1, "太慢了 13812345678", "service:X1")
    assert [(r.level, r.label) for r in store.ratings()] == [(5, "非常满意"), (1, "非常不满意")]
    assert "13812345678" not in store.ratings()[1].comment
    with pytest.raises(ValueError):
        store.add_rating("c3", 6)


def test_drafts_expire_after_a_day(store: StaffStore) -> None:
    old = utc_now() - DRAFT_LIFETIME - timedelta(minutes=1)
    with store._transaction() as connection:
        connection.execute(callback_drafts.insert().values(conversation_id="old", phone="13700001111", created_at=old))
    store.save_draft("new", "13812345678")  # any draft saved purges the expired ones
    assert [conversation for conversation, _ in store.drafts()] == ["new"]
    with store._transaction() as connection:
        connection.execute(callback_drafts.insert().values(conversation_id="old", phone="13700001111", created_at=old))
    assert store.submit_callback("old", "人才落户", "想问材料") is None  # an expired draft is no number
    assert store.purge_expired_drafts() == 1 and [c for c, _ in store.drafts()] == ["new"]


def test_the_hourly_purge_runs_in_the_background(store: StaffStore) -> None:
    with store._transaction() as connection:
        connection.execute(callback_drafts.insert().values(
            conversation_id="old", phone="13700001111", created_at=utc_now() - DRAFT_LIFETIME - timedelta(seconds=1)))
    stop = threading.Event()
    thread = purge_periodically(store, interval=0.1, stop=stop)
    deadline = time.monotonic() + 10
    while store.drafts() and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(timeout=10)
    assert store.drafts() == [] and not thread.is_alive()


def test_a_request_keeps_the_name_given_masked_like_free_text(store: StaffStore) -> None:
    store.save_draft("c1", "13812345678")
    request = store.submit_callback("c1", "人才落户", "想问材料", name="王先生 13900001111")
    assert request.name == "王先生 139****1111" and store.callback_request(request.id).name == request.name
    store.save_draft("c2", "13812345678")
    assert store.submit_callback("c2", "人才落户", "想问材料", name="").name is None


def test_a_database_of_the_first_version_gains_the_name_column(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:  # callback_requests as the first version made it
        connection.exec_driver_sql(
            "CREATE TABLE callback_requests (id INTEGER PRIMARY KEY, conversation_id VARCHAR(255) NOT NULL, "
            "channel VARCHAR(64), topic VARCHAR(500) NOT NULL, description TEXT NOT NULL, phone VARCHAR(32) NOT NULL, "
            "status VARCHAR(16) NOT NULL, created_at DATETIME NOT NULL, closed_at DATETIME, closing_note TEXT)")
        connection.exec_driver_sql(
            "INSERT INTO callback_requests (conversation_id, topic, description, phone, status, created_at) "
            "VALUES ('c0', '人才', '旧的', '13812345678', 'open', '2026-01-01 00:00:00.000000')")
    engine.dispose()
    store = StaffStore(url)
    store.save_draft("c1", "13812345678")
    assert store.submit_callback("c1", "人才落户", "想问材料", name="李女士").name == "李女士"
    assert [r.name for r in store.callback_requests()] == [None, "李女士"]
    store.close()


def test_a_database_that_is_down_is_reported_not_hung() -> None:
    store = StaffStore(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")
    with pytest.raises(StaffStoreUnavailable):
        store.save_draft("c1", "13812345678")


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.requests", "--database", url, *args], cwd=paths.PROJECT,
                          env=quiet_env(), capture_output=True, text=True, timeout=120)


def test_staff_list_show_and_close_requests(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    store = StaffStore(url)
    store.save_draft("conversation-a", "13812345678")
    first = store.submit_callback("conversation-a", "人才落户", "硕士落户要什么材料")
    store.save_draft("conversation-b", "053187654321")
    second = store.submit_callback("conversation-b", "临时救助", "申请临时救助")
    store.close()

    listed = run_cli(url, "list")
    assert listed.returncode == 0, listed.stderr
    assert "13812345678" in listed.stdout and "053187654321" in listed.stdout and "共 2 条" in listed.stdout

    closed = run_cli(url, "close", str(first.id), "--note", "已回电解答")
    assert closed.returncode == 0 and "已办结" in closed.stdout and "已回电解答" in closed.stdout
    listed = run_cli(url, "list")
    assert "13812345678" not in listed.stdout and f"{second.id:>6}" in listed.stdout
    assert "13812345678" in run_cli(url, "list", "--all").stdout

    shown = run_cli(url, "show", str(second.id))
    assert "conversation-b" in shown.stdout and "申请临时救助" in shown.stdout
    missing = run_cli(url, "close", "999")
    assert missing.returncode == 1 and "999" in missing.stderr
    down = run_cli(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing", "list")
    assert down.returncode == 2 and "无法连接" in down.stderr
