"""Rasa's REST channel with guards: every request gets a Chinese answer or a clean HTTP error.

credentials.yml, instead of ``rest:`` (the URL stays /webhooks/rest/webhook)::

    bot.channels.rest.GuardedRestInput:
      max_message_chars: 2000
      max_body_bytes: 65536

What it does differently from `rasa.core.channels.rest.RestInput`:

- a body that is not a JSON object, a missing or unusable `sender`, a `message` that is not text,
  or a body over `max_body_bytes` → 400 / 413 with a JSON error whose `message` says in Chinese what
  to send (Rasa answers 400 in HTML, 500, an empty list, or files the message under the shared
  conversation "default");
- control characters and lone surrogates are removed; an empty message or one over
  `max_message_chars` is answered by the channel (`bot.guard.replies`) and not passed on;
- a question the assistant answers with nothing (the action server down, an error in the dialogue)
  gets `replies.UNAVAILABLE`, which names the 12345 hotline; so does a turn that failed (the
  tracker or lock store unreachable), even if it had produced replies before it failed.
Bodies over Sanic's own REQUEST_MAX_SIZE (100 MB) are refused by Sanic with 413 before any of this.
`GET /webhooks/rest/` is the readiness check: 200 once the model is loaded, 503 before (or if it
failed to load).
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.guard import replies

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128  # Rasa's SQL tracker store keeps sender ids in a VARCHAR(255)
JSON_HINT = '请以JSON发送，例如 {"sender": "用户标识", "message": "经纬人才计划是什么"}'


@dataclass(frozen=True)
class Incoming:
    sender: str
    text: str
    metadata: dict[str, Any] | None
    input_channel: str


class BadRequest(Exception):
    """A request the channel refuses, with its HTTP status and the Chinese explanation."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def response(self) -> HTTPResponse:
        return response.json({"status": self.status, "reason": self.reason, "message": self.message},
                             status=self.status, ensure_ascii=False)


def _extract_body(request: Request, max_body_bytes: int) -> dict[str, Any]:
    body = request.body or b""
    if len(body) > max_body_bytes:
        raise BadRequest(413, "PayloadTooLarge", f"请求过大（超过{max_body_bytes}字节），请只发送您的问题。")
    try:
        parsed = json.loads(body)
    except ValueError:
        raise BadRequest(400, "InvalidJSON", f"请求体不是有效的JSON。{JSON_HINT}") from None
    if not isinstance(parsed, dict):
        raise BadRequest(400, "InvalidJSON", f"请求体应为JSON对象。{JSON_HINT}")
    return parsed


def _extract_sender(body: dict[str, Any]) -> str:
    sender = body.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest(400, "MissingSender", f"缺少sender（用户标识），同一用户的对话靠它连贯。{JSON_HINT}")
    if len(sender) > MAX_SENDER_CHARS or replies.clean_text(sender) != sender:
        raise BadRequest(400, "InvalidSender", f"sender最长{MAX_SENDER_CHARS}个字符，且不能含控制字符。")
    return sender


def _extract_text(body: dict[str, Any]) -> str:
    text = body.get("message")
    if not isinstance(text, str):
        raise BadRequest(400, "MissingMessage", f"缺少message（您的问题），或它不是文字。{JSON_HINT}")
    return replies.clean_text(text)


def parse_request(request: Request, max_body_bytes: int = MAX_BODY_BYTES) -> Incoming:
    """The message in a REST request; raises `BadRequest` for anything else."""
    body = _extract_body(request, max_body_bytes)
    metadata = body.get("metadata")
    channel = body.get("input_channel")
    return Incoming(sender=_extract_sender(body), text=_extract_text(body),
                    metadata=metadata if isinstance(metadata, dict) else None,
                    input_channel=channel if isinstance(channel, str) and channel else RestInput.name())


class GuardedRestInput(RestInput):
    """The REST channel (`/webhooks/rest/webhook`) that answers bad input instead of failing."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GuardedRestInput:
        credentials = credentials or {}
        return cls(max_message_chars=int(credentials.get("max_message_chars") or replies.MAX_MESSAGE_CHARS),
                   max_body_bytes=int(credentials.get("max_body_bytes") or MAX_BODY_BYTES))

    def __init__(self, max_message_chars: int = replies.MAX_MESSAGE_CHARS,
                 max_body_bytes: int = MAX_BODY_BYTES) -> None:
        if max_message_chars < 1 or max_body_bytes < 1:
            raise ValueError("max_message_chars and max_body_bytes must be positive")
        self.max_message_chars = max_message_chars
        self.max_body_bytes = max_body_bytes

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            # Ready only with a model: Rasa listens even when its model failed to load (and then
            # answers nothing). The launchers, the cluster and Kubernetes' readiness probe ask here.
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "no model loaded", "guarded": True}, status=503)
            return response.json({"status": "ok", "guarded": True})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                incoming = parse_request(request, self.max_body_bytes)
            except BadRequest as refused:
                logger.info("REST request refused: %s", refused.reason)
                return refused.response()
            answer = replies.check_text(incoming.text, self.max_message_chars)
            if answer is not None:
                return response.json([{"recipient_id": incoming.sender, "text": answer}])
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(self.stream_response(on_new_message, incoming.text, incoming.sender,
                                                             incoming.input_channel, incoming.metadata),
                                       content_type="text/event-stream")
            return response.json(await self._answer(on_new_message, incoming))

        return webhook

    @staticmethod
    async def _answer(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      incoming: Incoming) -> list[dict[str, Any]]:
        collector = CollectingOutputChannel()
        failed = True
        try:
            await on_new_message(UserMessage(incoming.text, collector, incoming.sender,
                                             input_channel=incoming.input_channel, metadata=incoming.metadata))
            failed = False
        except CancelledError:
            logger.error("The assistant did not answer in time (sender %s).", incoming.sender)
        except Exception:  # the assistant failed on this message: the resident still gets an answer
            logger.exception("The assistant failed on a message (sender %s).", incoming.sender)
        return replies.ensure_reply(collector.messages, incoming.sender, incoming.text, failed=failed)
