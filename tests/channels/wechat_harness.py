"""Test doubles around the WeChat channel, all over real HTTP on 127.0.0.1.

- `WeChat`: wechatpy acting as WeChat's servers: signs (and in 安全模式 encrypts) requests to the
  channel's webhook and decrypts its replies.
- `ChannelServer`: a real channel blueprint in a Sanic app, with any `on_new_message` callable.

The fake WeChat API, the loop thread the servers run on and the test account's credentials are in
tests/fakes/wechat_api.py (the session-wide assistant in tests/conftest.py uses them too).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import xmltodict
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.fakes.wechat_api import AES_KEY, APPID, TOKEN, free_port

ACCOUNT = "gh_shizhong"
LONG_ANSWER = "经纬人才" * 200  # 2,400 bytes: one passive part and one sent through the API
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Content>&xxe;</Content></xml>"""


def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `condition` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s")


@dataclass
class Reply:
    status: int
    body: str
    seconds: float
    fields: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)  # as sent (signature, msg_signature, …)

    @property
    def content(self) -> str:
        return self.fields.get("Content", "")


class WeChat:
    """WeChat's side of the webhook, built with wechatpy."""

    def __init__(self, webhook_url: str, token: str = TOKEN, aes_key: str = AES_KEY,
                 appid: str = APPID) -> None:
        self.url = webhook_url
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, appid)

    def signed_query(self, timestamp: int | None = None, **extra: str) -> dict[str, str]:
        """A query signed as WeChat signs it: now (or `timestamp`), a new nonce, and `extra`."""
        timestamp, nonce = str(int(time.time()) if timestamp is None else timestamp), uuid.uuid4().hex[:10]
        signer = WeChatSigner()
        signer.add_data(self.token, timestamp, nonce)
        return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, **extra}

    def post(self, xml: str | bytes, mode: str = "plain", query: dict[str, str] | None = None,
             openid: str = "", forge: dict[str, str] | None = None) -> Reply:
        """POST `xml` as WeChat would in `mode` ("plain", "compatible" or "aes").

        `forge` replaces query parameters after signing and encryption, as an attacker would.
        """
        query = query if query is not None else self.signed_query(openid=openid)
        body = xml.encode("utf-8") if isinstance(xml, str) else xml
        if mode != "plain":
            envelope = xmltodict.parse(self.crypto.encrypt_message(body.decode("utf-8"), query["nonce"],
                                                                   query["timestamp"]))["xml"]
            query = {**query, "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
            encrypted = f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt>"
            inner = body.decode("utf-8").strip()
            if mode == "compatible":
                body = (inner[:-len("</xml>")] + encrypted + "</xml>").encode("utf-8")
            else:
                body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>{encrypted}</xml>".encode()
        query = {**query, **(forge or {})}
        started = time.monotonic()
        status, text = http("POST", f"{self.url}?{urllib.parse.urlencode(query)}", body)
        reply = Reply(status, text, time.monotonic() - started, query=query)
        if status == 200 and text.startswith("<xml>"):
            fields = xmltodict.parse(text)["xml"]
            if "Encrypt" in fields:
                assert mode != "plain", "an encrypted reply to a plaintext message"
                plain = self.crypto.decrypt_message(text, fields["MsgSignature"], fields["TimeStamp"],
                                                    fields["Nonce"])
                fields = xmltodict.parse(plain)["xml"]
            else:
                assert mode == "plain", "a plaintext reply to an encrypted message"
            reply.fields = fields
        return reply

    def text(self, content: str, openid: str, mode: str = "plain", msg_id: int | None = None) -> Reply:
        return self.post(message_xml(openid, "text", Content=content,
                                     MsgId=str(msg_id or uuid.uuid4().int % 10**18)), mode, openid=openid)

    def event(self, openid: str, event: str, mode: str = "plain", created: int | None = None,
              **fields: str) -> Reply:
        return self.post(message_xml(openid, "event", created, Event=event, **fields), mode, openid=openid)


def message_xml(openid: str, msg_type: str, created: int | None = None, **fields: str) -> str:
    items = {"ToUserName": ACCOUNT, "FromUserName": openid,
             "CreateTime": str(created or int(time.time())), "MsgType": msg_type, **fields}
    return "<xml>" + "".join(f"<{name}>{cdata(value)}</{name}>" for name, value in items.items()) + "</xml>"


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def http(method: str, url: str, body: bytes | None = None, timeout: float = 30) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "text/xml"} if body else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


class ChannelServer:
    """A channel's real blueprint in a Sanic app (on 127.0.0.1 unless `host` says otherwise), as
    Rasa mounts it; `config` sets Sanic settings (e.g. PROXIES_COUNT)."""

    def __init__(self, channel: Any, on_new_message: Callable[[Any], Awaitable[Any]],
                 prefix: str = "/webhooks/wechat", host: str = "127.0.0.1",
                 config: dict[str, Any] | None = None) -> None:
        Sanic.test_mode = True
        self.app = Sanic(f"channel_test_{uuid.uuid4().hex[:8]}", configure_logging=False)
        self.app.config.update(config or {})
        self.app.blueprint(channel.blueprint(on_new_message), url_prefix=prefix)
        self.host = host
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{prefix}"
        self._server: Any = None

    async def start(self) -> None:
        self._server = await self.app.create_server(host=self.host, port=self.port,
                                                    return_asyncio_server=True, access_log=False)
        await self._server.startup()
        await self._server.before_start()
        await self._server.after_start()

    async def stop(self) -> None:
        await self._server.before_stop()
        self._server.close()
        await self._server.wait_closed()
        await self._server.after_stop()
