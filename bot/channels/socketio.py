"""Rasa's socket.io channel for the web widget: only the widget's origins, server-signed sessions,
the same guards as every channel, and safe bot messages.

Rasa 3.6 creates its socket.io server with `cors_allowed_origins=[]`, which switches python-engineio's
Origin check off: any web page could open a socket to the assistant (over websocket as well as
polling). Rasa also takes the conversation from whatever `session_id` a client sends, in
`session_request` and again in every `user_uttered`: any client could read another's replies.
This channel keeps Rasa's events (`session_request` → `session_confirm`, `user_uttered` →
`bot_uttered`) and
- accepts a connection only when it carries no Origin header (not a browser) or one of
  `cors_allowed_origins` (credentials.yml; the widget's own origin when empty), over polling and
  websocket alike; Rasa's `--cors` must name the same origins (bot.serve.Servers does);
- issues each new session a signed id (bot/channels/conversations.py: the conversation
  `web:<id>`, the widget keeps `<id>.<signature>` from `session_confirm`) and resumes a session
  only for its signed id; every `user_uttered` must carry one (otherwise it is answered
  `SESSION_INVALID`), and the socket hears only that conversation's replies;
- passes every message through the same gate as the other channels (bot/guard/gate.py: text
  rules, rate limits per conversation and per untrusted address); a malformed payload (not an
  object, `message` not text, `customData` not JSON) still gets an answer; of `customData` only
  `language` is kept, as metadata;
- limits an engine.io message to `max_body_bytes` (python-engineio's `max_http_buffer_size`;
  the websocket frame limit is Sanic's WEBSOCKET_MAX_SIZE, bot/guard/server.py);
- runs every outgoing message through `bot.web.sanitise` before it is emitted;
- emits a turn's messages once the turn is stored, and the apology naming 12345 instead when it
  failed (the tracker or lock store unreachable) or produced nothing (the action server down).

credentials.yml:

    bot.channels.socketio.WidgetSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true       # false: every session_request starts a new conversation
      metadata_key: customData
      cors_allowed_origins: ${WEB_ORIGINS}   # comma-separated; empty → DEFAULT_ORIGIN
      max_body_bytes: 262144
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.conversations import WebSessions
from bot.guard import replies
from bot.guard.clients import TrustedAddresses, client_address
from bot.guard.gate import Gate
from bot.web.sanitise import sanitise_message

logger = logging.getLogger(__name__)

DEFAULT_ORIGIN = "http://127.0.0.1:8080"
# An engine.io message (polling or websocket): as Sanic's WEBSOCKET_MAX_SIZE (bot/guard/server.py).
MAX_BODY_BYTES = 256 * 1024
# What of the widget's customData is kept with a message (as metadata): the client's own claims.
KEPT_METADATA = ("language",)
MAX_METADATA_CHARS = 16


class OriginError(ValueError):
    """An allowed origin is not of the form scheme://host[:port]."""


def parse_origins(value: str | Iterable[str] | None) -> list[str]:
    """Origins from a comma- or space-separated string or a list; `*` is refused."""
    if value is None:
        items: list[str] = []
    elif isinstance(value, str):
        items = value.replace(",", " ").split()
    else:
        items = [str(item).strip() for item in value if str(item).strip()]
    origins = []
    for origin in items:
        origin = origin.rstrip("/")
        if origin == "*" or "://" not in origin or origin.count("/") != 2:
            raise OriginError(f"socket.io: {origin!r} is not an origin like http://127.0.0.1:8080 "
                              "(credentials.yml, cors_allowed_origins / WEB_ORIGINS); '*' is refused")
        origins.append(origin)
    return origins or [DEFAULT_ORIGIN]


class SafeSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output with every message sanitised before it is emitted; counts what it
    sent, so that a turn that produced nothing can still be answered.

    With `hold`, a turn's messages are kept until `release()` (the turn is stored) or dropped by
    `discard()` (it failed): the widget never shows an answer the conversation's record lacks."""

    def __init__(self, sio: Any, bot_message_evt: str, hold: bool = False) -> None:
        super().__init__(sio, bot_message_evt)
        self.hold = hold
        self.sent = 0
        self._held: list[Callable[[], Awaitable[None]]] = []

    async def _emit(self, send: Callable[[], Awaitable[None]]) -> None:
        if self.hold:
            self._held.append(send)
        else:
            await send()

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await self._emit(partial(SocketIOOutput._send_message, self, socket_id, sanitise_message(response)))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        self.sent += 1
        await self._emit(partial(SocketIOOutput.send_custom_json, self, recipient_id,
                                 sanitise_message(json_message), **kwargs))

    async def release(self) -> None:
        """Emit the held messages; from now on messages go out at once."""
        held, self._held, self.hold = self._held, [], False
        for send in held:
            await send()

    def discard(self) -> None:
        """Drop the held messages; from now on messages go out at once."""
        self._held, self.hold, self.sent = [], False, 0


