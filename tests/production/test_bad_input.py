"""Bad input to the running assistant's REST channel: a clear answer in Chinese or a clean HTTP
error, the server still up, and nothing lost — the conversation answers its next question.

It runs against the shared assistant (`servers`) once credentials.yml names the guarded REST channel
(bot/channels/rest.py), and against our own guarded assistant until then. Malformed WeChat XML, XML
entity expansion and replayed WeChat messages are covered by the WeChat channel's tests
(tests/channels/test_wechat_protocol.py, test_wechat_channel.py, test_wechat_e2e.py), not repeated.

Decisions (docs/privacy.md, “Bad input”): an empty or whitespace-only message gets a reply asking
for a question (Rasa's own answer was its generic fallback); a message over 2,000 characters is
asked to be shortened (Rasa answers 10,000 characters with an arbitrary topic and fails silently on
1,000,000); a body that is not a JSON object with a `sender` and a text `message` gets 400 with a
Chinese explanation (Rasa answered HTML, 500, an empty list, or filed the message under the shared
conversation "default"). The Content-Type is not checked: `curl -d` (README) sends a form type.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.guard import replies
from tests.production.conftest import CHINESE, Rest, guard_wired, new_sender

pytestmark = pytest.mark.server

QUESTION, ANSWER = "经纬人才计划讲的是啥", "经纬人才"


@pytest.fixture(scope="module")
def rest(request) -> Rest:
    running = request.getfixturevalue("servers" if guard_wired() else "guarded")
    return Rest(running.rasa_url)


def assert_still_answers(rest: Rest, sender: str) -> None:
    assert ANSWER in rest.reply(QUESTION, sender)


# (message, what the reply must contain)
ANSWERED = {
    "empty": ("", replies.EMPTY),
    "whitespace": (" \t\n　 ", replies.EMPTY),
    "control-only": ("\x00\x01\x1b\x7f", replies.EMPTY),
    "10000-chars": ("经纬人才" * 2500, "太长"),
    "control-chars": ("\x00\x07经纬人才计划\x1b[31m是什么\x7f", ANSWER),
    "lone-surrogate": ("\ud800经纬人才计划讲的是啥", ANSWER),
    "emoji-only": ("😀🎉👍", "12345"),
    # NLU reads this one as out of scope (an answer naming 12345): a Chinese reply is what counts
    "mixed-zh-en": ("请问 Jingwei talent plan 经纬人才计划 is what?", None),
    "sql": ("'; DROP TABLE events; -- 1=1", "12345"),
    "html-script": ("<script>alert('x')</script><b>你好</b>", None),
    "traditional+fullwidth": ("ＳＥＬＥＣＴ * ＦＲＯＭ 經緯人才計劃", None),
}


@pytest.mark.parametrize("case", list(ANSWERED))
def test_odd_messages_get_a_chinese_reply(rest: Rest, case: str) -> None:
    message, expected = ANSWERED[case]
    sender = new_sender(case)
    answer = rest.send(message, sender)
    assert answer.status == 200, answer
    assert isinstance(answer.body, list) and answer.body, answer
    assert CHINESE.search(answer.text), answer.text
    if expected is not None:
        assert expected in answer.text, answer.text
    assert "<script>" not in answer.text
    assert_still_answers(rest, sender)


def body(**fields: object) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


# (request body, Content-Type, HTTP status, the refusal's reason)
REFUSED = {
    "invalid-json": (b'{"sender": "x", "message": ', "application/json", 400, "InvalidJSON"),
    "not-utf8": (b'{"sender": "x", "message": "\xff\xfe"}', "application/json", 400, "InvalidJSON"),
    "json-list": (b'["sender", "message"]', "application/json", 400, "InvalidJSON"),
    "json-string": (b'"\xe7\xbb\x8f\xe7\xba\xac"', "application/json", 400, "InvalidJSON"),
    "form-encoded": ("sender=x&message=经纬人才".encode(), "application/x-www-form-urlencoded", 400, "InvalidJSON"),
    "xml": ("<xml><Content>经纬人才</Content></xml>".encode(), "text/xml", 400, "InvalidJSON"),
    "empty-body": (b"", "application/json", 400, "InvalidJSON"),
    "missing-sender": (body(message=QUESTION), "application/json", 400, "MissingSender"),
    "blank-sender": (body(sender="  ", message=QUESTION), "application/json", 400, "MissingSender"),
    "object-sender": (body(sender={"id": 1}, message=QUESTION), "application/json", 400, "MissingSender"),
    "long-sender": (body(sender="s" * 300, message=QUESTION), "application/json", 400, "InvalidSender"),
    "missing-message": (body(sender="x"), "application/json", 400, "MissingMessage"),
    "number-message": (body(sender="x", message=12345), "application/json", 400, "MissingMessage"),
    "null-message": (body(sender="x", message=None), "application/json", 400, "MissingMessage"),
    "1MB-body": (body(sender="x", message="经" * 350_000), "application/json", 413, "PayloadTooLarge"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_unusable_requests_get_a_clean_error_in_chinese(rest: Rest, case: str) -> None:
    data, content_type, status, reason = REFUSED[case]
    answer = rest.post(data, content_type)
    assert answer.status == status, answer
    assert isinstance(answer.body, dict), answer
    assert answer.body["reason"] == reason and answer.body["status"] == status
    assert CHINESE.search(answer.body["message"]), answer.body
    assert_still_answers(rest, new_sender(case))


def test_json_with_another_content_type_is_answered(rest: Rest) -> None:
    answer = rest.post(body(sender=new_sender("plain"), message=QUESTION), "text/plain")
    assert answer.status == 200 and ANSWER in answer.text


def test_a_body_over_sanics_limit_is_refused_before_it_is_read(rest: Rest) -> None:
    """Sanic's REQUEST_MAX_SIZE (100 MB): 413 on the Content-Length alone, no body sent."""
    url = urlsplit(rest.webhook)
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        connection.sendall(f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                           "Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n".encode())
        status_line = connection.recv(4096).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line, status_line
    assert_still_answers(rest, new_sender("huge"))


def test_other_methods_are_refused_cleanly(rest: Rest) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(rest.webhook, method="PUT", data=b"{}"), timeout=30)
    assert refused.value.code == 405


def test_bad_input_loses_nothing_of_the_conversation(rest: Rest) -> None:
    sender = new_sender("keep")
    assert "人才落户" in rest.reply("人才落户在哪办", sender)
    for bad in ("", "   ", "经" * 10_000, "\x00\x1b"):
        assert rest.send(bad, sender).status == 200
    assert rest.post(b'{"sender": "' + sender.encode() + b'", "message": ', "application/json").status == 400
    follow_up = rest.reply("要带什么材料", sender)
    assert "人才落户" in follow_up and "申请材料" in follow_up, follow_up


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_gets_a_json_list(rest: Rest, text: str) -> None:
    sender = new_sender("fuzz")  # one each: 40 examples from one sender would be a flood (429)
    answer = rest.send(text, sender)
    assert answer.status == 200, answer
    assert isinstance(answer.body, list) and answer.body, answer
    assert all(isinstance(message, dict) and message.get("recipient_id") == sender for message in answer.body)


def test_still_answering_after_the_fuzzing(rest: Rest) -> None:
    assert_still_answers(rest, "fuzz")
