"""The WeChat Official Account (服务号) channel: `/webhooks/wechat/webhook`.

WeChat POSTs each follower message as XML (plaintext, compatible or 安全模式), signed with the
account's token, and waits 5 s for a passive reply. The channel answers passively when the
assistant replies within `reply_timeout` (4 s); otherwise it answers `success` at once, lets the
assistant finish in the background and delivers the reply through the customer-service message
API. The conversation is `wx:<openid>` (bot/channels/conversations.py). Setup for district
admins: docs/wechat.md.

A request is taken only when its signature is right, its timestamp within 300 s of now and its
(timestamp, nonce) pair not used before (remembered for 600 s, in Redis when `REDIS_URL` is
set): a signature seen once cannot sign another message. With an AES key the account is in
安全模式 (`WECHAT_MODE=safe`, the default then): only `encrypt_type=aes` with a valid
`msg_signature` is accepted; `WECHAT_MODE=plaintext` accepts plaintext too. Fields of the wrong
shape get 400, the text passes the same gate as every channel's (bot/guard/gate.py: text rules,
a rate limit per follower; WeChat's servers are not limited by address).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.messages import BaseMessage

from bot.channels.conversations import wechat_conversation
from bot.channels.wechat_api import DEFAULT_API_BASE, WeChatAPI, WeChatAPIError
from bot.channels.wechat_format import chosen_option, render_turn, split_message
from bot.channels.wechat_menu import Menu
from bot.channels.wechat_protocol import (
    TIMESTAMP_WINDOW_SECONDS,
    MessageCrypto,
    SignatureError,
    WeChatRequestError,
    check_fields,
    check_signature,
    check_timestamp,
    message_from,
    parse_xml,
    text_reply,
)
from bot.channels.wechat_state import memories
from bot.guard.gate import Gate
from bot.guard.replies import ensure_reply

logger = logging.getLogger(__name__)

ENVIRONMENT = {"token": "WECHAT_TOKEN", "appid": "WECHAT_APPID", "secret": "WECHAT_SECRET",
               "aes_key": "WECHAT_AES_KEY"}
# "safe" (安全模式 or 兼容模式: encrypted messages only) or "plaintext" (明文模式); empty: safe
# when there is an AES key, plaintext otherwise.
MODE_ENV = "WECHAT_MODE"
SAFE, PLAINTEXT = "safe", "plaintext"
# With a Redis URL (the cluster's), the retry and option memories are shared by all instances.
REDIS_URL_ENV = "REDIS_URL"
DEFAULT_REPLY_TIMEOUT = 4.0
RETRY_MEMORY_SECONDS = 300  # WeChat retries three times within about 15 s
# A (timestamp, nonce) pair is accepted up to 300 s either side of now: remembered for both sides.
NONCE_MEMORY_SECONDS = 2 * TIMESTAMP_WINDOW_SECONDS
OPTIONS_MEMORY_SECONDS = 24 * 3600
FOLLOW_UP_DELAY_SECONDS = 0.5  # lets the passive reply arrive before the parts sent after it
SHUTDOWN_GRACE_SECONDS = 10


class WeChatOutput(CollectingOutputChannel):
    """Collects one turn's responses; the input channel renders them for WeChat afterwards."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # Unlike the collector, keep paragraphs together: WeChat messages are few and long.
        await self._persist_message(self._message(recipient_id, text=text))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        if isinstance(json_message.get("text"), str):
            await self.send_text_message(recipient_id, json_message["text"])
        else:
            logger.warning("WeChat cannot show a custom response without 'text'; not sent: %s",
                           sorted(json_message))


