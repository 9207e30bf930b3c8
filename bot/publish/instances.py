"""The running assistant instances, as the launcher describes them to the publish job.

The launcher (bot/serve.py, tools/cluster, supervisord) writes a small JSON file, by default
build/run/instances.json (PUBLISH_INSTANCES_FILE), when its instances are up:

    {"kind": "single", "public_url": "http://127.0.0.1:5005",
     "keeper_state": "build/run/keeper-5005.json"}
    {"kind": "cluster", "public_url": "http://127.0.0.1:5005",
     "instances": ["http://127.0.0.1:5006", "http://127.0.0.1:5007"],
     "nginx_config": "build/cluster/nginx/nginx.conf"}

One instance runs under the keeper (bot/publish/keeper.py), which the job signals to hand over to
a new process; a cluster's instances are swapped one at a time behind nginx (`NginxBalancer`).
Relative paths are relative to the project folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot import paths

FILE = paths.BUILD / "run" / "instances.json"
FILE_ENV = "PUBLISH_INSTANCES_FILE"
SINGLE, CLUSTER = "single", "cluster"
NGINX = Path("/usr/sbin/nginx")


class InstancesError(RuntimeError):
    """The instances file is missing or wrong, or a balancer or keeper does not do as asked."""


def instances_file() -> Path:
    return Path(os.environ.get(FILE_ENV) or FILE)


def _path(value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else paths.PROJECT / path


@dataclass(frozen=True)
class RunningInstances:
    kind: str
    public_url: str
    instance_urls: list[str] = field(default_factory=list)
    keeper_state: Path | None = None
    nginx_config: Path | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> RunningInstances | None:
        """The launcher's description; None when no assistant is running (no file)."""
        path = path or instances_file()
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        kind = data.get("kind")
        if kind not in (SINGLE, CLUSTER):
            raise InstancesError(f"{path}: kind must be {SINGLE!r} or {CLUSTER!r}")
        running = cls(kind, data["public_url"].rstrip("/"), [u.rstrip("/") for u in data.get("instances") or []],
                      _path(data.get("keeper_state")), _path(data.get("nginx_config")))
        if kind == SINGLE and running.keeper_state is None:
            raise InstancesError(f"{path}: one instance needs keeper_state (bot/publish/keeper.py)")
        if kind == CLUSTER and (len(running.instance_urls) < 2 or running.nginx_config is None):
            # One is taken out at a time: with fewer than two, nginx would have none to send to.
            raise InstancesError(f"{path}: a cluster needs at least two instances and nginx_config")
        return running

    def write(self, path: Path | None = None) -> Path:
        path = path or instances_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"kind": self.kind, "public_url": self.public_url}
        if self.kind == SINGLE:
            data["keeper_state"] = str(self.keeper_state)
        else:
            data.update(instances=self.instance_urls, nginx_config=str(self.nginx_config))
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return path


class NginxBalancer:
    """Takes an instance out of nginx's upstreams and puts it back (`server ADDRESS … down;`), each
    time with a graceful reload: nginx's new workers stop sending to it while the old ones finish
    the requests they have in hand."""

    def __init__(self, config: Path, nginx: Path = NGINX) -> None:
        self.config = config
        self.nginx = nginx

    def _server_line(self, address: str) -> re.Pattern[str]:
        return re.compile(rf"^(\s*server\s+{re.escape(address)}\b[^;]*?)(\s+down)?;", re.MULTILINE)

    def set_down(self, address: str, down: bool) -> None:
        text = self.config.read_text(encoding="utf-8")
        pattern = self._server_line(address)
        if not pattern.search(text):
            raise InstancesError(f"{self.config} has no upstream server {address}")
        text = pattern.sub(lambda m: m.group(1) + (" down;" if down else ";"), text)
        temporary = self.config.with_name(f".{self.config.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.config)
        self.reload()

    def master_pid(self) -> int:
        match = re.search(r"^\s*pid\s+(\S+);", self.config.read_text(encoding="utf-8"), re.MULTILINE)
        pid_file = Path(match.group(1)) if match else None
        if pid_file is None or not pid_file.is_file():
            raise InstancesError(f"nginx's pid file (from {self.config}) is missing: is nginx running?")
        return int(pid_file.read_text().strip())

    def workers(self, master: int) -> list[int]:
        children = Path(f"/proc/{master}/task/{master}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def reload(self, drain: float = 15) -> None:
        """Check the config and reload; wait (up to `drain` seconds) until the old workers have
        finished: requests take well under that, and a socket.io connection an old worker still
        carries may stay open for hours, so the wait is bounded."""
        check = subprocess.run([str(self.nginx), "-p", str(self.config.parent), "-c", str(self.config),
                                "-e", "stderr", "-t", "-q"], capture_output=True, text=True)
        if check.returncode != 0:
            raise InstancesError(f"nginx refused {self.config}: {check.stderr.strip()}")
        master = self.master_pid()
        before = set(self.workers(master))
        os.kill(master, signal.SIGHUP)
        deadline = time.monotonic() + drain
        while before & set(self.workers(master)) and time.monotonic() < deadline:
            time.sleep(0.1)

    def take_out(self, url: str) -> None:
        self.set_down(_address(url), True)

    def put_back(self, url: str) -> None:
        self.set_down(_address(url), False)


def _address(url: str) -> str:
    return urlsplit(url).netloc


@dataclass(frozen=True)
class KeeperHandle:
    """The keeper of one instance, through its state file."""

    state_file: Path

    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InstancesError(f"the keeper's state file {self.state_file} cannot be read: {error}") from error

    def hand_over(self, release_id: str, timeout: float = 900, say=print) -> None:
        """Ask the keeper for a new process and wait until it serves `release_id`."""
        before = self.state()
        if before.get("state") == "stopped":
            raise InstancesError("该实例的 keeper 已停止（助手未在运行），无法交接")
        try:
            os.kill(int(before["keeper"]), signal.SIGHUP)
        except ProcessLookupError as error:  # a launcher killed outright left its files behind
            raise InstancesError(f"该实例的 keeper（进程 {before['keeper']}）已不在运行，无法交接") from error
        deadline = time.monotonic() + timeout
        shown = ""
        while True:
            time.sleep(0.5)
            now = self.state()
            if now.get("generation", 0) > before.get("generation", 0) and now.get("state") == "serving":
                if now.get("error"):
                    raise InstancesError(f"交接失败，旧进程继续服务：{now['error']}")
                if now.get("release") != release_id:
                    raise InstancesError(f"新进程服务的版本是 {now.get('release')}，不是 {release_id}")
                return
            if now.get("state") != shown:
                shown = now.get("state", "")
                say(f"实例状态：{shown}")
            if time.monotonic() > deadline:
                raise InstancesError(f"{timeout:.0f} 秒内未完成交接")
