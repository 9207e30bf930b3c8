"""Two assistants behind nginx on PostgreSQL and Redis (tools/cluster): one conversation, any instance.

A cluster of this module's own (free ports, a fresh PostgreSQL database dropped afterwards, the
Redis on this machine), started once: its two instances are spoken to directly and through nginx.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.channels.conversations import rest_conversation
from bot.endpoints import StoreURLs, drop_database
from tests.fakes.net import free_port
from tests.production.conftest import Rest, new_sender, postgres_events
from tools.cluster import Cluster

pytestmark = [pytest.mark.server, pytest.mark.postgres, pytest.mark.redis]

REDIS_URL = "redis://127.0.0.1:6379/0"
# Six questions, each answered on its own (none a follow-up), each answer telling which it was.
QUESTIONS = {"经纬人才计划讲的是啥": "经纬人才", "人才落户在哪办": "落户", "临时救助在哪申请": "临时救助",
             "一窗办是什么": "一窗", "老旧小区改造了多少个": "13", "陡沟学校什么时候建成": "陡沟"}


@pytest.fixture(scope="module")
def tracker_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this module's conversations (the cluster creates it)."""
    url = f"postgresql://postgres@127.0.0.1:5432/tracker_test_{uuid.uuid4().hex[:10]}"
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def cluster(trained_model: Path, tracker_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(model=trained_model, stores=StoreURLs(tracker_url, REDIS_URL), public_port=free_port(),
                      instance_ports=(free_port(), free_port()), actions_port=free_port(), with_web=False,
                      folder=tmp_path_factory.mktemp("cluster"))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def tracker(url: str, token: str, sender: str) -> dict:
    """The tracker of the REST client's `sender` (the server files it as `rest:<sender>`)."""
    conversation = rest_conversation(sender)
    with urllib.request.urlopen(f"{url}/conversations/{conversation}/tracker?token={token}", timeout=30) as response:
        return json.load(response)


def test_nginx_balances_rest_over_both_instances(cluster: Cluster) -> None:
    config = (cluster.folder / "nginx" / "nginx.conf").read_text()
    assert "ip_hash;" in config and "$http_upgrade" in config and "least_conn;" in config
    for url in cluster.instance_urls:
        assert f"server {url.removeprefix('http://')}" in config
    assert "市中区" in Rest(cluster.public_url).reply("您好")


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]], ids=lambda t: t[0])
def test_the_widget_talks_socketio_through_nginx(cluster: Cluster, transports: list[str]) -> None:
    from tests.web.test_web_socketio import converse

    _, (answer,) = asyncio.run(converse(cluster.public_url, transports, cluster.front.widget_origin,
                                        ["经纬人才计划讲的是啥"]))
    assert "经纬人才" in "\n".join(message.get("text", "") for message in answer)


def test_context_carries_over_from_one_instance_to_the_other(cluster: Cluster) -> None:
    first, second = (Rest(url) for url in cluster.instance_urls)
    public, sender = Rest(cluster.public_url), new_sender("cluster")
    assert "经纬人才" in first.reply("经纬人才计划讲的是啥", sender)
    housing = second.reply("那住房呢？", sender)
    assert "住房" in housing, housing
    slots = [tracker(url, cluster.auth_token, sender)["slots"] for url in cluster.instance_urls]
    assert slots[0] == slots[1] and slots[0]["knowledge_topic"], slots
    assert "住房" in slots[0]["knowledge_topic"] or "housing" in slots[0]["knowledge_topic"], slots[0]
    # and on through nginx and back: a catalogue search, then its follow-up on the other instance
    assert "人才落户" in public.reply("人才落户在哪办", sender)
    follow_up = first.reply("要带什么材料", sender)
    assert "人才落户" in follow_up and "申请材料" in follow_up, follow_up
    events = tracker(cluster.public_url, cluster.auth_token, sender)["events"]
    users = [event["text"] for event in events if event["event"] == "user"]
    assert users[:4] == ["经纬人才计划讲的是啥", "那住房呢？", "人才落户在哪办", "要带什么材料"]


@pytest.mark.parametrize("burst", range(3))
def test_concurrent_messages_of_one_sender_are_handled_one_at_a_time_in_order(cluster: Cluster, burst: int) -> None:
    sender = new_sender(f"concurrent{burst}")
    targets = [Rest(url) for url in (*cluster.instance_urls, cluster.public_url)]
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        futures = {question: pool.submit(targets[number % len(targets)].send, question, sender)
                   for number, question in enumerate(QUESTIONS)}
        replies = {question: future.result() for question, future in futures.items()}
    for question, reply in replies.items():
        assert reply.status == 200 and QUESTIONS[question] in reply.text, (question, reply)
    events = tracker(cluster.instance_urls[0], cluster.auth_token, sender)["events"]
    turns: list[tuple[str, list[str]]] = []
    for event in events:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot" and turns:
            turns[-1][1].append(event.get("text") or "")
    # nothing lost, nothing twice, and each message followed by its own replies, none interleaved
    assert sorted(text for text, _ in turns) == sorted(QUESTIONS), turns
    for text, bot_texts in turns:
        assert bot_texts == [message.get("text") or "" for message in replies[text].body], (text, bot_texts)


def test_the_conversations_are_in_postgresql_masked(cluster: Cluster, tracker_url: str) -> None:
    sender, mobile = new_sender("pg-mask"), "13905318765"
    assert Rest(cluster.public_url).reply(f"我的手机号{mobile}，临时救助在哪申请", sender)
    rows = postgres_events(tracker_url, rest_conversation(sender))
    stored = "\n".join(rows)
    assert rows and "139****8765" in stored and mobile not in stored
