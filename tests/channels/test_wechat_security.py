"""Forged WeChat messages, attacked as issue 18 did, against the real channel on a real port.

wechatpy plays WeChat (and the attacker, who has seen one signed URL but not the token or the AES
key); the fake assistant records what reaches the conversation. Replays across two instances
read the nonce memory in the real Redis.
"""

from __future__ import annotations

import time
import urllib.parse
import uuid

import pytest

from bot.channels.wechat import WeChatInput
from bot.guard import replies
from bot.guard.gate import Gate
from bot.guard.rate import LocalWindows, Rate, RateLimits
from tests.channels.wechat_harness import ChannelServer, WeChat, http, message_xml
from tests.fakes.redis_keys import REDIS_URL, window
from tests.fakes.wechat_api import AES_KEY, APPID, SECRET, TOKEN


def new_id() -> str:
    return str(uuid.uuid4().int % 10**18)


@pytest.fixture
def channel_on(loop_thread, fake_api_server, fake_assistant):
    """Start a channel server of the test's own; stopped afterwards."""
    started: list[ChannelServer] = []

    def start(**options) -> WeChat:
        channel = WeChatInput(TOKEN, APPID, SECRET, options.pop("aes_key", AES_KEY), api_base=fake_api_server.url,
                              **options)
        server = ChannelServer(channel, fake_assistant)
        loop_thread.run(server.start())
        started.append(server)
        fake_assistant.received.clear()
        wechat = WeChat(f"{server.url}/webhook")
        wechat.channel = channel
        return wechat

    yield start
    for server in started:
        loop_thread.run(server.stop())


# ------------------------------------------------------------------ timestamps and replays

@pytest.mark.parametrize("timestamp", [1, 4_102_444_800, "now-301", "now+301"],
                         ids=["1970", "2100", "301s-ago", "301s-ahead"])
def test_a_timestamp_far_from_now_is_refused_even_when_signed(wechat, fake_assistant, openid, timestamp) -> None:
    if isinstance(timestamp, str):
        timestamp = int(time.time()) + int(timestamp.removeprefix("now"))
    query = wechat.signed_query(timestamp=timestamp)
    reply = wechat.post(message_xml(openid, "text", Content="经纬人才计划讲的是啥", MsgId=new_id()), query=query)
    assert reply.status == 403 and reply.body == "forbidden"
    verify = wechat.signed_query(timestamp=timestamp, echostr="e")
    assert http("GET", f"{wechat.url}?{urllib.parse.urlencode(verify)}")[0] == 403
    assert fake_assistant.received == []


def test_a_recent_timestamp_within_the_window_is_taken(wechat, fake_assistant, openid) -> None:
    query = wechat.signed_query(timestamp=int(time.time()) - 280)
    assert wechat.post(message_xml(openid, "text", Content="你好呀", MsgId=new_id()), query=query).content \
        == "回答：你好呀"


@pytest.mark.parametrize("mode", ["plain", "aes"])
def test_a_replayed_signature_cannot_carry_another_message(wechat, fake_assistant, openid, mode) -> None:
    query = wechat.signed_query()
    first = message_xml(openid, "text", Content="经纬人才计划讲的是啥", MsgId=new_id())
    assert wechat.post(first, mode, query=query).content == "回答：经纬人才计划讲的是啥"
    victim = f"{openid}-victim"
    forged = wechat.post(message_xml(victim, "text", Content="我的电话是多少", MsgId=new_id()), mode, query=query)
    assert forged.status == 403
    # WeChat retrying the very same message with the same signature is still only "success"
    assert wechat.post(first, mode, query=query).body == "success"
    assert [(m.sender_id, m.text) for m in fake_assistant.received] == [(f"wx:{openid}", "经纬人才计划讲的是啥")]


def test_the_url_check_cannot_be_replayed(wechat) -> None:
    query = wechat.signed_query(echostr="first")
    assert http("GET", f"{wechat.url}?{urllib.parse.urlencode(query)}") == (200, "first")
    assert http("GET", f"{wechat.url}?{urllib.parse.urlencode({**query, 'echostr': 'again'})}")[0] == 403


@pytest.mark.redis
def test_a_replay_at_the_other_instance_is_refused_through_redis(channel_on, fake_assistant, redis_prefix,
                                                                 openid) -> None:
    import redis

    first, second = (channel_on(redis_url=REDIS_URL, mode="plaintext") for _ in range(2))
    for wechat in (first, second):  # the memories under this test's own prefix
        for memory in (wechat.channel.seen, wechat.channel.options, wechat.channel.nonces):
            memory.prefix = memory.prefix.replace("shizhong:", f"{redis_prefix}:", 1)
    query = first.signed_query()
    taken = first.post(message_xml(openid, "text", Content="你好呀", MsgId=new_id()), query=query)
    assert taken.content == "回答：你好呀"
    replay = second.post(message_xml(f"{openid}-2", "text", Content="另一个问题", MsgId=new_id()), query=query)
    assert replay.status == 403
    assert fake_assistant.texts() == ["你好呀"]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        key = f"{redis_prefix}:wechat:{APPID}:nonces:{query['timestamp']}:{query['nonce']}"
        assert client.exists(key) and 0 < client.pttl(key) <= 600_000
    finally:
        client.close()


