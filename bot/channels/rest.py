"""Rasa's REST channel with guards: every request gets a Chinese answer or a clean HTTP error.

credentials.yml, instead of ``rest:`` (the URL stays /webhooks/rest/webhook)::

    bot.channels.rest.GuardedRestInput:
      max_message_chars: 2000
      max_body_bytes: 65536
      allowed_clients: 10.1.2.0/24   # optional (or REST_ALLOWED_CLIENTS): only these and this host

The REST channel is for trusted integrations (docs/deploy.md says how to close it): with
`allowed_clients` set, a client from any other address gets 403 (the address a trusted proxy
forwards counts, bot/guard/clients.py); without it, anyone may post. The client
names its users (`sender`), but the server files them under `rest:<sender>`
(bot/channels/conversations.py), so no REST client reaches a WeChat follower's or a widget's
conversation, and `input_channel` and `metadata` in the body are ignored (the channel is `rest`,
the metadata none): nothing a client claims is stored as if it were true. Replies carry the
client's own `sender` as `recipient_id`.

What it does differently from `rasa.core.channels.rest.RestInput`:

- a body that is not a JSON object, a missing or unusable `sender`, a `message` that is not text,
  or a body over `max_body_bytes` → 400 / 413 with a JSON error whose `message` says in Chinese what
  to send (Rasa answers 400 in HTML, 500, an empty list, or files the message under the shared
  conversation "default");
- every message passes `bot.guard.gate.Gate`: control characters and lone surrogates are removed;
  an empty message or one over `max_message_chars` is answered by the channel (`bot.guard.replies`)
  and not passed on; a sender (or an untrusted address) over its rate limit gets 429 with a polite
  Chinese `message` (bot/guard/rate.py: `RATE_LIMIT`, `RATE_LIMIT_PER_ADDRESS`);
- a question the assistant answers with nothing (the action server down, an error in the dialogue)
  gets `replies.UNAVAILABLE`, which names the 12345 hotline; so does a turn that failed (the
  tracker or lock store unreachable), even if it had produced replies before it failed.
Bodies over Sanic's REQUEST_MAX_SIZE (bot/guard/server.py) are refused by Sanic with 413 before
they are read. `GET /webhooks/rest/` is the readiness check: 200 once the model is loaded, 503
before (or if it failed to load).
"""

from __future__ import annotations

import json
import logging
import os
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

from bot.channels.conversations import rest_conversation
from bot.guard import replies
from bot.guard.clients import TrustedAddresses, client_address
from bot.guard.gate import Gate, Refusal

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
ALLOWED_CLIENTS_ENV = "REST_ALLOWED_CLIENTS"
CLOSED = "此接口仅供授权系统使用。居民请使用网页或微信公众号咨询，或拨打12345市民服务热线。"
MAX_SENDER_CHARS = 128  # Rasa's SQL tracker store keeps sender ids in a VARCHAR(255)
JSON_HINT = '请以JSON发送，例如 {"sender": "用户标识", "message": "经纬人才计划讲的是什么"}'


@dataclass(frozen=True)
class Incoming:
    sender: str  # as the client named it
    text: str

    @property
    def conversation_id(self) -> str:
        return rest_conversation(self.sender)


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
    return text


def parse_request(request: Request, max_body_bytes: int = MAX_BODY_BYTES) -> Incoming:
    """The message in a REST request (its text as sent: the gate cleans it); raises `BadRequest`
    for anything else. `input_channel` and `metadata` in the body are not read."""
    body = _extract_body(request, max_body_bytes)
    return Incoming(sender=_extract_sender(body), text=_extract_text(body))


class GuardedRestInput(RestInput):
    """The REST channel (`/webhooks/rest/webhook`) that answers bad input instead of failing."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GuardedRestInput:
        credentials = credentials or {}
        allowed = str(credentials.get("allowed_clients") or os.environ.get(ALLOWED_CLIENTS_ENV) or "")
        return cls(max_message_chars=int(credentials.get("max_message_chars") or replies.MAX_MESSAGE_CHARS),
                   max_body_bytes=int(credentials.get("max_body_bytes") or MAX_BODY_BYTES),
                   allowed_clients=TrustedAddresses.parse(allowed) if allowed.strip() else None)

    def __init__(self, max_message_chars: int = replies.MAX_MESSAGE_CHARS,
                 max_body_bytes: int = MAX_BODY_BYTES, gate: Gate | None = None,
                 trusted: TrustedAddresses | None = None, allowed_clients: TrustedAddresses | None = None) -> None:
        if max_message_chars < 1 or max_body_bytes < 1:
            raise ValueError("max_message_chars and max_body_bytes must be positive")
        self.max_message_chars = max_message_chars
        self.max_body_bytes = max_body_bytes
        self.gate = gate or Gate.from_env(max_message_chars)
        self.trusted = trusted or TrustedAddresses.from_env()
        self.allowed_clients = allowed_clients  # None: every client

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
            address = client_address(request, self.trusted)
            if self.allowed_clients is not None and not self.allowed_clients.trusts(address):
                logger.info("REST request from %s refused: not among the allowed clients", address)
                return BadRequest(403, "Forbidden", CLOSED).response()
            verdict = await self.gate.check(incoming.conversation_id, incoming.text,
                                            None if self.trusted.trusts(address) else address)
            if verdict.refusal is not None:
                return _refusal_response(incoming.sender, verdict.refusal)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(self.stream_response(on_new_message, verdict.text, incoming.conversation_id,
                                                             self.name(), None),
                                       content_type="text/event-stream")
            return response.json(await self._answer(on_new_message, incoming.sender, incoming.conversation_id,
                                                    verdict.text))

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.gate.close()

        return webhook

    async def _answer(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str,
                      conversation_id: str, text: str) -> list[dict[str, Any]]:
        collector = CollectingOutputChannel()
        failed = True
        try:
            await on_new_message(UserMessage(text, collector, conversation_id, input_channel=self.name()))
            failed = False
        except CancelledError:
            logger.error("The assistant did not answer in time (%s).", conversation_id)
        except Exception:  # the assistant failed on this message: the resident still gets an answer
            logger.exception("The assistant failed on a message (%s).", conversation_id)
        messages = replies.ensure_reply(collector.messages, conversation_id, text, failed=failed)
        return [{**message, "recipient_id": sender} for message in messages]


def _refusal_response(sender: str, refusal: Refusal) -> HTTPResponse:
    if refusal.status == 429:
        return response.json({"status": 429, "reason": refusal.reason, "message": refusal.text}, status=429,
                             headers={"Retry-After": str(refusal.retry_after)}, ensure_ascii=False)
    return response.json([{"recipient_id": sender, "text": refusal.text}], ensure_ascii=False)
