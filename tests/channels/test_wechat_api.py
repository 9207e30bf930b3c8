"""The async customer-service client against the fake WeChat API over real HTTP."""

from __future__ import annotations

import pytest

from bot.channels.wechat_api import WeChatAPI, WeChatAPIError
from tests.fakes.wechat_api import APPID, SECRET, FakeWeChatAPI, free_port
from tools.loop_thread import LoopThread


@pytest.fixture
def client(loop_thread: LoopThread, fake_api: FakeWeChatAPI):
    api = WeChatAPI(APPID, SECRET, fake_api.url + "/")
    yield api
    loop_thread.run(api.close())


def test_token_is_fetched_once_and_reused(loop_thread, fake_api, client) -> None:
    loop_thread.run(client.send_text("o1", "经纬人才"))
    loop_thread.run(client.send_text("o1", "第二条"))
    assert fake_api.token_calls == [{"grant_type": "client_credential", "appid": APPID, "secret": SECRET,
                                     "force_refresh": False}]
    assert fake_api.texts_to("o1") == ["经纬人才", "第二条"]
    assert all(message["msgtype"] == "text" and message["_raw_utf8"] for message in fake_api.sent)


@pytest.mark.parametrize("errcode", [40001, 42001, 40014])
def test_an_expired_token_is_refreshed_once_and_the_message_sent(loop_thread, fake_api, client, errcode) -> None:
    loop_thread.run(client.access_token())
    fake_api.fail_next.append(errcode)
    loop_thread.run(client.send_text("o2", "重试后送达"))
    assert fake_api.texts_to("o2") == ["重试后送达"]
    assert [token for token, _ in fake_api.rejected] == [fake_api.issued[-2]]
    assert fake_api.sent[-1]["_token"] == fake_api.issued[-1]
    assert len(fake_api.token_calls) == 2


def test_a_second_token_error_is_raised_not_retried_forever(loop_thread, fake_api, client) -> None:
    fake_api.fail_next.extend([40001, 40001])
    with pytest.raises(WeChatAPIError) as error:
        loop_thread.run(client.send_text("o3", "x"))
    assert error.value.errcode == 40001 and len(fake_api.rejected) == 2


def test_other_errors_are_raised_without_retry(loop_thread, fake_api, client) -> None:
    fake_api.fail_next.append(45015)  # 回复时间超过限制 (the follower has been silent for 48 h)
    with pytest.raises(WeChatAPIError, match="45015"):
        loop_thread.run(client.send_text("o4", "x"))
    assert len(fake_api.rejected) == 1 and len(fake_api.token_calls) == 1


def test_wrong_secret_and_unreachable_api_raise(loop_thread, fake_api) -> None:
    wrong = WeChatAPI(APPID, "wrong", fake_api.url)
    with pytest.raises(WeChatAPIError, match="40125"):
        loop_thread.run(wrong.send_text("o5", "x"))
    loop_thread.run(wrong.close())
    nowhere = WeChatAPI(APPID, SECRET, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(WeChatAPIError, match="unreachable"):
        loop_thread.run(nowhere.send_text("o5", "x"))
    loop_thread.run(nowhere.close())
