"""The WeChat channel's retry and option memory in the real Redis (127.0.0.1:6379), shared by two
channels as by two Rasa instances behind a load balancer; and what happens when Redis is down."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator

import pytest

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_state import LocalMemory, RedisMemory, memories, redis_client
from tests.channels.wechat_harness import ChannelServer, WeChat
from tests.fakes.net import free_port
from tests.fakes.redis_keys import REDIS_URL
from tests.fakes.wechat_api import AES_KEY, APPID, SECRET, TOKEN

pytestmark = pytest.mark.redis

def test_no_url_keeps_the_memory_in_the_process() -> None:
    memory = memories("", "p", {"seen": 5, "options": 10})
    assert all(isinstance(m, LocalMemory) for m in memory.values())
    assert (memory["seen"].ttl, memory["options"].ttl) == (5, 10)


def test_redis_memory_remembers_forgets_and_expires(redis_prefix: str) -> None:
    async def scenario() -> None:
        client = redis_client(REDIS_URL)
        seen, options = RedisMemory(client, f"{redis_prefix}:seen:", 0.5), RedisMemory(client, f"{redis_prefix}:o:", 30)
        try:
            assert await seen.add_new("msg:1") and not await seen.add_new("msg:1")
            await options.put("openid", ["人才政策", "/ask_livelihood"])
            assert await options.get("openid") == ["人才政策", "/ask_livelihood"]
            assert 0 < await client.pttl(f"{redis_prefix}:o:openid") <= 30_000
            await options.pop("openid")
            assert await options.get("openid") is None
            await asyncio.sleep(0.7)
            assert await seen.add_new("msg:1")  # expired: WeChat stopped retrying long ago
        finally:
            await client.close()

    asyncio.run(scenario())


def test_unreachable_redis_takes_messages_as_new_and_says_so(caplog) -> None:
    async def scenario() -> None:
        client = redis_client(f"redis://127.0.0.1:{free_port()}/0")
        memory = RedisMemory(client, "x:", 10)
        try:
            assert await memory.add_new("msg:1") and await memory.add_new("msg:1")
            await memory.put("openid", ["a"])
            assert await memory.get("openid") is None
        finally:
            await client.close()

    with caplog.at_level(logging.ERROR, logger="bot.channels.wechat_state"):
        asyncio.run(scenario())
    assert "Redis unreachable" in caplog.text and "taken as new" in caplog.text


@pytest.fixture
def two_channels(loop_thread, fake_api_server, fake_assistant, redis_prefix,
                 monkeypatch) -> Iterator[list[WeChat]]:
    """Two channel servers (two 'instances') sharing one Redis, as the cluster runs them."""
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    servers = []
    for _ in range(2):
        channel = WeChatInput.from_credentials({"token": TOKEN, "appid": APPID, "secret": SECRET,
                                                "aes_key": AES_KEY, "api_base": fake_api_server.url,
                                                "mode": "plaintext"})
        for memory in (channel.seen, channel.options, channel.nonces):
            assert isinstance(memory, RedisMemory)
            memory.prefix = memory.prefix.replace("shizhong:", f"{redis_prefix}:", 1)
        servers.append(ChannelServer(channel, fake_assistant))
    for server in servers:
        loop_thread.run(server.start())
    fake_assistant.received.clear()
    yield [WeChat(f"{server.url}/webhook") for server in servers]
    for server in servers:
        loop_thread.run(server.stop())


def test_a_retry_reaching_the_other_instance_is_not_answered_twice(two_channels, fake_assistant) -> None:
    first, second = two_channels
    openid = f"o-redis-{uuid.uuid4().hex[:12]}"
    assert first.text("经纬人才计划讲的是啥", openid, msg_id=880001).content == "回答：经纬人才计划讲的是啥"
    retry = second.text("经纬人才计划讲的是啥", openid, msg_id=880001)
    assert retry.body == "success"
    assert fake_assistant.texts() == ["经纬人才计划讲的是啥"]


def test_a_number_chosen_on_the_other_instance_sends_the_option(two_channels, fake_assistant) -> None:
    first, second = two_channels
    openid = f"o-redis-{uuid.uuid4().hex[:12]}"
    first.text("你好", openid)
    assert second.text("2", openid).content == "回答：民生工程问题"
    assert first.text("2", openid).content == "回答：2"  # answered: "2" is text again, on either
