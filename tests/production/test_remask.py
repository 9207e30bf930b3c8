"""`python -m bot.privacy remask` on databases an older version wrote, on SQLite and PostgreSQL.

The "older version" is Rasa's own SQL tracker store (no masking at all) and rows put into the staff
database as the first version did; the command runs as the operator would run it, and the real
rows are read afterwards.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import paths
from bot.endpoints import drop_database, ensure_database
from bot.model import quiet_env
from bot.privacy.normalise import view
from bot.requests.store import DRAFT_LIFETIME, StaffStore, callback_drafts, callback_requests, ratings, utc_now

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
SENDER = "older-version"
# What residents typed, stored in clear by the older version; and what must be gone afterwards.
TURNS = [("我的身份证是11010519491231002X", "110105********002X"),
         ("手机１３９ ０５３１ ８７６５，邮箱zhang.san@example.com", "z********@example.com"),
         ("座机0531-87654321", "0531-****4321"),
         ("370102199003", "370102******"),  # an ID in two messages
         ("071238", "**1238")]
PHONE_ANSWER = "1 3 8 1 2 3 4 8 0 0 0"  # an answer to the callback form's phone question
RAW = ["11010519491231002X", "13905318765", "zhang.san", "053187654321", "370102199003", "071238", "1381234"]


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path: Path) -> Iterator[tuple[str, dict, str]]:
    """(tracker URL, Rasa store arguments, staff URL), empty."""
    if request.param == "sqlite":
        yield (f"sqlite:///{tmp_path / 'tracker.db'}", {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")},
               f"sqlite:///{tmp_path / 'staff.db'}")
        return
    suffix = uuid.uuid4().hex[:10]
    tracker, staff = f"{POSTGRES}/remask_tracker_{suffix}", f"{POSTGRES}/remask_staff_{suffix}"
    ensure_database(tracker)
    ensure_database(staff)
    try:
        yield tracker, {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "username": "postgres",
                        "db": tracker.rsplit("/", 1)[1]}, staff
    finally:
        drop_database(tracker)
        drop_database(staff)


def write_as_older_version(store_kwargs: dict, staff_url: str) -> None:
    domain = Domain.load(str(paths.DOMAIN))
    store = SQLTrackerStore(domain, **store_kwargs)
    tracker = DialogueStateTracker(SENDER, domain.slots)
    now = time.time()
    for text, _ in TURNS:
        tracker.update(UserUttered(text, {"name": "faq", "confidence": 0.9}, timestamp=now))
        tracker.update(BotUttered(f"没有找到“{text}”相关的事项。", timestamp=now))
        tracker.update(ActionExecuted("action_listen", timestamp=now))
    tracker.update(SlotSet("requested_slot", "callback_phone", timestamp=now))
    tracker.update(UserUttered(PHONE_ANSWER, {"name": "out_of_scope", "confidence": 0.9}, timestamp=now))
    tracker.update(SlotSet("callback_phone", "13812348000", timestamp=now))
    asyncio.run(store.save(tracker))
    store.engine.dispose()

    staff = StaffStore(staff_url)
    staff.save_draft("fresh", "13700002222")
    with staff._transaction() as connection:
        connection.execute(callback_requests.insert().values(
            conversation_id=SENDER, topic="人才落户", description="回电13905318765，身份证11010519491231002X",
            phone="13812348000", status="open", created_at=utc_now()))
        connection.execute(ratings.insert().values(conversation_id=SENDER, level=1, created_at=utc_now(),
                                                   comment="打0531-87654321没人接"))
        expired = utc_now() - DRAFT_LIFETIME - timedelta(hours=1)
        connection.execute(callback_drafts.insert().values(conversation_id="abandoned", phone="13700001111",
                                                           created_at=expired))
    staff.close()


def remask(tracker: str, staff: str, *extra: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot.privacy", "remask", "--tracker", tracker, "--staff", staff,
                             *extra], cwd=paths.PROJECT, env=quiet_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def tracker_rows(url: str) -> list[dict]:
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT data FROM events ORDER BY id")).scalars().all()
    finally:
        engine.dispose()
    return [json.loads(row) for row in rows]


def raw_left(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        normal = view(text).text
        digits = "".join(c for c in normal if c.isdigit() or c in "Xx")
        found += [raw for raw in RAW if raw in (normal if raw.isalpha() or "." in raw else digits)]
    return found


def test_remask_masks_what_an_older_version_stored(databases) -> None:
    tracker, store_kwargs, staff = databases
    write_as_older_version(store_kwargs, staff)
    before = tracker_rows(tracker)
    assert raw_left([json.dumps(row, ensure_ascii=False) for row in before])

    dry = remask(tracker, staff, "--dry-run")
    assert re.search(r"events read, [1-9]\d* would change", dry) and tracker_rows(tracker) == before

    done = remask(tracker, staff)
    assert re.search(r"events read, [1-9]\d* changed", done) and "drafts purged" in done
    rows = tracker_rows(tracker)
    assert raw_left([json.dumps(row, ensure_ascii=False) for row in rows]) == []
    user_texts = [row["text"] for row in rows if row["event"] == "user"]
    for (_, masked), text in zip(TURNS, user_texts, strict=False):
        assert masked in text, (masked, text)
    assert user_texts[-1].replace(" ", "").endswith("8000") and "尾号" not in user_texts[-1]
    assert {row["value"] for row in rows if row.get("name") == "callback_phone"} == {"138****8000"}

    store = StaffStore(staff)
    try:
        [request] = store.callback_requests()
        [rating] = store.ratings()
        assert raw_left([request.description, rating.comment]) == []
        assert request.phone == "13812348000"  # staff call it: the one number kept in full
        with store._transaction() as connection:
            drafts = connection.execute(sa.select(callback_drafts.c.conversation_id)).scalars().all()
        assert drafts == ["fresh"]  # the expired one is purged, the fresh one kept
    finally:
        store.close()

    again = remask(tracker, staff)
    assert "0 changed" in again and tracker_rows(tracker) == rows
