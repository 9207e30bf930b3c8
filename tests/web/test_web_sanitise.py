"""The server-side rules that make bot messages safe for rasa-webchat (bot.web.sanitise, bot.channels.socketio)."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.socketio import DEFAULT_ORIGIN, OriginError, SafeSocketIOOutput, parse_origins
from bot.web.sanitise import is_safe_url, safe_text, sanitise_message

ORDINARY = [
    "经纬人才计划讲的是啥？\n来源：市中区2020年“聚焦提升年”工作部署",
    "请拨打12345市民服务热线。",
    "详见 [济南市人民政府](http://www.jinan.gov.cn/) 网站，或 **带好身份证**。",
    "电话 tel:12345，邮件 mailto:someone@example.cn",
    "年龄 < 60 岁、收入 > 3000 元",
]
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&amp;#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](javascript\\:alert(1))",
    "<javascript:alert(1)>",
    "[x][1]\n[1]: vbscript:msgbox(1)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href='javascript:alert(1)'>点我</a>",
    "<svg/onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_answers_pass_unchanged(text):
    assert safe_text(text) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_loses_every_markup_character(text):
    cleaned = safe_text(text)
    assert not set("<>[]()&:\\`") & set(cleaned), cleaned


@pytest.mark.parametrize("url", ["javascript:alert(1)", " javascript:alert(1)", "\x01javascript:x",
                                 "java\nscript:x", "&#106;avascript:x", "vbscript:x", "data:text/html,x",
                                 "JAVASCRIPT:x"])
def test_unsafe_urls_are_refused(url):
    assert not is_safe_url(url)


@pytest.mark.parametrize("url", ["https://www.jinan.gov.cn/", "http://127.0.0.1:8080/a?b=c:d",
                                 "tel:12345", "mailto:a@b.cn", "/relative", "#top"])
def test_safe_urls_are_kept(url):
    assert is_safe_url(url)


def test_messages_lose_unsafe_urls_and_keep_the_rest():
    message = {
        "text": "[x](javascript:alert(1))",
        "quick_replies": [{"type": "web_url", "title": "官网", "url": "javascript:alert(1)"},
                          {"type": "web_url", "title": "政府", "url": "http://www.jinan.gov.cn/"},
                          {"content_type": "text", "title": "人才政策", "payload": "/greet"}],
        "attachment": {"type": "video", "payload": {"src": "javascript:alert(1)"}},
    }
    cleaned = sanitise_message(message)
    assert "javascript:" not in str(cleaned)
    assert cleaned["text"] == "［x］（javascript：alert（1））"  # read as text, parsed as nothing
    assert "url" not in cleaned["quick_replies"][0]
    assert cleaned["quick_replies"][1]["url"] == "http://www.jinan.gov.cn/"
    assert cleaned["quick_replies"][2] == message["quick_replies"][2]
    assert "src" not in cleaned["attachment"]["payload"]
    assert message["quick_replies"][0]["url"] == "javascript:alert(1)"  # the input is not changed


class RecordingServer:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None, **kwargs):
        self.emitted.append((event, data if data is not None else kwargs, room))


def test_the_channel_output_sanitises_before_emitting():
    sio = RecordingServer()
    output = SafeSocketIOOutput(sio, "bot_uttered")

    async def send():
        await output.send_text_message("s1", "<img src=x onerror=alert(1)>")
        await output.send_text_with_buttons("s1", "[x](javascript:alert(1))", [{"title": "好", "payload": "/ok"}])
        await output.send_custom_json("s1", {"text": "<script>alert(1)</script>"})

    asyncio.run(send())
    texts = [str(data) for _, data, _ in sio.emitted]
    assert len(texts) == 3
    assert all("<" not in text and "](" not in text for text in texts), texts
    assert all(room == "s1" for *_, room in sio.emitted)


def test_a_turn_is_emitted_once_it_is_stored_and_dropped_when_it_failed():
    from bot.guard.replies import UNAVAILABLE

    sio = RecordingServer()
    stored, failed = (SafeSocketIOOutput(sio, "bot_uttered", hold=True) for _ in range(2))

    async def turns():
        await stored.send_text_message("s1", "临时救助：街道便民服务中心")
        await failed.send_custom_json("s2", {"text": "没存进对话记录的回答"})
        assert sio.emitted == []  # nothing goes out before the turn is stored
        await stored.release()
        failed.discard()
        await failed.send_text_message("s2", UNAVAILABLE)  # what the channel then sends

    asyncio.run(turns())
    assert [(data["text"], room) for _, data, room in sio.emitted] == [
        ("临时救助：街道便民服务中心", "s1"), (UNAVAILABLE, "s2")]


def test_origins_default_to_the_widget_and_refuse_a_wildcard():
    assert parse_origins("") == [DEFAULT_ORIGIN]
    assert parse_origins(None) == [DEFAULT_ORIGIN]
    assert parse_origins("http://a.example:8080/, https://b.example") == ["http://a.example:8080",
                                                                         "https://b.example"]
    for bad in ("*", "a.example", "http://a.example/path"):
        with pytest.raises(OriginError):
            parse_origins(bad)
