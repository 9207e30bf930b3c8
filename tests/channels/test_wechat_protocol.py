"""Signatures, 安全模式 crypto, safe XML, replies, the menu and the channel's memories: no I/O."""

from __future__ import annotations

import base64
import logging

import pytest
import xmltodict
from rasa.shared.exceptions import RasaException
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature as wechatpy_check_signature

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_menu import Incoming, Menu
from bot.channels.wechat_protocol import (
    MessageCrypto,
    SignatureError,
    WeChatRequestError,
    check_signature,
    decode_aes_key,
    message_from,
    parse_xml,
    signature,
    text_reply,
)
from bot.channels.wechat_state import ExpiringMap
from tests.channels.wechat_harness import BILLION_LAUGHS, EXTERNAL_ENTITY, message_xml
from tests.fakes.wechat_api import AES_KEY, APPID, TOKEN


def test_signature_matches_wechatpy() -> None:
    # Known answer: SHA-1 of "1409304348", "token", "xxxxxx" sorted and joined.
    assert signature("token", "1409304348", "xxxxxx") == "f43b4a6571a6552356f482636e5a77e7fa33dcc9"
    expected = signature(TOKEN, "1700000000", "nonce")
    wechatpy_check_signature(TOKEN, expected, "1700000000", "nonce")  # raises when they disagree
    check_signature(TOKEN, expected, "1700000000", "nonce")
    check_signature(TOKEN, expected.upper(), "1700000000", "nonce")


@pytest.mark.parametrize(("claimed", "timestamp", "nonce"), [
    ("0" * 40, "1700000000", "nonce"), (None, "1700000000", "nonce"), ("", "1700000000", "nonce"),
    (signature(TOKEN, "1700000000", "nonce"), "1700000001", "nonce"),
    (signature(TOKEN, "1700000000", "nonce"), None, "nonce"),
    (signature(TOKEN, "1700000000", "nonce"), "1700000000", ""),
    ("签名", "1700000000", "nonce"),
])
def test_forged_or_missing_signatures_are_refused(claimed, timestamp, nonce) -> None:
    with pytest.raises(SignatureError):
        check_signature(TOKEN, claimed, timestamp, nonce)


def test_aes_key_is_validated_with_real_errors() -> None:
    assert len(decode_aes_key(AES_KEY)) == 32
    with pytest.raises(ValueError, match="43 characters"):
        decode_aes_key(AES_KEY[:-1])
    with pytest.raises(ValueError, match="not base64"):
        decode_aes_key("!" * 43)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><Content>未闭合</xml>", "",
                                  "not xml", "<other>x</other>", "<xml>text only</xml>",
                                  b"<xml>" + b"x" * 70_000 + b"</xml>"])
def test_unsafe_or_malformed_xml_is_refused(body) -> None:
    with pytest.raises(WeChatRequestError) as refused:
        parse_xml(body)
    assert refused.value.status == 400


def test_parse_xml_reads_fields_and_message_types() -> None:
    text = message_from(parse_xml(message_xml("o1", "text", 1700000000, Content="你好", MsgId="42")))
    assert (text.type, text.content, text.source, text.id, text.time) == ("text", "你好", "o1", 42, 1700000000)
    click = message_from(parse_xml(message_xml("o1", "event", Event="CLICK", EventKey="TALENT")))
    assert (click.type, click.event, click.key) == ("event", "click", "TALENT")
    assert message_from(parse_xml(message_xml("o1", "event", Event="brand_new_event"))).type == "event"
    assert message_from(parse_xml(message_xml("o1", "hologram"))).type == "unknown"


def test_messages_encrypted_by_wechatpy_decrypt_and_replies_decrypt_with_wechatpy() -> None:
    wechat = WeChatCrypto(TOKEN, AES_KEY, APPID)
    ours = MessageCrypto(TOKEN, AES_KEY, APPID)
    plain = message_xml("o1", "text", Content="经纬人才计划讲的是啥", MsgId="7")
    envelope = xmltodict.parse(wechat.encrypt_message(plain, "nonce1", "1700000000"))["xml"]
    fields = ours.decrypt({"Encrypt": envelope["Encrypt"]}, envelope["MsgSignature"], "1700000000", "nonce1")
    assert fields["Content"] == "经纬人才计划讲的是啥"

    reply = ours.encrypt(text_reply("o1", "gh", "答复"), "nonce2", "1700000001")
    answer = xmltodict.parse(reply)["xml"]
    decrypted = wechat.decrypt_message(reply, answer["MsgSignature"], answer["TimeStamp"], "nonce2")
    assert xmltodict.parse(decrypted)["xml"]["Content"] == "答复"


