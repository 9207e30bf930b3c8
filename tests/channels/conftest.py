"""Fixtures for the WeChat channel tests: the channel on a real port with a fake assistant behind it.

The fake WeChat API (`fake_api_server`, `fake_api`), the event loop thread it runs on and the real
assistant with the channel turned on (`servers`, for `server` tests) are session-wide fixtures in
tests/conftest.py. Everything listens on 127.0.0.1 and runs on that one loop, so the tests talk to
it over real HTTP as WeChat would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.wechat import WeChatInput
from tests.channels.wechat_harness import LONG_ANSWER, ChannelServer, WeChat
from tests.fakes.wechat_api import AES_KEY, APPID, SECRET, TOKEN, FakeWeChatAPI
from tools.loop_thread import LoopThread

LATE_SECONDS = 5.0


class FakeAssistant:
    """A real asyncio `on_new_message`: answers through the message's own output channel."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        out, to, text = message.output_channel, message.sender_id, message.text
        if text == "慢问题":
            await asyncio.sleep(LATE_SECONDS)
            await out.send_text_message(to, "经纬人才计划：迟到的回答")
        elif text == "你好":
            await out.send_text_with_buttons(to, "您好！请选择：", [
                {"title": "人才政策", "payload": "人才政策问题"},
                {"title": "民生工程", "payload": "民生工程问题"}])
        elif text == "长文":
            await out.send_text_message(to, LONG_ANSWER)
        elif text == "格式":
            await out.send_text_message(to, "## 经纬人才\n**落户**：见 [官网](https://example.org)")
        elif text == "两条":
            await out.send_text_message(to, "第一条")
            await out.send_image_url(to, "https://example.org/a.png")
        else:
            await out.send_text_message(to, f"回答：{text}")

    def texts(self) -> list[str]:
        return [message.text for message in self.received]


@pytest.fixture(scope="session")
def fake_assistant() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture(scope="session")
def channel_server(loop_thread: LoopThread, fake_api_server: FakeWeChatAPI,
                   fake_assistant: FakeAssistant) -> Iterator[ChannelServer]:
    # 明文模式 with the key set: plaintext and encrypted messages (as while an account switches modes).
    channel = WeChatInput(TOKEN, APPID, SECRET, AES_KEY, api_base=fake_api_server.url, mode="plaintext")
    server = ChannelServer(channel, fake_assistant)
    loop_thread.run(server.start())
    yield server
    loop_thread.run(server.stop())


@pytest.fixture
def wechat(channel_server: ChannelServer, fake_api: FakeWeChatAPI,
           fake_assistant: FakeAssistant) -> WeChat:
    fake_assistant.received.clear()
    return WeChat(f"{channel_server.url}/webhook")


@pytest.fixture
def openid() -> str:
    return f"o-test-{uuid.uuid4().hex[:16]}"

