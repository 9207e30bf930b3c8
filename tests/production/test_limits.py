"""Limits on every channel, attacked over real HTTP and socket.io: body sizes refused before the body
is read, rate limits per conversation and per untrusted address (behind a proxy too), shared
through Redis; the tracker store and Redis read afterwards.

The shared assistant (`servers`) trusts one proxy's X-Forwarded-For (SANIC_PROXIES_COUNT=1, as the
cluster's instances behind nginx): a loopback client sending the header plays nginx. A client on
this machine's network address (not loopback) is an untrusted peer for the in-process channels.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import socketio

from bot.channels.conversations import rest_conversation
from bot.channels.rest import GuardedRestInput
from bot.guard import replies
from bot.guard.clients import TrustedAddresses
from bot.guard.gate import Gate
from bot.guard.rate import LocalWindows, Rate, RateLimits, RedisWindows
from bot.guard.server import REQUEST_MAX_SIZE, WEBSOCKET_MAX_SIZE
from bot.redis_client import redis_client
from tests.channels.wechat_harness import ChannelServer
from tests.fakes.redis_keys import REDIS_URL, window
from tests.production.conftest import new_sender

# ------------------------------------------------------------------ helpers

def head_only(url: str, path: str, content_length: int, wait: float = 5) -> int | None:
    """Send only the head of a POST announcing `content_length` bytes; the status Sanic answers
    before any of the body is sent, or None when it waits for the body."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {content_length}\r\n\r\n".encode())
        try:
            head = connection.recv(4096)
        except TimeoutError:
            return None
    return int(head.split()[1]) if head else None


def post(url: str, body: dict | list, headers: dict[str, str] | None = None,
         method: str = "POST") -> tuple[int, dict | list, dict[str, str]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)


def rest(url: str, message: str, sender: str, forwarded_for: str | None = None) -> tuple[int, dict | list]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    status, body, _ = post(f"{url}/webhooks/rest/webhook", {"sender": sender, "message": message}, headers)
    return status, body


