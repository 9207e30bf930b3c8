"""Rasa's socket.io channel as the widget uses it, with the python-socketio client, both transports."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
import uuid

import pytest
import socketio

pytestmark = pytest.mark.server
TRANSPORTS = [["websocket"], ["polling"]]


async def converse(url: str, transports: list[str], origin: str | None, messages: list[str],
                   session_id: str | None = None) -> tuple[str, list[list[dict]]]:
    """Connect as the widget does, ask each message, and collect the bot's answers to each."""
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    inbox: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    client.on("bot_uttered", inbox.put_nowait)
    headers = {"Origin": origin} if origin else {}
    await client.connect(url, headers=headers, transports=transports, socketio_path="socket.io",
                         wait_timeout=10)
    try:
        await client.emit("session_request", {"session_id": session_id or uuid.uuid4().hex})
        session = await asyncio.wait_for(confirmed, 10)
        answers = []
        for message in messages:
            await client.emit("user_uttered", {"message": message, "session_id": session,
                                               "customData": {"language": "zh"}})
            answer = [await asyncio.wait_for(inbox.get(), 30)]
            while True:  # the rest of this turn's messages, if any
                try:
                    answer.append(await asyncio.wait_for(inbox.get(), 1.5))
                except asyncio.TimeoutError:
                    break
            answers.append(answer)
        return session, answers
    finally:
        await client.disconnect()


@pytest.mark.parametrize("transports", TRANSPORTS, ids=lambda t: t[0])
def test_a_resident_is_greeted_and_answered(servers, widget, transports):
    session, (greeting, answer) = asyncio.run(converse(
        servers.rasa_url, transports, widget.origin, ["你好", "经纬人才计划讲的是啥"]))
    replies = [reply["title"] for message in greeting for reply in message.get("quick_replies", [])]
    assert replies == ["人才政策", "政务服务怎么办", "民生工程"]
    text = "\n".join(message.get("text", "") for message in answer)
    assert "经纬人才" in text and "来源" in text


@pytest.mark.parametrize("transports", TRANSPORTS, ids=lambda t: t[0])
def test_the_session_continues_on_a_new_connection(servers, widget, transports):
    session, _ = asyncio.run(converse(servers.rasa_url, transports, widget.origin, ["你好"]))
    again, (answer,) = asyncio.run(converse(servers.rasa_url, transports, widget.origin,
                                            ["经纬人才计划讲的是啥"], session_id=session))
    assert again == session and answer


@pytest.mark.parametrize("transports", TRANSPORTS, ids=lambda t: t[0])
@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1", "null"])
def test_another_origin_is_refused(servers, widget, transports, origin):
    with pytest.raises(socketio.exceptions.ConnectionError):
        asyncio.run(converse(servers.rasa_url, transports, origin, []))


def test_the_engineio_handshake_names_the_widget_origin_only(servers, widget):
    url = f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling"
    request = urllib.request.Request(url, headers={"Origin": widget.origin})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers.get_all("Access-Control-Allow-Origin") == [widget.origin]
    stranger = urllib.request.Request(url, headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(stranger, timeout=10)
    assert refused.value.code == 400


def test_the_action_server_down_gets_an_apology_naming_12345(servers, widget) -> None:
    from bot.guard.replies import UNAVAILABLE
    from tests.conftest import action_server_down

    with action_server_down(servers):
        _, (answer,) = asyncio.run(converse(servers.rasa_url, ["websocket"], widget.origin, ["临时救助在哪申请"]))
    assert [message.get("text") for message in answer] == [UNAVAILABLE] and "12345" in UNAVAILABLE
    _, (again,) = asyncio.run(converse(servers.rasa_url, ["websocket"], widget.origin, ["临时救助在哪申请"]))
    assert "临时救助" in "\n".join(message.get("text", "") for message in again)
