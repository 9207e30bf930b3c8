"""Conversation ids belong to their channel: a REST client naming a WeChat follower (or claiming to
be WeChat) reaches neither the follower's conversation nor its staff records. Attacked over HTTP
against the shared assistant, with wechatpy playing WeChat, then read in the SQLite tracker store
and Rasa's HTTP API."""

from __future__ import annotations

import json
import sqlite3
import urllib.request
import uuid

import pytest

from bot.channels.conversations import rest_conversation, wechat_conversation
from tests.channels.wechat_harness import WeChat
from tests.production.conftest import Rest

pytestmark = pytest.mark.server


def stored(tracker_db, conversation_id: str) -> list[dict]:
    with sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                          (conversation_id,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def test_a_rest_client_cannot_continue_a_wechat_followers_conversation(servers) -> None:
    follower = f"oVictim{uuid.uuid4().hex[:16]}"
    wechat = WeChat(f"{servers.rasa_url}/webhooks/wechat/webhook")
    assert "人才落户" in wechat.text("人才落户在哪办", follower, "aes").content

    rest = Rest(servers.rasa_url)
    for sender in (follower, wechat_conversation(follower)):
        answer = rest.send("要带什么材料", sender, input_channel="wechat",
                           metadata={"wechat_msg_type": "text", "is_staff": True})
        assert answer.status == 200
        assert all(message["recipient_id"] == sender for message in answer.body)
        assert "人才落户" not in answer.text  # the follower's context is not this client's

    [taken] = stored(servers.tracker_db, wechat_conversation(follower))
    assert (taken["text"], taken["input_channel"]) == ("人才落户在哪办", "wechat")
    for sender in (follower, wechat_conversation(follower)):
        [claimed] = stored(servers.tracker_db, rest_conversation(sender))
        assert claimed["text"] == "要带什么材料"
        assert claimed["input_channel"] == "rest"
        assert set(claimed.get("metadata") or {}) <= {"assistant_id", "model_id"}  # Rasa's own, none of the client's


def test_the_http_api_reads_a_rest_conversation_by_its_server_given_id(servers) -> None:
    sender = f"api-{uuid.uuid4().hex[:10]}"
    assert "经纬人才" in Rest(servers.rasa_url).reply("经纬人才计划讲的是啥", sender)
    url = f"{servers.rasa_url}/conversations/{rest_conversation(sender)}/tracker?token={servers.auth_token}"
    with urllib.request.urlopen(url, timeout=30) as response:
        tracker = json.load(response)
    assert tracker["sender_id"] == f"rest:{sender}"
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["经纬人才计划讲的是啥"]
