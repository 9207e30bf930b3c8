"""`python -m bot.serve`: start the action server, the assistant and the widget page; stop on Ctrl-C.

All run as child processes of this one, so Ctrl-C (or SIGTERM) stops them all and nothing is left
behind. Ports and hosts come from the environment (ACTIONS_PORT, RASA_PORT, WEB_PORT, HOST).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot import paths, secrets
from bot.endpoints import (
    REDIS_URL_ENV,
    TRACKER_STORE_URL_ENV,
    StoreURLs,
    endpoints_file,
    ensure_database,
    safe_url,
)
from bot.model import model_path, quiet_env
from bot.processes import stop_process_group

HEALTH_TIMEOUT_SECONDS = 120
AUTH_TOKEN_SECRET, AUTH_TOKEN_ENV = "rasa-auth-token", "RASA_AUTH_TOKEN"
# Channel settings that credentials.yml reads as ${VARIABLES}: Rasa refuses to start when one is
# unset, so an unset one becomes empty and that channel reports itself off.
CHANNEL_VARIABLES = ("WECHAT_TOKEN", "WECHAT_APPID", "WECHAT_SECRET", "WECHAT_AES_KEY")


@dataclass
class Servers:
    """The two server processes of one assistant, started and stopped together."""

    model: Path
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    tracker_db: Path = paths.BUILD / "tracker.db"
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # The web widget page (bot/web), started with the servers when `with_web` is set.
    with_web: bool = False
    web_port: int = 8080
    # The web widget's origin: Rasa's CORS and socket.io accept only this page.
    web_origin: str | None = None
    # Rasa's HTTP API (trackers, model, …) needs this token; the channels stay public. It lives in
    # build/secrets/ (RASA_AUTH_TOKEN sets it) and reaches Rasa as a file, never on a command line.
    auth_token: str = field(default_factory=lambda: secrets.secret(AUTH_TOKEN_SECRET, AUTH_TOKEN_ENV))
    # Conversations in PostgreSQL and locked in Redis when TRACKER_STORE_URL / REDIS_URL say so
    # (bot/endpoints.py); SQLite and in-memory locks otherwise.
    stores: StoreURLs = field(default_factory=StoreURLs.from_env)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def widget_origin(self) -> str:
        return (self.web_origin or self.web_url).rstrip("/")

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"

    @property
    def actions_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}"

    def env(self) -> dict[str, str]:
        env = quiet_env()
        env["ACTION_ENDPOINT_URL"] = f"{self.actions_url}/webhook"
        env["TRACKER_DB"] = str(self.tracker_db)
        env["PYTHONPATH"] = str(paths.PROJECT)
        for name in CHANNEL_VARIABLES:
            env.setdefault(name, "")
        env["WEB_ORIGINS"] = self.widget_origin
        # The WeChat channel keeps its retry and option memory in Redis when it has a URL.
        env[TRACKER_STORE_URL_ENV] = self.stores.tracker_store or ""
        env[REDIS_URL_ENV] = self.stores.redis or ""
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=paths.PROJECT, env=self.env() | (env or {}), stdout=output,
                                   stderr=subprocess.STDOUT if output else None,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def start_actions(self) -> subprocess.Popen:
        # rasa_sdk listens on 0.0.0.0 unless SANIC_HOST says otherwise: only the assistant, on
        # this host, may call the actions.
        return self._spawn("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                       "--port", str(self.actions_port)], env={"SANIC_HOST": self.host})

    def prepare_stores(self) -> Path:
        """The endpoints file for this assistant's stores, with the PostgreSQL database created."""
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        if self.stores.tracker_store and ensure_database(self.stores.tracker_store):
            print("serve: created the tracker store's PostgreSQL database", flush=True)
        return endpoints_file(self.stores)

    def token_file(self) -> Path:
        """The HTTP API's token as an owner-only file, for bot.assistant (never on a command line)."""
        return write_token_file(self.auth_token)

    def start_rasa(self) -> subprocess.Popen:
        """Rasa's `rasa run`, through our entry point (bot/assistant.py: patches, umask, token file)."""
        endpoints = self.prepare_stores()
        return self._spawn("rasa", [
            sys.executable, "-m", "bot.assistant", "--model", str(self.model),
            "--interface", self.host, "--port", str(self.rasa_port),
            "--credentials", str(paths.PROJECT / "credentials.yml"),
            "--endpoints", str(endpoints),
            "--cors", self.widget_origin,
            "--enable-api", "--auth-token-file", str(self.token_file()),
        ])

    def start_web(self) -> subprocess.Popen:
        return self._spawn("web", [sys.executable, "-m", "bot.web", "--host", self.host,
                                   "--port", str(self.web_port), "--rasa-url", self.rasa_url])

    def start(self) -> None:
        self.start_actions()
        self.start_rasa()
        if self.with_web:
            self.start_web()
        self.wait_until_up()
        self.warm_up_actions()

    def warm_up_actions(self) -> None:
        """Run the two look-up actions once, so that loading the segmenter, the topic index and
        the catalogue happens now and not in a resident's first question (WeChat waits 5 s)."""
        for action, text, intent in (("action_answer_knowledge", "经纬人才计划讲的啥", "faq"),
                                     ("action_answer_service", "临时救助到哪申请", "ask_service")):
            call = {"next_action": action, "sender_id": "warm-up", "version": "3.6.21",
                    "tracker": {"sender_id": "warm-up", "events": [], "paused": False,
                                "slots": dict.fromkeys(("knowledge_topic", "topics_shown", "subject", "service_code",
                                                        "options_offered", "field")),
                                "latest_message": {"text": text, "intent": {"name": intent}, "entities": []},
                                "latest_action_name": "action_listen", "active_loop": {}}}
            request = urllib.request.Request(f"{self.actions_url}/webhook", data=json.dumps(call).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()

    def health_urls(self) -> list[str]:
        # Rasa's own root route: there whichever channels credentials.yml opens.
        urls = [f"{self.actions_url}/health", f"{self.rasa_url}/"]
        return urls + ([f"{self.web_url}/health"] if self.with_web else [])

    def wait_until_up(self, timeout: float = HEALTH_TIMEOUT_SECONDS) -> None:
        """Block until both servers answer; raise if one dies or the time runs out."""
        deadline = time.monotonic() + timeout
        for url in self.health_urls():
            while not _answers(url):
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        raise RuntimeError(f"the {name} server exited with {process.returncode}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
                time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes.values():
            stop_process_group(process)
        self.processes.clear()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def describe_stores(stores: StoreURLs) -> str:
    tracker = f"PostgreSQL ({safe_url(stores.tracker_store)})" if stores.tracker_store else "SQLite (build/tracker.db)"
    lock = f"in Redis ({safe_url(stores.redis)})" if stores.redis else "in memory (one instance)"
    return f"conversations kept in {tracker}, locked {lock}"


def write_token_file(token: str) -> Path:
    """An owner-only file holding `token`, for bot.assistant's --auth-token-file, `make eval` and
    developers: the deployment's own (build/secrets/rasa-auth-token) or, for another token (tests,
    benchmarks), one named by the token's hash beside it."""
    deployment = secrets.secret_file(AUTH_TOKEN_SECRET, AUTH_TOKEN_ENV)
    if deployment.read_text(encoding="utf-8").strip() == token:
        return deployment
    path = secrets.SECRETS / "tokens" / hashlib.sha256(token.encode()).hexdigest()[:16]
    secrets.write_private(path, token)
    return path


def run_until_stopped(prefix: str, start: Callable[[], None], running: Callable[[], bool],
                      stop: Callable[[], None], ready: Callable[[float], str]) -> int:
    """Start, print `ready(seconds)`, wait for Ctrl-C/SIGTERM or a part dying, then stop all."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    started = time.monotonic()
    try:
        start()
        print(ready(time.monotonic() - started), flush=True)
        while running():
            time.sleep(1)
        print(f"{prefix}: a server stopped unexpectedly; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{prefix}: stopping", flush=True)
        return 0
    except (RuntimeError, TimeoutError, ValueError) as error:
        print(f"{prefix}: {error}", file=sys.stderr)
        return 1
    finally:
        stop()


def main() -> int:
    os.umask(0o077)  # every file the servers create (databases, logs, secrets) is the owner's only
    servers = Servers(
        model=model_path(),
        host=os.environ.get("HOST", "127.0.0.1"),
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        actions_port=int(os.environ.get("ACTIONS_PORT", "5055")),
        with_web=True,
        web_port=int(os.environ.get("WEB_PORT", "8080")),
    )
    if not servers.model.exists():
        print(f"serve: no trained model at {servers.model}; run `make run`", file=sys.stderr)
        return 1
    print(f"serve: starting the action server ({servers.actions_url}), the assistant "
          f"({servers.rasa_url}, {servers.model.name}) and the web widget ({servers.web_url})",
          flush=True)
    print(f"serve: {describe_stores(servers.stores)}", flush=True)
    token_file = write_token_file(servers.auth_token)

    def ready(seconds: float) -> str:
        return (f"\nserve: up in {seconds:.0f} s. Ask in Chinese:\n"
                f"  web widget: {servers.web_url}/\n"
                f"  REST:       POST {servers.rasa_url}/webhooks/rest/webhook  "
                '{"sender": "me", "message": "经纬人才计划讲的啥"}\n'
                f"  socket.io:  {servers.rasa_url}/socket.io\n"
                f"  WeChat:     POST {servers.rasa_url}/webhooks/wechat/webhook (docs/wechat.md)\n"
                f"  actions:    {servers.actions_url}/health (this host only)\n"
                f"  HTTP API:   {servers.rasa_url}/status?token=… (token in {token_file.relative_to(paths.PROJECT)})\n"
                "Ctrl-C stops them all.")

    return run_until_stopped("serve", servers.start,
                             lambda: all(process.poll() is None for process in servers.processes.values()),
                             servers.stop, ready)


if __name__ == "__main__":
    sys.exit(main())
