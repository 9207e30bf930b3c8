"""End to end: wechatpy plays WeChat against the real assistant (Rasa + actions) with the channel on.

The session-wide assistant (`servers`, tests/conftest.py) has the channel on in 安全模式 (its AES
key set: encrypted messages only), its customer-service API pointed at the fake server.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid

import pytest

from bot.channels.conversations import wechat_conversation
from bot.channels.wechat_menu import Menu
from tests.channels.wechat_harness import WeChat, http, message_xml
from tools.eval import ask

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def live(servers) -> WeChat:
    ask(servers.rasa_url, "你好")  # the first turn loads what is lazily loaded
    assert http("GET", f"{servers.rasa_url}/webhooks/wechat/") == (200, '{"status":"ok"}')
    return WeChat(f"{servers.rasa_url}/webhooks/wechat/webhook")


@pytest.fixture
def follower() -> str:
    return f"oLive{uuid.uuid4().hex[:20]}"


def user_texts(servers, openid: str) -> list[str]:
    with sqlite3.connect(servers.tracker_db) as database:
        rows = database.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                                (wechat_conversation(openid),)).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


@pytest.mark.parametrize("mode", ["compatible", "aes"])
def test_a_signed_question_gets_the_right_answer_within_5_seconds(live, follower, mode) -> None:
    reply = live.text("经纬人才计划讲的是啥", follower, mode)
    assert reply.status == 200 and reply.seconds < 5
    assert "经纬人才" in reply.content
    assert "**" not in reply.content


def test_a_forged_message_gets_nothing(live, servers, follower, fake_api) -> None:
    reply = live.post(f"<xml><ToUserName>gh</ToUserName><FromUserName>{follower}</FromUserName>"
                      "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>人才住房补贴在哪申请</Content>"
                      "<MsgId>1</MsgId></xml>", forge={"signature": "0" * 40})
    assert reply.status == 403
    assert user_texts(servers, follower) == [] and fake_api.texts_to(follower) == []


def test_the_openid_is_the_conversation_and_numbers_choose_buttons(live, servers, follower) -> None:
    greeting = live.text("你好", follower, "aes")
    assert "1. 人才政策" in greeting.content
    answer = live.text("1", follower, "aes")
    assert "人才" in answer.content
    assert user_texts(servers, follower) == ["你好", "人才政策"]  # the greeting's button: its menu


def test_subscribe_and_menu_keys(live, follower) -> None:
    # Events are told apart by sender + CreateTime, so each of these has its own second.
    welcome = live.event(follower, "subscribe", "aes", created=1_700_000_001)
    assert "政务服务助手" in welcome.content and "回复数字" in welcome.content
    assert "12345" in live.event(follower, "CLICK", "aes", created=1_700_000_002, EventKey="HOTLINE").content
    assert "人才" in live.event(follower, "CLICK", "aes", created=1_700_000_003, EventKey="TALENT").content
    assert "政务服务" in live.event(follower, "CLICK", "aes", created=1_700_000_004, EventKey="SERVICES").content


def test_out_of_scope_names_the_hotline(live, follower) -> None:
    assert "12345" in live.text("帮我订一张去北京的机票", follower, "aes").content


def test_an_image_gets_the_polite_text(live, follower) -> None:
    reply = live.post(f"<xml><ToUserName>gh</ToUserName><FromUserName>{follower}</FromUserName>"
                      "<CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>http://x/y.jpg</PicUrl>"
                      "<MediaId>m</MediaId><MsgId>31</MsgId></xml>", "aes")
    assert reply.content == Menu.load().unsupported


def test_the_action_server_down_gets_an_apology_naming_12345(live, servers, follower) -> None:
    from bot.guard.replies import UNAVAILABLE
    from tests.conftest import action_server_down

    with action_server_down(servers):
        reply = live.text("临时救助在哪申请", follower, "aes")
    assert reply.status == 200 and UNAVAILABLE in reply.content
    assert "临时救助" in live.text("临时救助在哪申请", follower, "aes").content


def test_a_follower_leaves_a_callback_request_and_rates_by_number(live, servers, follower) -> None:
    from bot.requests.store import StaffStore

    offer = live.text("转人工", follower, "aes").content
    assert "12345" in offer and "1. 留言请工作人员回电" in offer
    assert "哪方面" in live.text("1", follower, "aes").content
    assert "描述" in live.text("人才落户", follower, "aes").content
    assert "电话" in live.text("想问硕士落户需要哪些材料", follower, "aes").content
    assert "称呼" in live.text("13812345678", follower, "aes").content
    summary = live.text("1", follower, "aes").content  # 1. 跳过
    assert "请核对" in summary and "尾号5678" in summary and "13812345678" not in summary
    done = live.text("确认提交", follower, "aes").content
    assert "编号" in done and "12345" in done
    store = StaffStore(servers.extra_env["STAFF_DATABASE_URL"])
    [request] = [r for r in store.callback_requests() if r.conversation_id == f"wx:{follower}"]
    assert request.channel == "wechat" and request.phone == "13812345678"

    rating = live.text("谢谢", follower, "aes").content  # the submitted request counts as an answer
    assert "1. 非常满意" in rating and "5. 非常不满意" in rating
    assert "非常满意" in live.text("1", follower, "aes").content
    assert [r.level for r in store.ratings() if r.conversation_id == f"wx:{follower}"] == [5]
    store.close()


def test_forged_replayed_stale_and_plaintext_requests_reach_no_conversation(live, servers, follower) -> None:
    """As issue 18's attacker: one signed URL seen, no token, no AES key."""
    query = live.signed_query()
    first = live.post(message_xml(follower, "text", Content="经纬人才计划讲的是啥", MsgId="9001"), "aes", query=query)
    assert "经纬人才" in first.content
    victim = f"{follower}v"
    replayed = live.post(message_xml(victim, "text", Content="临时救助在哪申请", MsgId="9002"), "aes", query=query)
    stale = [live.post(message_xml(victim, "text", Content="你好", MsgId=str(9003 + number)), "aes",
                       query=live.signed_query(timestamp=timestamp))
             for number, timestamp in enumerate((1, 4_102_444_800, int(time.time()) - 400))]
    plaintext = live.post(message_xml(victim, "text", Content="你好", MsgId="9010"), openid=victim)
    assert [reply.status for reply in (replayed, *stale, plaintext)] == [403] * 5
    assert user_texts(servers, follower) == ["经纬人才计划讲的是啥"] and user_texts(servers, victim) == []


@pytest.mark.parametrize("inner", ["<Content>经纬人才</Content><Content>临时救助</Content>",
                                   "<Content><Content>经纬人才</Content></Content>", ""],
                         ids=["duplicated", "nested", "missing"])
def test_a_content_of_the_wrong_shape_gets_400_and_the_assistant_goes_on(live, servers, follower, inner) -> None:
    xml = (f"<xml><ToUserName>gh</ToUserName><FromUserName>{follower}</FromUserName><CreateTime>1</CreateTime>"
           f"<MsgType>text</MsgType>{inner}<MsgId>9101</MsgId></xml>")
    assert (live.post(xml, "aes").status, live.post(xml, "compatible").status) == (400, 400)
    assert user_texts(servers, follower) == []
    assert "经纬人才" in live.text("经纬人才计划讲的是啥", follower, "aes").content


def test_a_long_or_empty_text_is_answered_by_the_channel(live, servers, follower) -> None:
    from bot.guard.replies import EMPTY

    assert "太长" in live.text("经纬人才" * 600, follower, "aes").content
    assert live.text("", follower, "aes").content == EMPTY
    assert user_texts(servers, follower) == []
