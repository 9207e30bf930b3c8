"""The guard's parts without a server: request parsing and the Chinese answers (bot/guard)."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from bot.channels.rest import MAX_BODY_BYTES, BadRequest, GuardedRestInput, parse_request
from bot.guard import replies
from bot.guard.clients import TrustedAddresses
from bot.guard.gate import Gate
from bot.guard.rate import LocalWindows, Rate, RateLimits


def request(body: bytes) -> SimpleNamespace:
    return SimpleNamespace(body=body)


def test_a_good_request_is_parsed_and_what_the_client_claims_is_not_read() -> None:
    incoming = parse_request(request(json.dumps({"sender": 42, "message": " \x00你好\x1b ", "metadata": {"a": 1},
                                                 "input_channel": "wechat"}).encode()))
    assert (incoming.sender, incoming.text, incoming.conversation_id) == ("42", " \x00你好\x1b ", "rest:42")
    assert not hasattr(incoming, "metadata") and not hasattr(incoming, "input_channel")


def test_the_gate_cleans_and_refuses_in_chinese() -> None:
    gate = Gate(RateLimits(Rate(2, 10), None, LocalWindows()), max_message_chars=10)

    async def verdicts() -> list:
        return [await gate.check("rest:a", text) for text in (" \x00你好\x1b ", "经" * 11, "你好")]

    cleaned, too_long, limited = asyncio.run(verdicts())
    assert (cleaned.text, cleaned.refusal) == ("你好", None)
    assert too_long.refusal.reason == "MessageTooLong" and "10" in too_long.refusal.text
    assert (limited.refusal.reason, limited.refusal.status, limited.refusal.retry_after) == ("TooManyRequests", 429, 10)


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
    assert replies.check_text("经纬人才计划讲的是啥") is None
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


@pytest.mark.parametrize(("value", "rate"), [("", Rate(30, 10)), ("5/60", Rate(5, 60)), ("5/1.5s", Rate(5, 1.5)),
                                             ("off", None), ("0", None)])
def test_rate_settings(value, rate) -> None:
    assert Rate.parse(value, Rate(30, 10)) == rate


@pytest.mark.parametrize("value", ["30", "x/10", "30/0", "-1/10"])
def test_bad_rate_settings_say_how_to_write_them(value) -> None:
    with pytest.raises(ValueError, match="30/10|positive"):
        Rate.parse(value, None)


def test_trusted_addresses() -> None:
    trusted = TrustedAddresses.from_env({"TRUSTED_PROXIES": "10.0.0.5, 172.16.0.0/12"})
    assert all(trusted.trusts(a) for a in ("127.0.0.1", "::1", "[::1]", "::ffff:127.0.0.1", "10.0.0.5", "172.20.1.1"))
    assert not any(trusted.trusts(a) for a in ("10.0.0.6", "203.0.113.9", "", None, "unix:/x", "localhost"))
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        TrustedAddresses(["nginx"])
