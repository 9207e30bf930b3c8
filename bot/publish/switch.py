"""Switching the running assistant to a release (a publish or a rollback) without downtime.

First the `live` link moves to the release: the action server reads the catalogue database
through it (a new SQLite connection per query opens the new file), and any process (re)started
from now on loads the new model with its own pipeline. Then, when the model changed:
- one instance: the keeper starts a second process on the same socket and stops the first once
  the second accepts connections (bot/publish/keeper.py);
- a cluster: one instance at a time is taken out of nginx, sent `PUT /model` on its own port
  (never through nginx) with the HTTP API's token, checked with `GET /status`, and put back.
If an instance fails, what was switched is switched back and the `live` link restored.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from bot import secrets
from bot.publish.instances import CLUSTER, SINGLE, InstancesError, KeeperHandle, NginxBalancer, RunningInstances
from bot.publish.releases import Release, Releases

AUTH_TOKEN_SECRET, AUTH_TOKEN_ENV = "rasa-auth-token", "RASA_AUTH_TOKEN"  # as bot/serve.py
MODEL_LOAD_TIMEOUT = 900
Say = Callable[[str], None]


def api_token() -> str:
    return secrets.secret(AUTH_TOKEN_SECRET, AUTH_TOKEN_ENV)


def _call(method: str, url: str, token: str, body: dict | None = None, timeout: float = 30) -> dict | None:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{url}?token={token}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = response.read()
    return json.loads(payload) if payload else None


def model_id_at(url: str, token: str) -> str:
    status = _call("GET", f"{url}/status", token) or {}
    return status.get("model_id", "")


def load_model(url: str, release: Release, token: str) -> None:
    """`PUT /model` on one instance (it answers nothing until the model is loaded), then check."""
    try:
        _call("PUT", f"{url}/model", token, {"model_file": str(release.model)}, timeout=MODEL_LOAD_TIMEOUT)
    except urllib.error.HTTPError as error:
        raise InstancesError(f"{url} 拒绝加载模型：HTTP {error.code} {error.read()[:300]!r}") from error
    loaded = model_id_at(url, token)
    if loaded != release.manifest.model_id:
        raise InstancesError(f"{url} 加载后的模型是 {loaded}，不是 {release.manifest.model_id}")


def wait_answering(url: str, timeout: float = 60) -> None:
    """Until the REST channel answers (the instance is back from loading)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/webhooks/rest/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise InstancesError(f"{url} 在 {timeout:.0f} 秒内没有恢复应答")
        time.sleep(0.5)


def switch(releases: Releases, release: Release, running: RunningInstances | None, say: Say = print) -> None:
    """Make `release` live (see the module's docstring); raise InstancesError with everything
    put back as it was when an instance could not switch."""
    before = releases.live
    model_changes = before is None or before.manifest.model_id != release.manifest.model_id
    releases.go_live(release)
    say(f"线上版本指向 {release.id}（服务目录数据库立即生效）")
    if running is None:
        say("没有登记正在运行的实例（build/run/instances.json）：下次启动即使用新版本")
        return
    if not model_changes:
        say("模型未变，无需切换实例")
        return
    try:
        if running.kind == SINGLE:
            say("单实例：启动加载新模型的新进程，就绪后再停止旧进程")
            KeeperHandle(running.keeper_state).hand_over(release.id, say=say)
        elif running.kind == CLUSTER:
            _swap_cluster(running, release, before, say)
    except BaseException:
        if before is not None:
            releases.go_live(before)
            say(f"切换失败，线上版本已恢复为 {before.id}")
        raise
    say("所有实例已使用新模型")


def _swap_cluster(running: RunningInstances, release: Release, before: Release | None, say: Say) -> None:
    balancer, token = NginxBalancer(running.nginx_config), api_token()
    done: list[str] = []
    for number, url in enumerate(running.instance_urls, start=1):
        say(f"实例 {number}/{len(running.instance_urls)}（{url}）：移出 nginx")
        balancer.take_out(url)
        try:
            say(f"实例 {number}：PUT /model 加载新模型（期间该实例不接收请求）")
            load_model(url, release, token)
            wait_answering(url)
        except BaseException:
            balancer.put_back(url)
            for swapped in done if before is not None else ():
                say(f"恢复 {swapped} 的旧模型")
                balancer.take_out(swapped)
                try:
                    load_model(swapped, before, token)
                finally:
                    balancer.put_back(swapped)
            raise
        balancer.put_back(url)
        done.append(url)
        say(f"实例 {number}：已加载新模型，放回 nginx")