class WidgetSocketIOInput(SocketIOInput):
    """Rasa's socket.io input channel, limited to the widget's origins and signed sessions."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.allowed_origins = parse_origins(credentials.get("cors_allowed_origins"))
        channel.max_body_bytes = int(credentials.get("max_body_bytes") or MAX_BODY_BYTES)
        return channel

    def __init__(self, *args: Any, allowed_origins: Iterable[str] | None = None,
                 max_body_bytes: int = MAX_BODY_BYTES, gate: Gate | None = None,
                 sessions: WebSessions | None = None, trusted: TrustedAddresses | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = parse_origins(allowed_origins)
        self.max_body_bytes = max_body_bytes
        self.gate = gate or Gate.from_env()
        self.sessions = sessions or WebSessions()
        self.trusted = trusted or TrustedAddresses.from_env()

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return SafeSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def on_safe_message(message: UserMessage) -> Any:
            output = message.output_channel = SafeSocketIOOutput(self.sio, self.bot_message_evt, hold=True)
            failed = True
            try:
                result = await on_new_message(message)
                failed = False
                return result
            except Exception:
                logger.exception("The assistant failed on a widget message of %s", message.sender_id)
            finally:
                # The turn's answers once it is stored; never silence: a question the assistant
                # answered with nothing (the action server down, an error) or a turn that failed
                # (a store down) gets the apology naming 12345.
                if failed:
                    output.discard()
                else:
                    await output.release()
                if output.sent == 0:
                    for reply in replies.ensure_reply([], message.sender_id, message.text or "", failed=failed):
                        await output.send_text_message(message.sender_id, reply["text"])

        blueprint = super().blueprint(on_safe_message)
        sio = self.sio
        # python-engineio checks the Origin header of every request (polling and the websocket
        # upgrade) against this list and answers a stranger with 400 before socket.io sees it.
        sio.eio.cors_allowed_origins = list(self.allowed_origins)
        # Rasa's Sanic app already adds CORS headers to every response (`rasa run --cors`, the same
        # origins via WEB_ORIGINS); a second Access-Control-Allow-Origin would make browsers drop
        # the polling responses, so engineio checks origins but adds no headers of its own.
        sio.eio._cors_headers = _no_cors_headers
        sio.eio.max_http_buffer_size = self.max_body_bytes

        # Rasa's own handlers of these two events are replaced (python-socketio keeps one per event).
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            conversation = self.sessions.conversation(requested) if self.session_persistence else None
            session_id = requested if conversation else self.sessions.issue()
            await self._join(sid, conversation or self.sessions.conversation(session_id))
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def user_uttered(sid: str, data: Any = None, *_: Any) -> None:
            data = data if isinstance(data, dict) else {}
            conversation = self.sessions.conversation(data.get("session_id"))
            if conversation is None:
                logger.info("A widget message without a session id this server issued; not passed on")
                await self._say(sid, replies.SESSION_INVALID)
                return
            await self._join(sid, conversation)
            message = data.get("message")
            verdict = await self.gate.check(conversation, message if isinstance(message, str) else "",
                                            self._untrusted_address(sid))
            if verdict.refusal is not None:
                await self._say(sid, verdict.refusal.text)
                return
            await on_safe_message(UserMessage(verdict.text, None, conversation, input_channel=self.name(),
                                              metadata=kept_metadata(data.get(self.metadata_key))))

        @blueprint.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.gate.close()

        return blueprint

    async def _join(self, sid: str, conversation: str) -> None:
        """Make `conversation` the socket's one conversation: it hears that room only."""
        session = await self.sio.get_session(sid, namespace=self.namespace)
        previous = session.get("conversation")
        if previous == conversation:
            return
        if previous:
            self.sio.leave_room(sid, previous, namespace=self.namespace)
        self.sio.enter_room(sid, conversation, namespace=self.namespace)
        await self.sio.save_session(sid, {**session, "conversation": conversation}, namespace=self.namespace)

    async def _say(self, sid: str, text: str) -> None:
        await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

    def _untrusted_address(self, sid: str) -> str | None:
        """The client's address, or None when it is trusted (loopback, a configured proxy)."""
        environ = self.sio.get_environ(sid, namespace=self.namespace) or {}
        request = environ.get("sanic.request")
        if request is None:
            return None
        address = client_address(request, self.trusted)
        return None if self.trusted.trusts(address) else address


def kept_metadata(custom_data: Any) -> dict[str, str] | None:
    """The part of the widget's `customData` kept with a message: short text under
    `KEPT_METADATA` keys; anything else (not an object, not JSON) is dropped."""
    if isinstance(custom_data, str):
        try:
            custom_data = json.loads(custom_data)
        except ValueError:
            return None
    if not isinstance(custom_data, dict):
        return None
    kept = {key: value for key in KEPT_METADATA
            if isinstance(value := custom_data.get(key), str) and len(value) <= MAX_METADATA_CHARS}
    return kept or None


def _no_cors_headers(_environ: dict[str, Any]) -> list[tuple[str, str]]:
    return []
