"""Whose conversation a widget message belongs to, attacked with python-socketio's client against
the shared assistant, then read in its SQLite tracker store; and the widget's guards (text rules,
rate limit, malformed payloads), which every answer must survive."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid

import pytest
import socketio

from bot.channels.conversations import WebSessions
from bot.guard import replies

pytestmark = pytest.mark.server
QUIET_SECONDS = 1.5


class Widget:
    """One socket.io client speaking as the widget does (python-socketio, websocket)."""

    def __init__(self, url: str, origin: str) -> None:
        self.url, self.origin = url, origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.client.on("bot_uttered", self.inbox.put_nowait)
        self.client.on("session_confirm", self.confirmed.put_nowait)

    async def __aenter__(self) -> Widget:
        await self.client.connect(self.url, headers={"Origin": self.origin}, transports=["websocket"],
                                  socketio_path="socket.io", wait_timeout=10)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.client.disconnect()

    async def session(self, session_id: object = None) -> str:
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), 10)

    async def say(self, payload: object) -> list[dict]:
        """Emit `user_uttered` with `payload` and collect the answer (every message until a pause)."""
        await self.client.emit("user_uttered", payload)
        return [await asyncio.wait_for(self.inbox.get(), 30), *await self.more()]

    async def more(self, seconds: float = QUIET_SECONDS) -> list[dict]:
        messages = []
        while True:
            try:
                messages.append(await asyncio.wait_for(self.inbox.get(), seconds))
            except asyncio.TimeoutError:
                return messages


def texts(messages: list[dict]) -> str:
    return "\n".join(message.get("text", "") for message in messages)


def user_texts(tracker_db, conversation_id: str) -> list[str]:
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (conversation_id,)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def senders_like(tracker_db, pattern: str) -> set[str]:
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        return {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events WHERE sender_id LIKE ?",
                                             (pattern,))}


def test_the_server_issues_signed_ids_and_files_the_conversation_under_web(servers, widget) -> None:
    async def visit() -> tuple[str, str]:
        async with Widget(servers.rasa_url, widget.origin) as resident:
            chosen = uuid.uuid4().hex
            session = await resident.session(chosen)  # a client-chosen id is not taken
            assert session != chosen and session.startswith(tuple("0123456789abcdef"))
            answer = await resident.say({"message": "经纬人才计划讲的是啥", "session_id": session})
            assert "经纬人才" in texts(answer)
            return chosen, session

    chosen, session = asyncio.run(visit())
    conversation = WebSessions().conversation(session)
    assert conversation and conversation.startswith("web:")
    assert user_texts(servers.tracker_db, conversation) == ["经纬人才计划讲的是啥"]
    assert not senders_like(servers.tracker_db, f"%{chosen}%")


def test_another_residents_conversation_cannot_be_joined_or_read(servers, widget) -> None:
    """The attacker knows the victim's conversation id (`web:<id>`, as staff records show it) and
    its raw id, and tries each where Rasa would take it; it never hears the victim's replies."""

    async def attack() -> tuple[str, str]:
        async with Widget(servers.rasa_url, widget.origin) as victim, \
                Widget(servers.rasa_url, widget.origin) as attacker:
            victim_session = await victim.session()
            first = await victim.say({"message": "经纬人才计划讲的是啥", "session_id": victim_session})
            assert "经纬人才" in texts(first)
            raw_id = victim_session.split(".")[0]
            guesses = [raw_id, f"web:{raw_id}", f"{raw_id}.forged", f"{raw_id}.{victim_session.split('.')[1][::-1]}"]
            for guess in guesses:  # session_request: a new session of its own, not the victim's
                assert await attacker.session(guess) not in (victim_session, guess)
            own = await attacker.session()
            for guess in guesses:  # user_uttered with the victim's id: refused, answered
                refused = await attacker.say({"message": "我的电话号码是多少", "session_id": guess})
                assert texts(refused) == replies.SESSION_INVALID
            # the victim goes on; the attacker (still connected, its own session) hears nothing of it
            assert "人才落户" in texts(await victim.say({"message": "人才落户在哪办", "session_id": victim_session}))
            assert await attacker.more(2) == []
            return victim_session, own

    victim_session, own = asyncio.run(attack())
    sessions = WebSessions()
    victim = sessions.conversation(victim_session)
    assert user_texts(servers.tracker_db, victim) == ["经纬人才计划讲的是啥", "人才落户在哪办"]
    assert user_texts(servers.tracker_db, sessions.conversation(own)) == []
    raw_id = victim_session.split(".")[0]
    assert senders_like(servers.tracker_db, f"%{raw_id}%") == {victim}


