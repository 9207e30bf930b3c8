"""`make bench-load`'s widget and WeChat users against the real assistant: every message they count
is a message the assistant stored, and what a resident would see as a failure (a session id or a
signature made with the wrong secret, the apology) is counted as an error, never as an answer."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time

import pytest
import socketio

from bot.channels.conversations import WebSessions
from tests.conftest import action_server_down
from tests.fakes.wechat_api import AES_KEY, APPID, SECRET, TOKEN
from tools.bench.socketio_users import SocketIOChannel
from tools.bench.users import Result, closed_loop
from tools.bench.wechat_users import WeChatAccount, WeChatChannel

pytestmark = pytest.mark.server
SECONDS = 3


class Visit:
    """The same short conversation every time."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)

    def conversation(self, rng: random.Random) -> list[str]:
        return list(self.texts)


VISIT = Visit("你好", "临时救助在哪申请", "谢谢")


def stored_messages(servers, conversations: str, since: float) -> int:
    """User messages the assistant stored since `since` in conversations starting with `conversations`."""
    with sqlite3.connect(servers.tracker_db) as database:
        (count,) = database.execute("SELECT COUNT(*) FROM events WHERE type_name = 'user' AND sender_id LIKE ? "
                                    "AND timestamp >= ?", (conversations + "%", since)).fetchone()
    return count


def run(channel, users: int = 2, visit: Visit = VISIT) -> tuple[Result, float]:
    since = time.time()
    return asyncio.run(closed_loop(channel, users, SECONDS, visit)), since


class ForgedSessions(SocketIOChannel):
    """Presents a session id signed with another key than the deployment's."""

    def presented(self, session_id: str) -> str:
        return WebSessions(key="not the deployment's key").issue()


def test_widget_users_count_the_messages_the_assistant_answered(servers, widget_origin) -> None:
    result, since = run(SocketIOChannel(servers.rasa_url, widget_origin))
    assert result.errors == {}
    assert len(result.latencies) >= 2
    assert stored_messages(servers, "web:", since) == len(result.latencies)


def test_the_turn_ends_after_all_its_messages(servers, widget_origin) -> None:
    """The acknowledgement of `user_uttered`, which ends a widget user's turn, comes after every
    `bot_uttered` of the turn: none arrives in the second after it."""

    async def ask() -> tuple[int, int]:
        client = socketio.AsyncClient(reconnection=False)
        confirmed = asyncio.get_running_loop().create_future()
        inbox: list[dict] = []
        client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
        client.on("bot_uttered", inbox.append)
        await client.connect(servers.rasa_url, headers={"Origin": widget_origin}, transports=["websocket"])
        try:
            await client.emit("session_request", {"session_id": None})
            session = await asyncio.wait_for(confirmed, 10)
            await client.call("user_uttered", {"message": "你好", "session_id": session}, timeout=30)
            at_ack = len(inbox)
            await asyncio.sleep(1)
            return at_ack, len(inbox)
        finally:
            await client.disconnect()

    at_ack, after = asyncio.run(ask())
    assert at_ack >= 1 and after == at_ack


def test_a_session_signed_with_another_key_counts_as_errors(servers, widget_origin) -> None:
    result, since = run(ForgedSessions(servers.rasa_url, widget_origin))
    assert list(result.errors) == ["session refused"]
    assert result.error_count == len(result.latencies) >= 2
    assert stored_messages(servers, "web:", since) == 0


def test_a_refused_origin_counts_as_errors(servers) -> None:
    result, _ = run(SocketIOChannel(servers.rasa_url, "http://evil.example"), users=1)
    assert result.latencies == [] and list(result.errors) == ["socket.io ConnectionError"]


def test_the_apology_counts_as_an_error(servers, widget_origin) -> None:
    with action_server_down(servers):
        result, _ = run(SocketIOChannel(servers.rasa_url, widget_origin), users=1, visit=Visit("临时救助在哪申请"))
    assert result.errors == {"apology": len(result.latencies)} and result.latencies


def test_wechat_followers_count_the_messages_the_assistant_answered(servers, fake_api_server) -> None:
    channel = WeChatChannel(servers.rasa_url, WeChatAccount(TOKEN, APPID, SECRET, AES_KEY), fake_api_server)
    result, since = run(channel)
    assert result.errors == {}
    assert len(result.latencies) >= 2
    assert stored_messages(servers, "wx:oload-", since) == len(result.latencies)


@pytest.mark.parametrize("wrong", ["token", "aes_key"])
def test_wechat_messages_signed_or_encrypted_with_a_wrong_secret_count_as_errors(servers, fake_api_server,
                                                                                wrong) -> None:
    made_up = WeChatAccount.made_up()
    account = WeChatAccount(**{"token": TOKEN, "appid": APPID, "secret": SECRET, "aes_key": AES_KEY,
                               wrong: getattr(made_up, wrong)})
    result, since = run(WeChatChannel(servers.rasa_url, account, fake_api_server))
    assert result.error_count == len(result.latencies) >= 2
    assert all(kind.startswith("HTTP 4") for kind in result.errors)
    assert stored_messages(servers, "wx:oload-", since) == 0
