"""A tracker store that cannot reach its database fails the turn (bot/patches/tracker_failures.py)
instead of Rasa's fallback to an empty or in-memory conversation; once the database is back, the
first read works (the pool's broken connections are replaced, bot/privacy/tracker_store.py).

The masking store on the real PostgreSQL, through a TCP proxy that is cut as a crashed database would be.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
import rasa.core.agent
import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import paths
from bot.endpoints import drop_database, ensure_database
from bot.patches import tracker_failures
from bot.privacy.tracker_store import MaskingSQLTrackerStore
from tools.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy(loop_thread) -> Iterator[TcpProxy]:
    running = TcpProxy(loop_thread, "127.0.0.1", 5432)
    running.start()
    yield running
    running.cut()


@pytest.fixture
def store(proxy: TcpProxy) -> Iterator[MaskingSQLTrackerStore]:
    name = f"failures_test_{uuid.uuid4().hex[:10]}"
    ensure_database(f"postgresql://postgres@127.0.0.1:5432/{name}")
    created = MaskingSQLTrackerStore(domain=Domain.load(str(paths.DOMAIN)), dialect="postgresql", host="127.0.0.1",
                                     port=proxy.port, username="postgres", db=name)
    yield created
    created.engine.dispose()
    drop_database(f"postgresql://postgres@127.0.0.1:5432/{name}")


def stored_turn(store: MaskingSQLTrackerStore, sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, store.domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("经纬人才计划讲的啥", {"name": "ask_knowledge", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    return tracker


def test_the_installed_wrapper_raises_where_rasa_falls_back(store: MaskingSQLTrackerStore, proxy: TcpProxy) -> None:
    tracker_failures.install()
    assert tracker_failures.installed() and rasa.core.agent.FailSafeTrackerStore is tracker_failures.StrictTrackerStore
    sender = f"failures-{uuid.uuid4().hex[:8]}"
    tracker = stored_turn(store, sender)
    strict = Agent._create_tracker_store(store, store.domain)
    rasa_own = FailSafeTrackerStore(store)
    proxy.cut()
    try:
        started = time.monotonic()
        with pytest.raises(sa.exc.OperationalError):
            asyncio.run(strict.retrieve(sender))
        with pytest.raises(sa.exc.OperationalError):
            asyncio.run(strict.save(tracker))
        assert time.monotonic() - started < 10  # refused at once, not after a TCP timeout
        # Rasa's own wrapper: no conversation (the turn would start from nothing), the save kept in memory
        assert asyncio.run(rasa_own.retrieve(sender)) is None
        asyncio.run(rasa_own.save(tracker))
    finally:
        proxy.restore()
    # the database back: the very next read works, on a new connection
    events = asyncio.run(strict.retrieve(sender)).events
    assert [event.text for event in events if isinstance(event, UserUttered)] == ["经纬人才计划讲的啥"]