def test_a_signed_id_resumes_its_conversation_on_a_new_connection(servers, widget) -> None:
    async def two_visits() -> str:
        async with Widget(servers.rasa_url, widget.origin) as first:
            session = await first.session()
            await first.say({"message": "人才落户在哪办", "session_id": session})
        async with Widget(servers.rasa_url, widget.origin) as again:
            assert await again.session(session) == session
            # the follow-up is understood in the resumed conversation
            assert "人才落户" in texts(await again.say({"message": "要带什么材料", "session_id": session}))
        return session

    session = asyncio.run(two_visits())
    assert user_texts(servers.tracker_db, WebSessions().conversation(session)) == ["人才落户在哪办", "要带什么材料"]


@pytest.mark.parametrize(("payload", "expected"), [
    ({"message": "经纬人才计划讲的是啥", "customData": "{not json"}, "经纬人才"),
    ({"message": "经纬人才计划讲的是啥", "customData": ["zh"]}, "经纬人才"),
    ({"message": "经纬人才计划讲的是啥", "customData": '{"language": "zh", "channel": "rest"}'}, "经纬人才"),
    ({"message": 12345}, replies.EMPTY),
    ({"message": None, "customData": None}, replies.EMPTY),
    ({"message": ""}, replies.EMPTY),
    ({"message": " \x00\x1b\u3000"}, replies.EMPTY),
    ({"message": "经纬人才" * 5000}, "太长"),
], ids=["customData-not-json", "customData-list", "customData-extra", "number", "null", "empty", "control",
        "20000-chars"])
def test_a_malformed_or_bad_message_still_gets_an_answer(servers, widget, payload, expected) -> None:
    async def send() -> tuple[str, list[dict]]:
        async with Widget(servers.rasa_url, widget.origin) as resident:
            session = await resident.session()
            return session, await resident.say({**payload, "session_id": session})

    session, answer = asyncio.run(send())
    assert expected in texts(answer)
    stored = user_texts(servers.tracker_db, WebSessions().conversation(session))
    assert stored == (["经纬人才计划讲的是啥"] if expected == "经纬人才" else [])


def test_only_the_language_of_custom_data_is_stored(servers, widget) -> None:
    async def send() -> str:
        async with Widget(servers.rasa_url, widget.origin) as resident:
            session = await resident.session()
            await resident.say({"message": "经纬人才计划讲的是啥", "session_id": session,
                                "customData": {"language": "zh", "channel": "wechat", "is_staff": True}})
            return session

    session = asyncio.run(send())
    with sqlite3.connect(f"file:{servers.tracker_db}?mode=ro", uri=True) as db:
        [(data,)] = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'",
                               (WebSessions().conversation(session),)).fetchall()
    event = json.loads(data)
    metadata = {key: value for key, value in event["metadata"].items() if key not in ("assistant_id", "model_id")}
    assert event["input_channel"] == "socketio" and metadata == {"language": "zh"}  # and Rasa's own


@pytest.mark.parametrize("payload", ["经纬人才计划讲的是啥", ["x"], None], ids=["text", "list", "nothing"])
def test_a_payload_that_is_not_an_object_is_answered(servers, widget, payload) -> None:
    async def send() -> list[dict]:
        async with Widget(servers.rasa_url, widget.origin) as resident:
            await resident.session()
            return await resident.say(payload)

    assert texts(asyncio.run(send())) == replies.SESSION_INVALID


def test_a_session_over_the_rate_limit_is_told_to_wait(servers, widget) -> None:
    """31 messages in a few seconds (empty ones: the limit counts before the text rules)."""

    async def flood() -> tuple[list[str], str]:
        async with Widget(servers.rasa_url, widget.origin) as script:
            session = await script.session()
            answers = []
            for _ in range(31):
                await script.client.emit("user_uttered", {"message": "", "session_id": session})
                answers.append(texts([await asyncio.wait_for(script.inbox.get(), 10)]))
            other = await script.session(None)  # another session is not held up by this one
            return answers, texts(await script.say({"message": "", "session_id": other}))

    answers, other = asyncio.run(flood())
    assert answers[:30] == [replies.EMPTY] * 30
    assert answers[30] == replies.RATE_LIMITED.format(seconds=10)
    assert other == replies.EMPTY
