"""`make bench-load`'s WeChat followers: messages signed and encrypted (安全模式) exactly as WeChat's
servers send them, built with wechatpy, to our channel's webhook (bot/channels/wechat.py).

Each conversation is one new follower (openid). A message is a text message XML, encrypted with the
account's EncodingAESKey and posted with `signature`, `timestamp`, `nonce`, `openid`,
`encrypt_type=aes` and `msg_signature`. The answer is the passive reply (decrypted and its
signature checked) when the assistant answers within its passive window (4 s); otherwise the
channel answers `success` and sends the reply through the customer-service API, which here is the
fake API (tools/fake_wechat_api.py) the benchmark starts and the channel is configured with: the
turn ends when the reply arrives there, and counts as late. (A long answer's further parts also go
through that API, half a second after the passive reply; one still in flight when the same
follower's next message is answered late would be taken for that answer: rare, and it only
shortens that latency.)
"""

from __future__ import annotations

import asyncio
import secrets
import string
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner

from bot import graders
from tools.bench.users import REQUEST_TIMEOUT, Answer, Ask, HTTPChannel, TurnFailed
from tools.fake_wechat_api import FakeWeChatAPI

ACCOUNT = "gh_bench_load"  # the Official Account's own id (ToUserName)
API_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class WeChatAccount:
    """An Official Account's credentials as the channel reads them (WECHAT_* settings)."""

    token: str
    appid: str
    secret: str
    aes_key: str

    @classmethod
    def made_up(cls) -> WeChatAccount:
        """A new account of the right shapes for one benchmark run (the EncodingAESKey: 43
        characters of base64)."""
        alphabet = string.ascii_letters + string.digits
        return cls(token=secrets.token_hex(16), appid="wx" + secrets.token_hex(8), secret=secrets.token_hex(16),
                   aes_key="".join(secrets.choice(alphabet) for _ in range(43)))

    def env(self, api_base: str) -> dict[str, str]:
        """The assistant's settings for this account in 安全模式, its API at `api_base`."""
        return {"WECHAT_TOKEN": self.token, "WECHAT_APPID": self.appid, "WECHAT_SECRET": self.secret,
                "WECHAT_AES_KEY": self.aes_key, "WECHAT_MODE": "safe", "WECHAT_API_BASE": api_base}


class WeChatChannel(HTTPChannel):
    """Followers of `account` writing to the webhook at `url` (Rasa's port); `api` is the fake
    customer-service API the assistant sends late replies to."""

    name = "WeChat"

    def __init__(self, url: str, account: WeChatAccount, api: FakeWeChatAPI) -> None:
        super().__init__()
        self.webhook = f"{url}/webhooks/wechat/webhook"
        self.account = account
        self.crypto = WeChatCrypto(account.token, account.aes_key, account.appid)
        self.api = api

    @asynccontextmanager
    async def conversation(self, number: int) -> AsyncIterator[Ask]:
        yield partial(self.ask, f"o{graders.LOAD}{number}-{uuid.uuid4().hex[:16]}")

    def signed(self, openid: str, text: str) -> tuple[dict[str, str], str]:
        """The query and body WeChat's servers post for a follower's text message in 安全模式."""
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        message = (f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
                   f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                   f"<Content>{_cdata(text)}</Content><MsgId>{uuid.uuid4().int % 10**18}</MsgId></xml>")
        envelope = xmltodict.parse(self.crypto.encrypt_message(message, nonce, timestamp))["xml"]
        signer = WeChatSigner()
        signer.add_data(self.account.token, timestamp, nonce)
        query = {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, "openid": openid,
                 "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
        body = f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><Encrypt>{_cdata(envelope['Encrypt'])}</Encrypt></xml>"
        return query, body

    async def ask(self, openid: str, text: str) -> Answer:
        query, body = self.signed(openid, text)
        sent_before = len(self.api.texts_to(openid))
        reply = await self.post(self.webhook, params=query, data=body.encode("utf-8"),
                                headers={"Content-Type": "text/xml"})
        if reply.strip() == "success":
            return Answer(await self.sent_later(openid, sent_before), late=True)
        return Answer([self.decrypted(reply)])

    def decrypted(self, reply: str) -> str:
        """The Content of an encrypted passive reply whose signature is right."""
        try:
            fields = xmltodict.parse(reply)["xml"]
            plain = self.crypto.decrypt_message(reply, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
            return str(xmltodict.parse(plain)["xml"].get("Content") or "")
        except (ExpatError, KeyError, TypeError, ValueError, InvalidSignatureException,
                InvalidAppIdException) as error:
            raise TurnFailed("unreadable reply", answered=True) from error

    async def sent_later(self, openid: str, sent_before: int) -> list[str]:
        """What the channel sent `openid` through the customer-service API after `sent_before`
        messages, once something has arrived."""
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while time.monotonic() < deadline:
            texts = self.api.texts_to(openid)[sent_before:]
            if texts:
                return texts
            await asyncio.sleep(API_POLL_SECONDS)
        raise TurnFailed("no reply through the API", answered=True)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
