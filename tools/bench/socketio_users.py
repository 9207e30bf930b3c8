"""`make bench-load`'s widget users: the socket.io protocol as our channel speaks it
(bot/channels/socketio.py), with python-socketio's client, as the widget does.

Each conversation is one client (one page visit): it connects over websocket with the widget's
Origin, asks for a session (`session_request`) and keeps the signed id the server confirms
(`session_confirm`), sends every message as `user_uttered` with that id, and hears the answer as
`bot_uttered` events. The end of a turn is the socket.io acknowledgement of its `user_uttered`:
the server sends it when its handler returns, which is after it has emitted the turn's messages
(or the apology, or a refusal) on the same socket, so every `bot_uttered` of the turn has arrived
by then — no guessing how many messages, no quiet time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import socketio

from tools.bench.users import REQUEST_TIMEOUT, Answer, Ask, Channel, TurnFailed


class SocketIOChannel(Channel):
    """The widget's channel at `url` (Rasa's port), presenting `origin` as the widget's page does."""

    name = "socket.io"

    def __init__(self, url: str, origin: str, transports: tuple[str, ...] = ("websocket",)) -> None:
        self.url = url
        self.origin = origin
        self.transports = list(transports)

    def presented(self, session_id: str) -> str:
        """The session id sent with each message: the one the server confirmed."""
        return session_id

    @asynccontextmanager
    async def conversation(self, number: int) -> AsyncIterator[Ask]:
        client = socketio.AsyncClient(reconnection=False)
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        inbox: list[dict[str, Any]] = []
        client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
        client.on("bot_uttered", inbox.append)
        try:
            await client.connect(self.url, headers={"Origin": self.origin}, transports=self.transports,
                                 socketio_path="socket.io", wait_timeout=REQUEST_TIMEOUT)
            await client.emit("session_request", {"session_id": None})
            session = self.presented(await asyncio.wait_for(confirmed, REQUEST_TIMEOUT))
        except (socketio.exceptions.SocketIOError, asyncio.TimeoutError) as error:
            await client.disconnect()
            raise TurnFailed(f"socket.io {type(error).__name__}") from error

        async def ask(text: str) -> Answer:
            inbox.clear()
            try:
                await client.call("user_uttered", {"message": text, "session_id": session,
                                                   "customData": {"language": "zh"}}, timeout=REQUEST_TIMEOUT)
            except socketio.exceptions.SocketIOError as error:
                raise TurnFailed(f"socket.io {type(error).__name__}") from error
            if not all(isinstance(message, dict) for message in inbox):
                raise TurnFailed("unreadable reply", answered=True)
            return Answer([str(message.get("text") or "") for message in inbox])

        try:
            yield ask
        finally:
            await client.disconnect()
