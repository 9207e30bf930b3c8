"""Personal numbers sent to a running assistant are stored and logged masked, never in clear.

Every shape of issue 18 goes in over REST: full-width and grouped digits, dotted cards, 15-digit
IDs, an ID with a wrong check digit after "身份证", an ID split over two messages, landlines,
e-mail addresses, and a phone number given to the callback form. Then the real storage is read:
the shared assistant's SQLite tracker database and rasa.log (`servers`, tests/conftest.py), the
DEBUG log of one logging user text (`guarded`), and the PostgreSQL tracker store and staff
database of an assistant of this module's own. The masking rules themselves: test_masking.py.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.conversations import rest_conversation
from bot.endpoints import StoreURLs, drop_database, ensure_database
from bot.privacy.normalise import view
from bot.privacy.numbers import id_card_valid, luhn_valid
from bot.requests.store import StaffStore
from bot.serve import Servers
from tests.fakes.net import free_port
from tests.production.conftest import Rest, new_sender, postgres_events

pytestmark = pytest.mark.server

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
ID_CARD, ID_MASKED = "11010519491231002X", "110105********002X"
MOBILE, MOBILE_MASKED = "13905318765", "139****8765"
BANK_CARD, BANK_MASKED = "6222021234567894", "6222********7894"
SPLIT_ID = "370102199003071238"  # valid check digit, sent in two parts without a keyword
CALLBACK_PHONE = "13812348000"
# (message, the numbers in it that must never be stored or logged, as digits)
MESSAGES = [
    (f"我的身份证号是{ID_CARD}，人才落户要带什么材料", [ID_CARD]),
    (f"我的手机号{MOBILE}，临时救助在哪申请", [MOBILE]),
    (f"银行卡{BANK_CARD}", [BANK_CARD]),  # the whole message: the catalogue's "not found" echoes it
    (f"{MOBILE} {ID_CARD} {BANK_CARD}", [MOBILE, ID_CARD, BANK_CARD]),
    ("手机１３９ ０５３１ ８７６５", [MOBILE]),
    ("卡号 6222.0212.3456.7894", [BANK_CARD]),
    ("座机0531-87654321，邮箱zhang.san@example.com", ["053187654321", "zhang.san"]),
    ("身份证370102199003071239，能办社保卡吗", ["370102199003071239"]),  # wrong check digit
    ("老身份证370102900307123", ["370102900307123"]),  # 15 digits
]
# The description tells more than a field question (a short one about the service discussed last
# would be answered instead, the form asking again: tests/staff/test_handoff.py).
CALLBACK = ["我要留言", "人才落户", "我是硕士研究生，想问问落户市中区需要的材料和办理流程",
            f"电话{CALLBACK_PHONE}", "跳过", "确认提交"]
SPLIT = [("370102199003", ["370102199003"]), ("071238", ["071238"])]  # one ID in two messages


def test_the_numbers_are_what_they_claim_to_be() -> None:
    assert id_card_valid(ID_CARD) and id_card_valid(SPLIT_ID) and luhn_valid(BANK_CARD) and MOBILE[:2] == "13"
    assert not id_card_valid("370102199003071239")


def converse(rest: Rest) -> str:
    sender = new_sender("privacy")
    for message, _ in MESSAGES:
        assert rest.reply(message, sender), message
    for message in CALLBACK:
        reply = rest.reply(message, sender)
    assert "尾号8000" in reply and "编号" in reply
    for message, _ in SPLIT:
        assert rest.reply(message, sender), message
    # the conversation goes on, on the masked history
    assert "经纬人才" in rest.reply("经纬人才计划讲的是啥", sender)
    return sender


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def digits_of(text: str) -> str:
    return "".join(c for c in view(text).text if c.isdigit() or c in "Xx")


def forbidden() -> list[str]:
    return [raw for _, raws in MESSAGES + SPLIT for raw in raws] + [CALLBACK_PHONE]


def assert_events_masked(events: list[dict]) -> None:
    """No string of any stored event holds a raw number (its digits, however written)."""
    for event in events:
        for text in strings(event):
            digits, letters = digits_of(text), view(text).text
            for raw in forbidden():
                assert raw not in (letters if raw.isalpha() or "." in raw else digits), (raw, text)
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert any(ID_MASKED in text for text in user_texts) and any(MOBILE_MASKED in text for text in user_texts)
    assert any(BANK_MASKED in text for text in user_texts) and "z********@example.com" in " ".join(user_texts)
    assert "370102******" in user_texts and "**1238" in user_texts  # the split ID, both parts
    assert "电话138****8000" in user_texts  # the callback form's phone answer
    phones = {e["value"] for e in events if e["event"] == "slot" and e["name"] == "callback_phone"}
    assert phones <= {"尾号8000", None} and "尾号8000" in phones


def sqlite_events(tracker_db: Path, sender: str) -> list[dict]:
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def stored_files(tracker_db: Path) -> bytes:
    """The database file and any journal beside it, as bytes."""
    files = [tracker_db, *tracker_db.parent.glob(f"{tracker_db.name}-*")]
    return b"".join(path.read_bytes() for path in files if path.is_file())


def log_since(log: Path, offset: int) -> str:
    with log.open("rb") as file:
        file.seek(offset)
        return file.read().decode("utf-8", "replace")


def log_size(log: Path | None) -> int:
    return log.stat().st_size if log is not None and log.exists() else 0


def assert_log_masked(written: str) -> None:
    """The log, normalised (full-width digits, JSON escapes decoded), holds no raw number as written."""
    normal = view(written).text
    for message, raws in MESSAGES:  # (the split ID's first part is logged before the second comes)
        for raw in raws:
            assert raw not in normal, f"{raw} is in the log"
        assert view(message).text not in normal or not raws
    assert CALLBACK_PHONE not in normal


def test_the_shared_assistant_stores_and_logs_numbers_masked(servers) -> None:
    rest = Rest(servers.rasa_url)
    log = servers.log_dir / "rasa.log" if servers.log_dir is not None else None
    offset = log_size(log)
    sender = converse(rest)
    assert_events_masked(sqlite_events(servers.tracker_db, rest_conversation(sender)))
    stored = stored_files(servers.tracker_db)
    for raw in (ID_CARD, MOBILE, BANK_CARD, CALLBACK_PHONE, "370102199003071239", "zhang.san@"):
        assert raw.encode() not in stored, f"{raw} is in the tracker database's files"
    if log is not None:
        assert_log_masked(log_since(log, offset))


def test_a_debug_log_has_the_masked_numbers_only(guarded) -> None:
    rest = Rest(guarded.rasa_url)
    log = guarded.log_dir / "rasa.log"
    offset = log_size(log)
    sender = converse(rest)
    assert_events_masked(sqlite_events(guarded.tracker_db, rest_conversation(sender)))
    written = log_since(log, offset)
    assert_log_masked(written)
    for masked in (ID_MASKED, MOBILE_MASKED, BANK_MASKED):
        assert masked in view(written).text, f"{masked} is not in the DEBUG log"


@pytest.fixture(scope="module")
def on_postgres(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """An assistant of this module's own keeping conversations and staff records in PostgreSQL."""
    suffix = uuid.uuid4().hex[:10]
    tracker, staff = f"{POSTGRES}/privacy_tracker_{suffix}", f"{POSTGRES}/privacy_staff_{suffix}"
    ensure_database(staff)
    folder = tmp_path_factory.mktemp("privacy-postgres")
    running = Servers(model=trained_model, rasa_port=free_port(), actions_port=free_port(),
                      tracker_db=folder / "unused.db", log_dir=folder / "logs", stores=StoreURLs(tracker, None),
                      extra_env={"STAFF_DATABASE_URL": staff})
    try:
        running.start()
        yield running
    finally:
        running.stop()
        drop_database(tracker)
        drop_database(staff)


@pytest.mark.postgres
def test_postgresql_rows_hold_the_masked_numbers_only(on_postgres: Servers) -> None:
    sender = converse(Rest(on_postgres.rasa_url))
    rows = postgres_events(on_postgres.stores.tracker_store, rest_conversation(sender))
    assert_events_masked([json.loads(row) for row in rows])
    staff = StaffStore(on_postgres.extra_env["STAFF_DATABASE_URL"])
    try:
        [request] = [r for r in staff.callback_requests(None) if r.conversation_id == rest_conversation(sender)]
    finally:
        staff.close()
    assert request.phone == CALLBACK_PHONE  # the one place the full number is kept: staff call it
    assert_log_masked(log_since(on_postgres.log_dir / "rasa.log", 0))
