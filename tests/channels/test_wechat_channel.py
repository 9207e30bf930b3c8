"""The real channel blueprint on a real port, WeChat played by wechatpy, the API by a fake server."""

from __future__ import annotations

import time
import urllib.parse

import pytest
import xmltodict

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_format import OPTIONS_HEADER
from bot.channels.wechat_menu import Menu
from tests.channels.wechat_harness import (
    ACCOUNT,
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    LONG_ANSWER,
    ChannelServer,
    WeChat,
    http,
    message_xml,
    wait_for,
)
from tests.fakes.wechat_api import APPID, SECRET, TOKEN

MENU = Menu.load()


def test_health_route(channel_server) -> None:
    assert http("GET", f"{channel_server.url}/") == (200, '{"status":"ok"}')


def test_url_verification_echoes_only_when_signed(wechat) -> None:
    query = wechat.signed_query(echostr="echo-12345")
    assert http("GET", f"{wechat.url}?{urllib.parse.urlencode(query)}") == (200, "echo-12345")
    forged = {**query, "signature": "0" * 40}
    assert http("GET", f"{wechat.url}?{urllib.parse.urlencode(forged)}")[0] == 403
    assert http("GET", f"{wechat.url}?echostr=x")[0] == 403
    assert http("GET", f"{wechat.url}?{urllib.parse.urlencode(wechat.signed_query())}")[0] == 400


@pytest.mark.parametrize("mode", ["plain", "compatible", "aes"])
def test_a_text_message_gets_a_passive_reply_in_kind(wechat, fake_assistant, openid, mode) -> None:
    reply = wechat.text("经纬人才计划讲的是啥", openid, mode)
    assert reply.status == 200 and reply.seconds < 4
    assert reply.content == "回答：经纬人才计划讲的是啥"
    assert (reply.fields["ToUserName"], reply.fields["FromUserName"], reply.fields["MsgType"]) \
        == (openid, ACCOUNT, "text")
    [message] = fake_assistant.received
    assert (message.sender_id, message.input_channel, message.text) == \
        (f"wx:{openid}", "wechat", "经纬人才计划讲的是啥")


@pytest.mark.parametrize("query_change", [
    {"signature": "0" * 40}, {"signature": ""}, {"timestamp": "1"}, {"nonce": "other"}, {"msg_signature": "0" * 40},
])
def test_forged_requests_get_403_and_reach_nobody(wechat, fake_assistant, openid, query_change) -> None:
    mode = "aes" if "msg_signature" in query_change else "plain"
    reply = wechat.post(message_xml(openid, "text", Content="你好", MsgId="1"), mode, forge=query_change)
    assert reply.status == 403 and reply.body == "forbidden"
    assert fake_assistant.received == []


def test_unsigned_post_gets_403(wechat, fake_assistant, openid) -> None:
    assert http("POST", wechat.url, message_xml(openid, "text", Content="你好").encode())[0] == 403
    assert fake_assistant.received == []


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><Content>坏", "", "{}",
                                  "<xml><MsgType>text</MsgType></xml>",
                                  "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
                                  "<MsgType>text</MsgType><MsgId>x1</MsgId></xml>"])
def test_bad_xml_gets_400_and_reaches_nobody(wechat, fake_assistant, body) -> None:
    reply = wechat.post(body)
    assert reply.status == 400 and reply.body == "bad request"
    assert fake_assistant.received == []


def test_entities_inside_an_encrypted_message_are_refused(wechat, fake_assistant) -> None:
    assert wechat.post(BILLION_LAUGHS, "aes").status == 400
    assert fake_assistant.received == []


def test_subscribe_gets_the_greeting_with_numbered_options(wechat, fake_assistant, openid) -> None:
    reply = wechat.event(openid, "subscribe")
    assert reply.content == f"您好！请选择：\n\n{OPTIONS_HEADER}\n1. 人才政策\n2. 民生工程"
    assert fake_assistant.texts() == [MENU.subscribe]


def test_a_number_sends_the_button_payload_in_the_same_conversation(wechat, fake_assistant, openid) -> None:
    wechat.text("你好", openid)
    assert wechat.text("２", openid).content == "回答：民生工程问题"
    assert wechat.text("2", openid).content == "回答：2"  # the options were answered; "2" is text again
    assert [message.sender_id for message in fake_assistant.received] == [f"wx:{openid}"] * 3
    assert wechat.text("1", f"{openid}-other").content == "回答：1"  # options are per follower


def test_menu_clicks_ask_the_mapped_question(wechat, fake_assistant, openid) -> None:
    reply = wechat.event(openid, "CLICK", EventKey="TALENT")
    assert reply.content == f"回答：{MENU.click['TALENT']}"
    assert wechat.event(openid, "CLICK", mode="aes", EventKey="UNKNOWN", created=1).content == MENU.unknown_menu
    assert fake_assistant.texts() == [MENU.click["TALENT"]]


