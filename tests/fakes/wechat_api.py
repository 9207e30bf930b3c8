"""The test account's credentials and the fake WeChat API with them, shared by the session-wide
assistant (tests/conftest.py starts it with its WeChat channel pointed here) and the channel tests.

- `FakeWeChatAPI` (tools/fake_wechat_api.py): the stable-token and customer-service endpoints
  (aiohttp) on 127.0.0.1, recording every call; it can answer the next send with an error code
  such as 40001.
- `LoopThread` (tools/loop_thread.py): the event loop in a daemon thread that the fake (and the
  channel tests' servers) run on.
"""

from __future__ import annotations

from tests.fakes.net import free_port
from tools import fake_wechat_api

__all__ = ["AES_KEY", "APPID", "SECRET", "TOKEN", "FakeWeChatAPI", "free_port"]

TOKEN = "shizhong-test-token"
APPID = "wx0123456789abcdef"
SECRET = "test-app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat makes them


class FakeWeChatAPI(fake_wechat_api.FakeWeChatAPI):
    """The fake API of the test account."""

    def __init__(self, appid: str = APPID, secret: str = SECRET) -> None:
        super().__init__(appid, secret)
