"""No query string in any log: WeChat's signature and the HTTP API's token, requested for real and
looked for in the logs of an assistant that logs every request (Sanic's access log) and Rasa at
DEBUG (`guarded`); also Sanic's error log line, which quotes the whole URL."""

from __future__ import annotations

import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

from bot.privacy.query_strings import strip_query_strings
from tests.channels.wechat_harness import WeChat, http, message_xml
from tests.production.test_access import status

pytestmark = pytest.mark.server


def logs_since(folder: Path, offsets: dict[Path, int]) -> str:
    text = []
    for path in sorted(folder.glob("*.log")):
        with path.open("rb") as file:
            file.seek(offsets.get(path, 0))
            text.append(file.read().decode("utf-8", "replace"))
    return "\n".join(text)


def test_signatures_and_tokens_never_reach_a_log(guarded) -> None:
    offsets = {path: path.stat().st_size for path in guarded.log_dir.glob("*.log")}
    wechat = WeChat(f"{guarded.rasa_url}/webhooks/wechat/webhook")
    follower = f"oLog{uuid.uuid4().hex[:16]}"
    sent = [
        wechat.post(message_xml(follower, "text", Content="你好", MsgId="71"), "aes"),  # answered
        wechat.post(message_xml(follower, "text", Content="你好", MsgId="72")),  # plaintext: 403
        wechat.post(f"<xml><ToUserName>gh</ToUserName><FromUserName>{follower}</FromUserName><CreateTime>1"
                    "</CreateTime><MsgType>text</MsgType><Content><b>x</b></Content></xml>", "aes"),  # 400
    ]
    assert [reply.status for reply in sent] == [200, 403, 400]
    check = wechat.signed_query(echostr=f"echo{uuid.uuid4().hex}")
    assert http("GET", f"{wechat.url}?{urllib.parse.urlencode(check)}") == (200, check["echostr"])
    token = guarded.auth_token
    assert status(f"{guarded.rasa_url}/status?token={token}") == 200
    assert status(f"{guarded.rasa_url}/conversations/wx:{follower}/tracker?token={token}") == 200
    assert status(f"{guarded.rasa_url}/status?token=wrong-{token}") == 401
    time.sleep(1)  # the servers' output reaches the files

    written = logs_since(guarded.log_dir, offsets)
    # the access log is on: each request is there, by its path
    assert written.count("/webhooks/wechat/webhook?[…]") >= 4 and "/status?[…]" in written
    secrets = [token, check["echostr"], *(reply.query[name] for reply in sent
                                          for name in ("signature", "nonce", "msg_signature") if name in reply.query)]
    for secret in secrets:
        assert secret not in written, f"{secret} is in a log"
    assert "signature=" not in written and "token=" not in written


@pytest.mark.parametrize(("line", "logged"), [
    ("GET http://127.0.0.1:5005/webhooks/wechat/webhook?signature=ab&timestamp=1&nonce=2",
     "GET http://127.0.0.1:5005/webhooks/wechat/webhook?[…]"),
    ("Exception occurred while handling uri: 'http://h:1/status?token=s3cret'",
     "Exception occurred while handling uri: 'http://h:1/status?[…]'"),
    ("POST /conversations/rest:a/tracker/events?token=s3cret&include_events=ALL 200",
     "POST /conversations/rest:a/tracker/events?[…] 200"),
    ("send failed: access_token=T0KEN invalid", "send failed: access_token=[…] invalid"),
    ("您好？请问人才住房补贴在哪申请?", "您好？请问人才住房补贴在哪申请?"),
])
def test_query_strings_are_cut_from_any_line(line: str, logged: str) -> None:
    assert strip_query_strings(line) == logged
