"""A fake WeChat API on 127.0.0.1: the stable-token and customer-service endpoints, recording every
call. The tests' assistant (tests/fakes/wechat_api.py) and `make bench-load`'s WeChat users
(tools/bench/wechat_users.py) point the WeChat channel's `WECHAT_API_BASE` here, so that replies
sent through the customer-service API are received and read, not lost.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.processes import free_port


class FakeWeChatAPI:
    """`/cgi-bin/stable_token` and `/cgi-bin/message/custom/send` on 127.0.0.1."""

    def __init__(self, appid: str, secret: str) -> None:
        self.appid, self.secret = appid, secret
        self.token_calls: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.rejected: list[tuple[str, int]] = []
        self.fail_next: list[int] = []
        self.issued: list[str] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._runner: web.AppRunner | None = None

    def reset(self) -> None:
        self.token_calls.clear()
        self.sent.clear()
        self.rejected.clear()
        self.fail_next.clear()

    def texts_to(self, openid: str) -> list[str]:
        return [message["text"]["content"] for message in self.sent if message["touser"] == openid]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _token(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.token_calls.append(body)
        if (body.get("appid"), body.get("secret"), body.get("grant_type")) != (
                self.appid, self.secret, "client_credential"):
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        self.issued.append(f"token-{len(self.issued) + 1}")
        return web.json_response({"access_token": self.issued[-1], "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        raw = await request.read()
        if token not in self.issued:
            self.rejected.append((token, 40001))
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if self.fail_next:
            errcode = self.fail_next.pop(0)
            self.rejected.append((token, errcode))
            return web.json_response({"errcode": errcode, "errmsg": "injected failure"})
        payload = json.loads(raw.decode("utf-8"))
        payload["_token"] = token
        payload["_raw_utf8"] = "\\u" not in raw.decode("utf-8")
        self.sent.append(payload)
        return web.json_response({"errcode": 0, "errmsg": "ok"})