def test_tampered_or_foreign_encrypted_messages_are_refused() -> None:
    wechat = WeChatCrypto(TOKEN, AES_KEY, APPID)
    envelope = xmltodict.parse(wechat.encrypt_message("<xml/>", "n", "1700000000"))["xml"]
    ours = MessageCrypto(TOKEN, AES_KEY, APPID)
    with pytest.raises(SignatureError):
        ours.decrypt({"Encrypt": envelope["Encrypt"]}, "0" * 40, "1700000000", "n")
    with pytest.raises(SignatureError, match="another AppID"):
        MessageCrypto(TOKEN, AES_KEY, "wx_other").decrypt(
            {"Encrypt": envelope["Encrypt"]}, envelope["MsgSignature"], "1700000000", "n")
    garbage = base64.b64encode(b"x" * 20).decode()
    with pytest.raises(WeChatRequestError) as refused:
        ours.decrypt({"Encrypt": garbage}, signature(TOKEN, "1700000000", "n", garbage), "1700000000", "n")
    assert refused.value.status == 400
    with pytest.raises(WeChatRequestError):
        ours.decrypt({}, "x", "1700000000", "n")


def test_text_reply_survives_cdata_terminators() -> None:
    reply = xmltodict.parse(text_reply("o1", "gh", "a]]>b<c>&", created=1))["xml"]
    assert reply == {"ToUserName": "o1", "FromUserName": "gh", "CreateTime": "1", "MsgType": "text",
                     "Content": "a]]>b<c>&"}


def test_menu_maps_message_kinds() -> None:
    menu = Menu.load()
    parse = lambda xml: message_from(parse_xml(xml))  # noqa: E731
    assert menu.incoming(parse(message_xml("o", "text", Content=" 你好 "))) == Incoming(question="你好")
    assert menu.incoming(parse(message_xml("o", "event", Event="subscribe"))) == Incoming(question="你好")
    assert menu.incoming(parse(message_xml("o", "event", Event="CLICK", EventKey="TALENT"))).question \
        == "人才政策"
    assert menu.incoming(parse(message_xml("o", "event", Event="CLICK", EventKey="NOPE"))).reply == menu.unknown_menu
    assert menu.incoming(parse(message_xml("o", "voice", Recognition="人才落户"))) == Incoming(question="人才落户")
    for kind in ("image", "voice", "location", "link", "video", "hologram"):
        assert menu.incoming(parse(message_xml("o", kind))).reply == menu.unsupported
    for event in ("unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH"):
        assert menu.incoming(parse(message_xml("o", "event", Event=event))) == Incoming()


def test_a_broken_menu_file_names_what_is_missing(tmp_path) -> None:
    path = tmp_path / "menu.yml"
    path.write_text("subscribe: 你好\nclick:\n  TALENT: ''\nreplies: {unsupported: x, unknown_menu: y}\n")
    with pytest.raises(ValueError, match="TALENT"):
        Menu.load(path)
    path.write_text("click: {}\n")
    with pytest.raises(ValueError, match="subscribe, replies.unsupported"):
        Menu.load(path)


def test_expiring_map_forgets_old_and_excess_entries() -> None:
    now = [0.0]
    memory: ExpiringMap[str] = ExpiringMap(ttl=10, max_size=2, clock=lambda: now[0])
    assert memory.add_new("a", "1") and not memory.add_new("a", "2")
    memory.put("b", "2")
    memory.put("c", "3")
    assert (memory.get("a"), memory.get("c"), len(memory)) == (None, "3", 2)
    now[0] = 10.5
    assert memory.get("b") is None and memory.pop("c") is None and len(memory) == 0


def test_empty_credentials_turn_the_channel_off_and_say_so(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.channels.wechat"):
        channel = WeChatInput.from_credentials({"token": "", "appid": None, "secret": "", "aes_key": ""})
    assert not channel.enabled
    assert "WeChat channel is off" in caplog.text and "WECHAT_TOKEN" in caplog.text


@pytest.mark.parametrize(("credentials", "error"), [
    ({"token": TOKEN}, "WECHAT_APPID, WECHAT_SECRET"),
    ({"appid": APPID, "secret": "s"}, "WECHAT_TOKEN"),
    ({"token": TOKEN, "appid": APPID, "secret": "s", "aes_key": "short"}, "EncodingAESKey has 43"),
])
def test_incomplete_credentials_fail_clearly(credentials, error) -> None:
    with pytest.raises(RasaException, match=error):
        WeChatInput.from_credentials(credentials)


def test_api_base_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("WECHAT_API_BASE", "http://127.0.0.1:1/")
    channel = WeChatInput.from_credentials({"token": TOKEN, "appid": APPID, "secret": "s", "aes_key": ""})
    assert channel.enabled and channel.crypto is None and channel.api.base_url == "http://127.0.0.1:1"