def stored_user_texts(tracker_db, conversation_id: str) -> list[str]:
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (conversation_id,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def network_address() -> str:
    """This machine's address on a network interface (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("203.0.113.1", 9))  # UDP: no packet is sent, the route picks the interface
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback address to connect from")
    return address


# ------------------------------------------------------------------ body sizes

@pytest.mark.server
@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/webhooks/wechat/webhook?signature=x",
                                  "/model/parse?token={token}", "/conversations/x/tracker/events?token={token}"])
def test_a_body_over_the_limit_is_refused_before_it_is_read(servers, path) -> None:
    path = path.format(token=servers.auth_token)
    assert head_only(servers.rasa_url, path, REQUEST_MAX_SIZE + 1) == 413
    assert head_only(servers.rasa_url, path, 100 * 1024 * 1024) == 413
    # under the limit, the server waits for the body it was promised
    assert head_only(servers.rasa_url, path, 1024 * 1024, wait=1.5) is None


@pytest.mark.server
def test_the_http_api_takes_a_conversation_of_several_megabytes(servers) -> None:
    """REQUEST_MAX_SIZE is sized for the HTTP API: a tracker of 3 MB replaces a conversation."""
    conversation = f"api-{uuid.uuid4().hex[:10]}"
    events = [{"event": "bot", "text": f"{number} " + "经纬人才计划" * 280, "timestamp": time.time() + number}
              for number in range(600)]
    assert len(json.dumps(events).encode()) > 3_000_000
    status, _, _ = post(f"{servers.rasa_url}/conversations/{conversation}/tracker/events?token={servers.auth_token}",
                        events, method="PUT")
    assert status == 200
    with sqlite3.connect(f"file:{servers.tracker_db}?mode=ro", uri=True) as db:
        [(stored,)] = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'bot'",
                                 (conversation,)).fetchall()
    assert stored == 600


@pytest.mark.server
def test_a_websocket_message_over_the_limit_closes_that_socket_only(servers) -> None:
    async def oversize() -> tuple[bool, list[dict]]:
        closed = asyncio.Event()
        client = socketio.AsyncClient(reconnection=False)
        confirmed: asyncio.Queue = asyncio.Queue()
        client.on("session_confirm", confirmed.put_nowait)
        client.on("disconnect", closed.set)
        await client.connect(servers.rasa_url, headers={"Origin": servers.widget_origin}, transports=["websocket"],
                             socketio_path="socket.io", wait_timeout=10)
        await client.emit("session_request", {})
        session = await asyncio.wait_for(confirmed.get(), 10)
        await client.emit("user_uttered", {"message": "x" * (WEBSOCKET_MAX_SIZE + 1), "session_id": session})
        await asyncio.wait_for(closed.wait(), 10)
        from tests.web.test_web_socketio import converse

        _, (answer,) = await converse(servers.rasa_url, ["websocket"], servers.widget_origin, ["你好"])
        return closed.is_set(), answer

    closed, answer = asyncio.run(oversize())
    assert closed and answer


# ------------------------------------------------------------------ per conversation

@pytest.mark.server
def test_a_rest_sender_over_the_limit_gets_429_in_chinese_and_nothing_is_stored(servers) -> None:
    sender = new_sender("flood")
    answers = [rest(servers.rasa_url, "", sender) for _ in range(30)]  # counted before the text rules
    assert answers == [(200, [{"recipient_id": sender, "text": replies.EMPTY}])] * 30
    status, body, headers = post(f"{servers.rasa_url}/webhooks/rest/webhook",
                                 {"sender": sender, "message": "经纬人才计划讲的是啥"})
    assert status == 429 and body["reason"] == "TooManyRequests" and headers["Retry-After"] == "10"
    assert body["message"] == replies.RATE_LIMITED.format(seconds=10) and "12345" in body["message"]
    assert stored_user_texts(servers.tracker_db, rest_conversation(sender)) == []
    other = new_sender("calm")
    assert rest(servers.rasa_url, "", other) == (200, [{"recipient_id": other, "text": replies.EMPTY}])


# ------------------------------------------------------------------ per address

@pytest.mark.server
def test_an_address_behind_the_proxy_is_limited_and_loopback_is_not(servers) -> None:
    client = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    senders = [new_sender("addr") for _ in range(101)]
    for sender in senders[:100]:  # a script rotating its sender ids
        assert rest(servers.rasa_url, "", sender, forwarded_for=f"198.51.100.7, {client}")[0] == 200
    assert rest(servers.rasa_url, "经纬人才计划讲的是啥", senders[100], forwarded_for=client)[0] == 429
    assert stored_user_texts(servers.tracker_db, rest_conversation(senders[100])) == []
    # another address, and this host itself (trusted, as nginx and the benchmarks are), go on
    assert rest(servers.rasa_url, "", senders[100], forwarded_for="203.0.113.251")[0] == 200
    assert all(rest(servers.rasa_url, "", new_sender("local"))[0] == 200 for _ in range(101))


@pytest.fixture
def rest_channel(loop_thread) -> Iterator:
    """Start the REST channel's real blueprint of the test's own (on every interface) with a fake
    assistant that echoes; stopped afterwards."""
    started: list[ChannelServer] = []

    async def echo(message) -> None:
        await message.output_channel.send_text_message(message.sender_id, f"回答：{message.text}")

    def start(gate: Gate, trusted: TrustedAddresses, host: str = "127.0.0.1",
              allowed_clients: TrustedAddresses | None = None) -> ChannelServer:
        channel = GuardedRestInput(gate=gate, trusted=trusted, allowed_clients=allowed_clients)
        server = ChannelServer(channel, echo, prefix="/webhooks/rest", host=host, config={"PROXIES_COUNT": 1})
        loop_thread.run(server.start())
        started.append(server)
        return server

    yield start
    for server in started:
        loop_thread.run(server.stop())


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(rest_channel) -> None:
    address = network_address()
    limits = RateLimits(None, Rate(3, 10), LocalWindows())
    direct = rest_channel(Gate(limits), TrustedAddresses(), host=address)
    url = f"http://{address}:{direct.port}"
    # a client on the network pretends to be this host: it is limited by its own address
    statuses = [rest(url, "你好", new_sender(), forwarded_for="127.0.0.1")[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # the same address configured as a proxy: the address it forwards is the client's
    proxy = rest_channel(Gate(RateLimits(None, Rate(3, 10), LocalWindows())), TrustedAddresses([address]),
                         host=address)
    url = f"http://{address}:{proxy.port}"
    assert [rest(url, "你好", new_sender(), forwarded_for="203.0.113.9")[0] for _ in range(4)] == [200, 200, 200, 429]
    assert [rest(url, "你好", new_sender(), forwarded_for="127.0.0.1")[0] for _ in range(4)] == [200] * 4


def test_the_rest_channel_closed_to_all_but_its_allowed_clients(rest_channel) -> None:
    address = network_address()
    closed = rest_channel(Gate(RateLimits(None, None, LocalWindows())), TrustedAddresses(), host="0.0.0.0",
                          allowed_clients=TrustedAddresses.parse("198.51.100.0/24"))
    sender = new_sender("closed")
    # a client on the network, even claiming an allowed address (it is no trusted proxy), is refused
    for forwarded in (None, "198.51.100.7"):
        status, body = rest(f"http://{address}:{closed.port}", "你好", sender, forwarded_for=forwarded)
        assert status == 403 and body["reason"] == "Forbidden" and "12345" in body["message"]
    # this host (tools, tests, the benchmarks) stays allowed, and so do the listed clients behind it
    for forwarded in (None, "198.51.100.7"):
        assert rest(f"http://127.0.0.1:{closed.port}", "你好", sender, forwarded_for=forwarded) == \
            (200, [{"recipient_id": sender, "text": "回答：你好"}])
    assert rest(f"http://127.0.0.1:{closed.port}", "你好", sender, forwarded_for="203.0.113.9")[0] == 403


@pytest.mark.redis
def test_rest_limits_hold_across_instances_through_redis(rest_channel, redis_prefix) -> None:
    first, second = (rest_channel(Gate(RateLimits(Rate(3, 10), None,
                                                  RedisWindows(redis_client(REDIS_URL), f"{redis_prefix}:"))),
                                  TrustedAddresses()) for _ in range(2))
    sender = new_sender("redis")
    statuses = [rest(f"http://127.0.0.1:{server.port}", "你好", sender)[0] for server in (first, second, first, second)]
    assert statuses == [200, 200, 200, 429]
    count, milliseconds = window(f"{redis_prefix}:conversation:{rest_conversation(sender)}")
    assert count == 3 and 0 < milliseconds <= 10_000
