"""The Redis ticket lock (bot/lock_store.py) against the real Redis, several 'instances' at once,
one of them killed, or cut off from Redis by a TCP proxy."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot import paths
from bot.lock_store import ConcurrentRedisLockStore
from tools.tcp_proxy import TcpProxy

pytestmark = pytest.mark.redis

PREFIX = "shizhongtest"


def store(port: int = 6379, **settings: object) -> ConcurrentRedisLockStore:
    """A lock store as Rasa creates it from endpoints (bot/endpoints.py), with its own client."""
    config = EndpointConfig(url="127.0.0.1", type="bot.lock_store.ConcurrentRedisLockStore",
                            port=port, db=0, key_prefix=PREFIX, **settings)
    created = LockStore.create(config)
    assert isinstance(created, ConcurrentRedisLockStore)
    return created


@pytest.fixture
def conversation() -> Iterator[str]:
    name = f"lock-test-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis(host="127.0.0.1")
    client.delete(*(client.keys(f"{PREFIX}:lock:{name}*") or [f"{PREFIX}:lock:{name}"]))
    client.close()


def test_tickets_taken_at_once_by_many_processes_are_all_different(conversation) -> None:
    stores, numbers = [store() for _ in range(8)], []
    start = threading.Barrier(len(stores))

    def take(lock_store: ConcurrentRedisLockStore) -> None:
        start.wait()
        numbers.extend(lock_store.issue_ticket(conversation) for _ in range(25))

    threads = [threading.Thread(target=take, args=(lock_store,)) for lock_store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 201))
    lock = stores[0].get_lock(conversation)
    assert [ticket.number for ticket in lock.tickets] == list(range(1, 201)) and lock.now_serving == 1


def test_holders_never_overlap_and_go_in_ticket_order(conversation) -> None:
    inside, order = [], []

    async def message(lock_store: ConcurrentRedisLockStore, number: int) -> None:
        async with lock_store.lock(conversation, wait_time_in_seconds=0.01):
            inside.append(number)
            assert len(inside) == 1, inside  # nobody else holds it
            order.append(number)
            await asyncio.sleep(0.01)
            inside.remove(number)

    async def scenario() -> None:
        stores = [store(), store()]  # two instances
        await asyncio.gather(*(message(stores[number % 2], number) for number in range(12)))

    asyncio.run(scenario())
    assert sorted(order) == list(range(12))
    assert store().get_lock(conversation) is None  # every ticket released


def test_an_expired_ticket_no_longer_blocks(conversation) -> None:
    first, second = store(), store()
    first.issue_ticket(conversation, lock_lifetime=0.2)  # taken and never released (a crashed instance)
    ticket = second.issue_ticket(conversation)
    assert second.get_lock(conversation).is_locked(ticket)
    time.sleep(0.3)
    assert not second.get_lock(conversation).is_locked(ticket)
    second.update_lock(conversation)
    assert [t.number for t in second.get_lock(conversation).tickets] == [ticket]


def test_the_tickets_of_a_killed_instance_stop_blocking_when_its_heartbeat_ends(conversation) -> None:
    """An instance killed while it holds a ticket: its conversation goes on elsewhere after the
    owner's key expires (`owner_ttl`, 1 s here), not after the ticket's lifetime (60 s)."""
    taker = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from rasa.core.lock_store import LockError, LockStore
        from rasa.utils.endpoints import EndpointConfig
        store = LockStore.create(EndpointConfig(url="127.0.0.1", type="bot.lock_store.ConcurrentRedisLockStore",
                                                port=6379, db=0, key_prefix={PREFIX!r}, owner_ttl=1))
        print(store.issue_ticket({conversation!r}), flush=True)
        time.sleep(600)
    """)], cwd=paths.PROJECT, env={**os.environ, "PYTHONPATH": str(paths.PROJECT)}, stdout=subprocess.PIPE,
        text=True)
    try:
        held = int(taker.stdout.readline())
        other = store()
        ticket = other.issue_ticket(conversation)
        time.sleep(2)  # the taker's heartbeat keeps its ticket in force while it lives
        assert other.get_lock(conversation).now_serving == held
    finally:
        taker.send_signal(signal.SIGKILL)
        taker.wait()
    killed = time.monotonic()
    while other.get_lock(conversation).now_serving != ticket:
        assert time.monotonic() - killed < 5, "the dead owner's ticket still blocks"
        time.sleep(0.1)
    other.cleanup(conversation, ticket)
    assert other.get_lock(conversation) is None


def test_a_release_redis_missed_is_done_once_it_is_back(conversation, loop_thread) -> None:
    proxy = TcpProxy(loop_thread, "127.0.0.1", 6379)
    proxy.start()
    try:
        cut_off, direct = store(proxy.port), store()  # its owner key lives 10 s: only a release frees it
        ticket = cut_off.issue_ticket(conversation)
        proxy.cut()
        cut_off.cleanup(conversation, ticket)  # Redis unreachable: no error, the turn's answer goes out
        assert [t.number for t in direct.get_lock(conversation).tickets] == [ticket]
        with pytest.raises(LockError):
            cut_off.issue_ticket(conversation)  # a new turn fails (its channel apologises)
        proxy.restore()
        restored = time.monotonic()
        while direct.get_lock(conversation) is not None:
            assert time.monotonic() - restored < 3, "the ticket was not released after Redis came back"
            time.sleep(0.1)
    finally:
        proxy.cut()