@pytest.mark.parametrize(("kind", "fields"), [
    ("image", {"PicUrl": "http://x/y.jpg", "MediaId": "m"}), ("voice", {"MediaId": "m", "Format": "amr"}),
    ("location", {"Location_X": "36.6", "Location_Y": "117.0", "Scale": "15", "Label": "市中区"}),
    ("link", {"Title": "t", "Url": "http://x"}), ("video", {"MediaId": "m"}),
])
def test_other_message_types_get_a_polite_text(wechat, fake_assistant, openid, kind, fields) -> None:
    reply = wechat.post(message_xml(openid, kind, MsgId="99" + str(time.time_ns() % 10**9), **fields))
    assert reply.content == MENU.unsupported and "12345" in reply.content
    assert fake_assistant.received == []


def test_recognised_voice_is_asked_as_text(wechat, fake_assistant, openid) -> None:
    reply = wechat.post(message_xml(openid, "voice", MsgId="5551", MediaId="m", Recognition="人才落户"))
    assert reply.content == "回答：人才落户"


def test_unsubscribe_gets_success_and_no_turn(wechat, fake_assistant, openid) -> None:
    assert wechat.event(openid, "unsubscribe").body == "success"
    assert fake_assistant.received == []


def test_markdown_is_stripped_and_messages_joined(wechat, openid) -> None:
    assert wechat.text("格式", openid).content == "经纬人才\n落户：见 官网 https://example.org"
    assert wechat.text("两条", openid, "aes").content == "第一条\n\n图片：https://example.org/a.png"


def test_long_answers_are_split_and_the_rest_sent_through_the_api(wechat, fake_api, openid) -> None:
    fake_api.fail_next.append(40001)  # and the token is refreshed on the way
    reply = wechat.text("长文", openid)
    sent = wait_for(lambda: fake_api.texts_to(openid))
    assert len(reply.content.encode()) <= 2048 and all(len(part.encode()) <= 2048 for part in sent)
    assert reply.content + "".join(sent) == LONG_ANSWER
    assert len(fake_api.rejected) == 1


def test_retries_of_a_message_are_answered_once(wechat, fake_assistant, openid) -> None:
    assert wechat.text("第一次", openid, msg_id=424242).content == "回答：第一次"
    assert wechat.text("第一次", openid, msg_id=424242).body == "success"
    created = int(time.time()) - 3
    assert wechat.event(openid, "subscribe", created=created).content
    assert wechat.event(openid, "subscribe", "aes", created=created).body == "success"
    assert fake_assistant.texts() == ["第一次", MENU.subscribe]


def test_a_late_answer_goes_through_the_customer_service_api_once(wechat, fake_api, fake_assistant,
                                                                  openid) -> None:
    reply = wechat.text("慢问题", openid, "aes", msg_id=777001)
    assert reply.body == "success" and 3.5 < reply.seconds < 4.8
    retry = wechat.text("慢问题", openid, "aes", msg_id=777001)  # WeChat retries after 5 s
    assert retry.body == "success" and retry.seconds < 1
    sent = wait_for(lambda: fake_api.texts_to(openid), timeout=5)
    assert sent == ["经纬人才计划：迟到的回答"]
    time.sleep(0.5)
    assert fake_api.texts_to(openid) == sent and fake_assistant.texts() == ["慢问题"]
    assert len(fake_api.token_calls) <= 1


def test_a_plaintext_only_account_refuses_encrypted_messages(loop_thread, fake_api, fake_assistant, openid) -> None:
    server = ChannelServer(WeChatInput(TOKEN, APPID, SECRET, "", api_base=fake_api.url), fake_assistant)
    loop_thread.run(server.start())
    try:
        wechat = WeChat(f"{server.url}/webhook")
        assert wechat.text("你好", openid).content.startswith("您好")
        fake_assistant.received.clear()
        assert wechat.text("你好", openid, "aes").status == 400
        assert fake_assistant.received == []
    finally:
        loop_thread.run(server.stop())


def test_a_channel_that_is_off_says_so(loop_thread, fake_assistant, openid) -> None:
    server = ChannelServer(WeChatInput.from_credentials({}), fake_assistant)
    loop_thread.run(server.start())
    try:
        assert http("GET", f"{server.url}/") == (200, '{"status":"off"}')
        wechat = WeChat(f"{server.url}/webhook")
        assert wechat.text("你好", openid).status == 503
        assert http("GET", f"{server.url}/webhook?{urllib.parse.urlencode(wechat.signed_query(echostr='e'))}")[0] \
            == 503
    finally:
        loop_thread.run(server.stop())


def test_reply_xml_is_well_formed_for_awkward_content(wechat, openid) -> None:
    reply = wechat.text("a]]>b&<c>", openid)
    assert reply.content == "回答：a]]>b&<c>"
    assert xmltodict.parse(reply.body)["xml"]["Content"] == "回答：a]]>b&<c>"

