"""The guard's parts without a server: request parsing and the Chinese answers (bot/guard)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from bot.channels.rest import MAX_BODY_BYTES, BadRequest, GuardedRestInput, parse_request
from bot.guard import replies


def request(body: bytes) -> SimpleNamespace:
    return SimpleNamespace(body=body)


def test_a_good_request_is_parsed_and_cleaned() -> None:
    incoming = parse_request(request(json.dumps({"sender": 42, "message": " \x00你好\x1b ",
                                                 "metadata": {"a": 1}}).encode()))
    assert (incoming.sender, incoming.text, incoming.metadata, incoming.input_channel) == ("42", "你好",
                                                                                          {"a": 1}, "rest")


@pytest.mark.parametrize(("body", "status", "reason"), [
    (b"{", 400, "InvalidJSON"), (b"[]", 400, "InvalidJSON"), (b"\xff", 400, "InvalidJSON"),
    (b'{"message": "x"}', 400, "MissingSender"), (b'{"sender": true, "message": "x"}', 400, "MissingSender"),
    (b'{"sender": "a\\u0000b", "message": "x"}', 400, "InvalidSender"),
    (b'{"sender": "a", "message": ["x"]}', 400, "MissingMessage"),
    (b'{"sender": "a", "message": "' + b"x" * MAX_BODY_BYTES + b'"}', 413, "PayloadTooLarge"),
])
def test_bad_requests_are_refused_in_chinese(body: bytes, status: int, reason: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_request(request(body))
    assert (refused.value.status, refused.value.reason) == (status, reason)
    assert any("\u4e00" <= char <= "\u9fff" for char in refused.value.message)


def test_checks_and_fallback_reply() -> None:
    assert replies.check_text("") == replies.EMPTY
    assert "2000" in replies.check_text("经" * 2001)
    assert replies.check_text("经纬人才计划是什么") is None
    assert replies.ensure_reply([], "s", "临时救助在哪申请") == [{"recipient_id": "s", "text": replies.UNAVAILABLE}]
    assert replies.ensure_reply([], "s", "/restart") == []
    # a turn that failed after it had produced replies: they may not be stored, the apology instead
    assert replies.ensure_reply([{"recipient_id": "s", "text": "答案"}], "s", "临时救助在哪申请", failed=True) == [
        {"recipient_id": "s", "text": replies.UNAVAILABLE}]
    assert "12345" in replies.UNAVAILABLE


def test_channel_settings_come_from_credentials() -> None:
    channel = GuardedRestInput.from_credentials({"max_message_chars": 500, "max_body_bytes": 1024})
    assert (channel.name(), channel.max_message_chars, channel.max_body_bytes) == ("rest", 500, 1024)
    assert GuardedRestInput.from_credentials(None).max_body_bytes == MAX_BODY_BYTES
    with pytest.raises(ValueError):
        GuardedRestInput(max_message_chars=0)
