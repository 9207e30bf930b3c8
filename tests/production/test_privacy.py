"""Personal numbers sent to the running assistant are stored and logged masked, never in clear.

The shared assistant (`servers`, tests/conftest.py) writes its tracker database and rasa.log; our
own (`guarded`) logs at DEBUG, where Rasa writes the user's text into its log, so there the masked
forms must be in the log too. The masking rules themselves are tested in test_masking.py.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.channels.conversations import rest_conversation
from bot.privacy.masking import id_card_valid, luhn_valid
from tests.production.conftest import Rest, new_sender

pytestmark = pytest.mark.server

ID_CARD, ID_MASKED = "11010519491231002X", "110105********002X"
MOBILE, MOBILE_MASKED = "13905318765", "139****8765"
BANK_CARD, BANK_MASKED = "6222021234567894", "6222********7894"
MESSAGES = [f"我的身份证号是{ID_CARD}，人才落户要带什么材料",
            f"我的手机号{MOBILE}，临时救助在哪申请",
            f"银行卡{BANK_CARD}",  # the whole message: the catalogue's "not found" echoes it back
            f"{MOBILE} {ID_CARD} {BANK_CARD}"]
RAW = {ID_CARD: ID_MASKED, MOBILE: MOBILE_MASKED, BANK_CARD: BANK_MASKED}


def test_the_numbers_are_what_they_claim_to_be() -> None:
    assert id_card_valid(ID_CARD) and luhn_valid(BANK_CARD) and MOBILE[:2] == "13"


def converse(rest: Rest) -> str:
    sender = new_sender("privacy")
    for message in MESSAGES:
        assert rest.reply(message, sender), message
    # the conversation goes on, on the masked history
    assert "经纬人才" in rest.reply("经纬人才计划讲的是啥", sender)
    return sender


def stored_events(tracker_db: Path, conversation_id: str) -> list[dict]:
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (conversation_id,)).fetchall()
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


def assert_stored_masked(tracker_db: Path, sender: str) -> None:
    events = stored_events(tracker_db, rest_conversation(sender))
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts[:len(MESSAGES)] == [m.replace(ID_CARD, ID_MASKED).replace(MOBILE, MOBILE_MASKED)
                                          .replace(BANK_CARD, BANK_MASKED) for m in MESSAGES]
    parse_texts = [e["parse_data"]["text"] for e in events if e["event"] == "user"]
    assert parse_texts == user_texts
    stored = stored_files(tracker_db)
    for raw, masked in RAW.items():
        assert raw.encode() not in stored, f"{raw} is in the tracker database"
        assert masked.encode() in stored, f"{masked} is not in the tracker database"


def test_the_shared_assistant_stores_and_logs_numbers_masked(servers) -> None:
    rest = Rest(servers.rasa_url)
    log = servers.log_dir / "rasa.log" if servers.log_dir is not None else None
    offset = log_size(log)
    sender = converse(rest)
    assert_stored_masked(servers.tracker_db, sender)
    if log is not None:
        written = log_since(log, offset)
        for raw in RAW:
            assert raw not in written, f"{raw} is in rasa.log"


def test_a_debug_log_has_the_masked_numbers_only(guarded) -> None:
    rest = Rest(guarded.rasa_url)
    log = guarded.log_dir / "rasa.log"
    offset = log_size(log)
    sender = converse(rest)
    assert_stored_masked(guarded.tracker_db, sender)
    written = log_since(log, offset)
    for raw, masked in RAW.items():
        assert raw not in written, f"{raw} is in rasa.log"
        assert masked in written, f"{masked} is not in the DEBUG log"
