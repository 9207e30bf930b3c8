"""Rasa's socket.io channel for the web widget: only the widget's origins, and safe bot messages.

Rasa 3.6 creates its socket.io server with `cors_allowed_origins=[]`, which switches python-engineio's
Origin check off: any web page could open a socket to the assistant (over websocket as well as
polling). This channel keeps Rasa's behaviour (events, `session_persistence`, `metadata_key`) and
- accepts a connection only when it carries no Origin header (not a browser) or one of
  `cors_allowed_origins` (credentials.yml; the widget's own origin when empty), over polling and
  websocket alike; Rasa's `--cors` must name the same origins (bot.serve.Servers does);
- runs every outgoing message through `bot.web.sanitise` before it is emitted;
- emits a turn's messages once the turn is stored, and the apology naming 12345 instead when it
  failed (the tracker or lock store unreachable) or produced nothing (the action server down).

credentials.yml:

    bot.channels.socketio.WidgetSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
      metadata_key: customData
      cors_allowed_origins: ${WEB_ORIGINS}   # comma-separated; empty → DEFAULT_ORIGIN
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.guard.replies import ensure_reply
from bot.web.sanitise import sanitise_message

logger = logging.getLogger(__name__)

DEFAULT_ORIGIN = "http://127.0.0.1:8080"


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
    """Rasa's socket.io input channel, limited to the widget's origins."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.allowed_origins = parse_origins(credentials.get("cors_allowed_origins"))
        return channel

    def __init__(self, *args: Any, allowed_origins: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = parse_origins(allowed_origins)

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return SafeSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def on_safe_message(message: UserMessage) -> Any:
            if self.sio is None:
                return await on_new_message(message)
            output = message.output_channel = SafeSocketIOOutput(self.sio, self.bot_message_evt, hold=True)
            failed = True
            try:
                result = await on_new_message(message)
                failed = False
                return result
            except Exception:
                logger.exception("The assistant failed on a widget message from %s", message.sender_id)
            finally:
                # The turn's answers once it is stored; never silence: a question the assistant
                # answered with nothing (the action server down, an error) or a turn that failed
                # (a store down) gets the apology naming 12345.
                if failed:
                    output.discard()
                else:
                    await output.release()
                if output.sent == 0:
                    for reply in ensure_reply([], message.sender_id, message.text or "", failed=failed):
                        await output.send_text_message(message.sender_id, reply["text"])

        blueprint = super().blueprint(on_safe_message)
        # python-engineio checks the Origin header of every request (polling and the websocket
        # upgrade) against this list and answers a stranger with 400 before socket.io sees it.
        self.sio.eio.cors_allowed_origins = list(self.allowed_origins)
        # Rasa's Sanic app already adds CORS headers to every response (`rasa run --cors`, the same
        # origins via WEB_ORIGINS); a second Access-Control-Allow-Origin would make browsers drop
        # the polling responses, so engineio checks origins but adds no headers of its own.
        self.sio.eio._cors_headers = _no_cors_headers
        return blueprint


def _no_cors_headers(_environ: dict[str, Any]) -> list[tuple[str, str]]:
    return []