class WeChatInput(InputChannel):
    """Receives a 服务号's messages; off (and saying so) when its credentials are empty."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        values = {key: str((credentials or {}).get(key) or "").strip() for key in ENVIRONMENT}
        if not any(values.values()):
            logger.warning("The WeChat channel is off: %s are empty. Set them to connect the "
                           "服务号 (docs/wechat.md).", ", ".join(ENVIRONMENT.values()))
            return cls(token="", appid="", secret="")
        missing = [ENVIRONMENT[key] for key in ("token", "appid", "secret") if not values[key]]
        if missing:
            raise RasaException(f"The WeChat channel needs {', '.join(missing)} (set all of "
                                f"{', '.join(ENVIRONMENT.values())}, or none to turn it off).")
        options = credentials or {}
        api_base = str(options.get("api_base") or os.environ.get("WECHAT_API_BASE") or DEFAULT_API_BASE)
        redis_url = str(options.get("redis_url") or os.environ.get(REDIS_URL_ENV) or "")
        mode = str(options.get("mode") or os.environ.get(MODE_ENV) or "")
        try:
            return cls(**values, api_base=api_base, redis_url=redis_url, mode=mode,
                       reply_timeout=float(options.get("reply_timeout") or DEFAULT_REPLY_TIMEOUT))
        except ValueError as error:
            raise RasaException(f"The WeChat channel cannot start: {error} "
                                f"(check {ENVIRONMENT['aes_key']} and {MODE_ENV}; docs/wechat.md).") from error

    def __init__(self, token: str, appid: str, secret: str, aes_key: str = "",
                 api_base: str = DEFAULT_API_BASE, reply_timeout: float = DEFAULT_REPLY_TIMEOUT,
                 menu: Menu | None = None, redis_url: str = "", mode: str = "",
                 gate: Gate | None = None) -> None:
        self.enabled = bool(token)
        self.token = token
        self.crypto = MessageCrypto(token, aes_key, appid) if aes_key else None
        mode = (mode.strip().lower() or (SAFE if aes_key else PLAINTEXT))
        if mode not in (SAFE, PLAINTEXT):
            raise ValueError(f"{MODE_ENV} is {SAFE} (安全模式/兼容模式) or {PLAINTEXT} (明文模式), not {mode!r}")
        if mode == SAFE and not aes_key:
            raise ValueError(f"{MODE_ENV}={SAFE} needs the EncodingAESKey")
        self.accepts_plaintext = mode == PLAINTEXT
        self.api = WeChatAPI(appid, secret, api_base)
        self.reply_timeout = reply_timeout
        self.menu = menu or Menu.load()
        memory = memories(redis_url, f"shizhong:wechat:{appid}",
                          {"seen": RETRY_MEMORY_SECONDS, "options": OPTIONS_MEMORY_SECONDS,
                           "nonces": NONCE_MEMORY_SECONDS})
        self.seen, self.options, self.nonces = memory["seen"], memory["options"], memory["nonces"]
        self.gate = gate or Gate.from_env()
        self._background: set[asyncio.Task] = set()
        if self.enabled:
            logger.info("The WeChat channel is on (%s; API %s; retry, nonce and option memory %s; rate limits %s).",
                        "安全模式/兼容模式: encrypted messages only" if not self.accepts_plaintext
                        else "明文模式" + (", encrypted messages too" if self.crypto else ""), api_base,
                        "in Redis" if redis_url else "in this process", self.gate.limits.describe())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("wechat_webhook", __name__)

        @webhook.get("/")
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        @webhook.get("/webhook")
        async def verify(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("the WeChat channel is off", status=503)
            try:
                if not await self._check_signed(request):
                    raise SignatureError("timestamp and nonce already used")
            except WeChatRequestError as error:
                return _refused(error)
            echostr = request.args.get("echostr")
            if not echostr:
                return response.text("echostr missing", status=400)
            return response.text(echostr)

        @webhook.post("/webhook")
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("the WeChat channel is off", status=503)
            try:
                fresh = await self._check_signed(request)
                message, encrypted = self._extract_message(request)
            except WeChatRequestError as error:
                return _refused(error)
            if not fresh and await self.seen.get(_message_key(message)) is None:
                return _refused(SignatureError("timestamp and nonce already used, for another message"))
            if not await self.seen.add_new(_message_key(message)):
                logger.info("WeChat retried a message already taken (from %s); not answered again",
                            message.source)
                return response.text("success")
            reply = await self._answer(message, on_new_message)
            if reply is None:
                return response.text("success")
            xml = text_reply(message.source, message.target, reply)
            if encrypted:
                xml = self.crypto.encrypt(xml, nonce=request.args.get("nonce"))
            return response.text(xml, content_type="application/xml; charset=utf-8")

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self._background:
                await asyncio.wait(self._background, timeout=SHUTDOWN_GRACE_SECONDS)
            await self.api.close()
            await self.seen.close()
            await self.options.close()
            await self.nonces.close()
            await self.gate.close()

        return webhook

    def _signed(self, request: Request) -> tuple[str | None, str | None, str | None]:
        args = request.args
        return args.get("signature"), args.get("timestamp"), args.get("nonce")

    async def _check_signed(self, request: Request) -> bool:
        """Raise `SignatureError` unless the request is signed with a recent timestamp; whether its
        (timestamp, nonce) pair is new (False: used before, which only a retry of the same message
        may do)."""
        signature, timestamp, nonce = self._signed(request)
        check_signature(self.token, signature, timestamp, nonce)
        check_timestamp(timestamp)
        return await self.nonces.add_new(f"{timestamp}:{nonce}")

    def _extract_message(self, request: Request) -> tuple[BaseMessage, bool]:
        """The checked (and decrypted) message of a POST whose signature `_check_signed` checked,
        and whether it came encrypted."""
        _, timestamp, nonce = self._signed(request)
        fields = parse_xml(request.body)
        encrypted = (request.args.get("encrypt_type") or "raw").lower() == "aes"
        if encrypted:
            if self.crypto is None:
                raise WeChatRequestError(f"an encrypted message, but {ENVIRONMENT['aes_key']} is empty")
            fields = self.crypto.decrypt(fields, request.args.get("msg_signature"), timestamp, nonce)
        elif not self.accepts_plaintext:
            raise SignatureError(f"a plaintext message, but the account is in 安全模式 ({MODE_ENV}={PLAINTEXT} "
                                 "accepts plaintext)")
        check_fields(fields)
        message = message_from(fields)
        try:
            message.id, message.time  # noqa: B018 (wechatpy converts these lazily)
        except (TypeError, ValueError) as error:
            raise WeChatRequestError(f"MsgId or CreateTime is not a number: {error}") from error
        return message, encrypted

    async def _answer(self, message: BaseMessage,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str | None:
        """The passive reply to `message`, or None (nothing to say, or the answer comes later)."""
        openid = message.source
        incoming = self.menu.incoming(message)
        if incoming.reply:
            return split_message(incoming.reply)[0]
        if incoming.question is None:
            return None
        chosen = chosen_option(incoming.question, await self.options.get(openid) or []) or incoming.question
        verdict = await self.gate.check(wechat_conversation(openid), chosen)
        if verdict.refusal is not None:
            return split_message(verdict.refusal.text)[0]
        text = verdict.text
        output = WeChatOutput()
        user_message = UserMessage(text, output, wechat_conversation(openid), input_channel=self.name(),
                                   message_id=str(message.id) if message.id else None,
                                   metadata={"wechat_msg_type": message.type})
        turn = self._start(on_new_message(user_message))
        failed = True
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.reply_timeout)
            failed = False
        except asyncio.TimeoutError:
            logger.info("The assistant took over %.1f s for %s; the reply goes through the "
                        "customer-service API", self.reply_timeout, openid)
            self._start(self._deliver_later(turn, output, openid, text))
            return None
        except Exception:
            logger.exception("The assistant failed on a WeChat message from %s", openid)
        parts = await self._render(openid, ensure_reply(output.messages, openid, text, failed=failed))
        if len(parts) > 1:
            self._start(self._send(openid, parts[1:], delay=FOLLOW_UP_DELAY_SECONDS))
        return parts[0] if parts else None

    async def _render(self, openid: str, messages: list[dict[str, Any]]) -> list[str]:
        """The turn as WeChat text parts; remembers its numbered options for the next message."""
        rendered = render_turn(messages)
        if rendered.options:
            await self.options.put(openid, rendered.options)
        elif rendered.text:
            await self.options.pop(openid)
        return split_message(rendered.text) if rendered.text else []

    async def _deliver_later(self, turn: asyncio.Future, output: WeChatOutput, openid: str, text: str) -> None:
        failed = True
        try:
            await turn
            failed = False
        except Exception:
            logger.exception("The assistant failed on a WeChat message from %s", openid)
        # A turn that produced nothing (the action server down, an error) or failed (a store down)
        # still gets an answer: the apology.
        await self._send(openid, await self._render(openid, ensure_reply(output.messages, openid, text, failed)))

    async def _send(self, openid: str, parts: list[str], delay: float = 0) -> None:
        await asyncio.sleep(delay)
        for part in parts:
            try:
                await self.api.send_text(openid, part)
            except WeChatAPIError as error:
                logger.error("Could not send a customer-service message to %s: %s", openid, error)
                return

    def _start(self, awaitable: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.ensure_future(awaitable)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task


def _message_key(message: BaseMessage) -> str:
    """What identifies a message across WeChat's retries: MsgId, or sender + CreateTime for events."""
    if message.id:
        return f"msg:{message.id}"
    return f"event:{message.source}:{message.time}"


def _refused(error: WeChatRequestError) -> HTTPResponse:
    logger.warning("Refused a WeChat request (%d): %s", error.status, error)
    return response.text("forbidden" if error.status == 403 else "bad request", status=error.status)