# ------------------------------------------------------------------ 安全模式

def test_with_an_aes_key_only_encrypted_messages_are_taken(channel_on, fake_assistant, openid) -> None:
    safe = channel_on()  # the key set, no mode: 安全模式
    xml = message_xml(openid, "text", Content="经纬人才计划讲的是啥", MsgId=new_id())
    assert safe.post(xml).status == 403  # plaintext, no encrypt_type
    assert safe.post(xml, "aes", forge={"msg_signature": "0" * 40}).status == 403
    assert safe.post(xml, "aes", forge={"encrypt_type": "raw"}).status == 403
    assert fake_assistant.received == []
    assert safe.post(xml, "aes").content == "回答：经纬人才计划讲的是啥"
    assert safe.text("你好呀", openid, "compatible").content == "回答：你好呀"
    assert fake_assistant.texts() == ["经纬人才计划讲的是啥", "你好呀"]


def test_plaintext_mode_is_the_operators_choice(channel_on, fake_assistant, openid) -> None:
    assert channel_on(mode="plaintext").text("你好呀", openid).content == "回答：你好呀"
    with pytest.raises(ValueError, match="needs the EncodingAESKey"):
        WeChatInput(TOKEN, APPID, SECRET, "", mode="safe")
    with pytest.raises(ValueError, match="safe .* or plaintext"):
        WeChatInput(TOKEN, APPID, SECRET, AES_KEY, mode="both")


# ------------------------------------------------------------------ fields of the wrong shape

def raw_message(openid: str, inner: str) -> str:
    return (f"<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>text</MsgType>{inner}"
            f"<MsgId>{new_id()}</MsgId></xml>")


@pytest.mark.parametrize("inner", [
    "<Content>经纬人才</Content><Content>临时救助</Content>",
    "<Content><Content>经纬人才</Content></Content>",
    "<Content><a>1</a><b>2</b></Content>",
    '<Content lang="zh">经纬人才</Content>',
    "",
    "<Content>经纬人才</Content><FromUserName>other</FromUserName>",
], ids=["duplicated", "nested", "children", "attribute", "missing", "two-senders"])
@pytest.mark.parametrize("mode", ["plain", "aes"])
def test_fields_of_the_wrong_shape_get_400_not_500(wechat, fake_assistant, openid, inner, mode) -> None:
    reply = wechat.post(raw_message(openid, inner), mode)
    assert (reply.status, reply.body) == (400, "bad request")
    assert fake_assistant.received == []


@pytest.mark.parametrize("xml", [
    "<xml><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content></xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
    "</xml>",
    "<xml><ToUserName>gh</ToUserName><FromUserName>o1 or 1=1</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>",
], ids=["no-recipient", "event-without-event", "not-an-openid"])
def test_missing_fields_get_400(wechat, fake_assistant, xml) -> None:
    assert wechat.post(xml).status == 400
    assert fake_assistant.received == []


# ------------------------------------------------------------------ text rules and rate limits

@pytest.mark.parametrize(("content", "answer"), [
    ("", replies.EMPTY), (" \t\u3000\x85 ", replies.EMPTY), ("经纬人才" * 600, "太长"),
])
def test_the_text_rules_of_every_channel(wechat, fake_assistant, openid, content, answer) -> None:
    reply = wechat.text(content, openid, "aes")
    assert reply.status == 200 and answer in reply.content
    assert fake_assistant.received == []


def test_control_characters_are_removed_before_the_assistant(wechat, fake_assistant, openid) -> None:
    # C1 controls are well-formed XML (C0 ones are not, and get 400 as malformed)
    assert wechat.text("\x85经纬人才\x9b计划", openid).content == "回答：经纬人才 计划"


def test_a_follower_over_the_rate_limit_gets_a_polite_reply(channel_on, fake_assistant, openid) -> None:
    gate = Gate(RateLimits(Rate(3, 10), Rate(1, 10), LocalWindows()))  # per address: never applied
    wechat = channel_on(mode="plaintext", gate=gate)
    answers = [wechat.text(f"问题{number}", openid).content for number in range(4)]
    assert answers[:3] == ["回答：问题0", "回答：问题1", "回答：问题2"]
    assert answers[3] == replies.RATE_LIMITED.format(seconds=10) and "12345" in answers[3]
    assert wechat.text("问题", f"{openid}-other").content == "回答：问题"  # others are not held up
    assert fake_assistant.texts() == ["问题0", "问题1", "问题2", "问题"]


@pytest.mark.redis
def test_the_rate_limit_holds_across_instances_through_redis(channel_on, fake_assistant, openid,
                                                             redis_prefix) -> None:
    from bot.guard.rate import RedisWindows
    from bot.redis_client import redis_client

    first, second = (channel_on(mode="plaintext", gate=Gate(RateLimits(
        Rate(3, 10), None, RedisWindows(redis_client(REDIS_URL), f"{redis_prefix}:")))) for _ in range(2))
    answers = [(first if number % 2 else second).text(f"问题{number}", openid).content for number in range(4)]
    assert answers[3].startswith("您发送消息太快了")
    count, milliseconds = window(f"{redis_prefix}:conversation:wx:{openid}")
    assert count == 3 and 0 < milliseconds <= 10_000
    assert fake_assistant.texts() == ["问题0", "问题1", "问题2"]
