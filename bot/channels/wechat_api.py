"""An async client for the two WeChat API calls the channel needs, with a cached access token.

`POST /cgi-bin/stable_token` gets the access token (cached until shortly before it expires);
`POST /cgi-bin/message/custom/send` sends a customer-service (客服) text message. When WeChat says
the token is invalid or expired (40001, 40014, 42001) the token is refreshed once and the call
repeated. Uses aiohttp on the running event loop: never wechatpy's blocking client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Refresh this long before WeChat's stated expiry, so a token never expires in flight.
EXPIRY_MARGIN_SECONDS = 300
REQUEST_TIMEOUT_SECONDS = 10


class WeChatAPIError(Exception):
    """WeChat answered with an error code, or not in JSON, or not at all."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatAPI:
    """The customer-service message API of one Official Account."""

    def __init__(self, appid: str, secret: str, base_url: str = DEFAULT_API_BASE) -> None:
        self.appid = appid
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def access_token(self, force_refresh: bool = False) -> str:
        """The cached access token, fetched from the stable token endpoint when due."""
        async with self._token_lock:
            if force_refresh or self._token is None or time.monotonic() >= self._token_expires:
                body = await self._post("/cgi-bin/stable_token", {
                    "grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret, "force_refresh": force_refresh,
                })
                if not isinstance(body.get("access_token"), str):
                    raise WeChatAPIError(-1, f"no access_token in {body}")
                lifetime = float(body.get("expires_in") or 7200)
                self._token = body["access_token"]
                self._token_expires = time.monotonic() + max(lifetime - EXPIRY_MARGIN_SECONDS, 0)
            return self._token

    async def send_text(self, openid: str, content: str) -> None:
        """Send `content` to the follower `openid` as a customer-service text message."""
        payload = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        token = await self.access_token()
        try:
            await self._post("/cgi-bin/message/custom/send", payload, access_token=token)
        except WeChatAPIError as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            logger.info("WeChat rejected the access token (%s); refreshing it once", error.errcode)
            token = await self._refreshed_token(token, force=error.errcode != 42001)
            await self._post("/cgi-bin/message/custom/send", payload, access_token=token)

    async def _refreshed_token(self, stale: str, force: bool) -> str:
        async with self._token_lock:
            if self._token == stale:
                self._token = None
        token = await self.access_token()
        if token == stale and force:
            token = await self.access_token(force_refresh=True)
        return token

    async def _post(self, path: str, payload: dict[str, Any], **params: str) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS))
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            async with self._session.post(f"{self.base_url}{path}", params=params, data=data,
                                          headers={"Content-Type": "application/json"}) as response:
                text = await response.text()
                if response.status != 200:
                    raise WeChatAPIError(-1, f"HTTP {response.status} from {path}: {text[:200]}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise WeChatAPIError(-1, f"{path} unreachable: {error!r}") from error
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            raise WeChatAPIError(-1, f"{path} did not answer in JSON: {text[:200]}") from error
        if not isinstance(body, dict):
            raise WeChatAPIError(-1, f"{path} answered {body!r}")
        if body.get("errcode"):
            raise WeChatAPIError(int(body["errcode"]), str(body.get("errmsg", "")))
        return body
