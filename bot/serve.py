"""`python -m bot.serve` (`make run`): the action server, the assistant, the widget page and the staff
console under supervisord; the URLs are printed once all of them answer, and Ctrl-C stops them all.

Each server is a program of one supervisord (bot/supervision.py), which runs in the foreground as
this launcher's child: a server that crashes is started again (with back-off when it keeps
failing) while the others go on serving — the assistant answers with the apology naming 12345
while the action server is down, and normally again once it is back. Ctrl-C or SIGTERM to the
launcher stops supervisord and every server with it.

    HOST, RASA_PORT (5005), ACTIONS_PORT (5055), WEB_PORT (8080), CONSOLE_PORT (8090: the staff
                 console, bot/console, with its own settings: docs/staff.md)
    TRACKER_DB   the SQLite tracker store (build/tracker.db) unless TRACKER_STORE_URL is set
    RUN_FOLDER   supervisord's config, socket and log (build/run); the servers' output goes to
                 the terminal. `supervisorctl -c build/run/supervisord.conf status` shows them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

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
from bot.publish.instances import SINGLE, RunningInstances, instances_file
from bot.publish.serving import action_env, live_model, releases_for_launcher
from bot.supervision import Program, SupervisionError, Supervisor

HEALTH_TIMEOUT_SECONDS = 180
AUTH_TOKEN_SECRET, AUTH_TOKEN_ENV = "rasa-auth-token", "RASA_AUTH_TOKEN"
# Channel settings that credentials.yml reads as ${VARIABLES}: Rasa refuses to start when one is
# unset, so an unset one becomes empty and that channel reports itself off.
CHANNEL_VARIABLES = ("WECHAT_TOKEN", "WECHAT_APPID", "WECHAT_SECRET", "WECHAT_AES_KEY")
# The programs' names under supervisord (supervisorctl status shows them).
ACTIONS, RASA, WEB, CONSOLE = "actions", "rasa", "web", "console"
CONSOLE_MODULE = paths.PROJECT / "bot" / "console" / "__main__.py"


def console_available() -> bool:
    """Whether this checkout has the staff console (`python -m bot.console`)."""
    return CONSOLE_MODULE.exists()


@dataclass
class Servers:
    """The processes of one assistant (action server, Rasa, widget page, staff console) under one
    supervisord: started together, each restarted on its own, stopped together."""

    model: Path
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    actions_port: int = 5055
    tracker_db: Path = paths.BUILD / "tracker.db"
    # Each program's output in <log_dir>/<name>.log; on supervisord's standard output when None.
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # The web widget page (bot/web), started with the servers when `with_web` is set.
    with_web: bool = False
    web_port: int = 8080
    # The web widget's origin: Rasa's CORS and socket.io accept only this page.
    web_origin: str | None = None
    # The staff console (bot/console), started with the servers when `with_console` is set.
    with_console: bool = False
    console_port: int = 8090
    # Rasa's HTTP API (trackers, model, …) needs this token; the channels stay public. It lives in
    # build/secrets/ (RASA_AUTH_TOKEN sets it) and reaches Rasa as a file, never on a command line.
    auth_token: str = field(default_factory=lambda: secrets.secret(AUTH_TOKEN_SECRET, AUTH_TOKEN_ENV))
    # Conversations in PostgreSQL and locked in Redis when TRACKER_STORE_URL / REDIS_URL say so
    # (bot/endpoints.py); SQLite and in-memory locks otherwise.
    stores: StoreURLs = field(default_factory=StoreURLs.from_env)
    credentials: Path = paths.PROJECT / "credentials.yml"
    # supervisord's config, socket and log; a temporary folder (removed at `stop`) when None.
    run_folder: Path | None = None
    # supervisord's own lines (a program exited, was spawned) only in its log, not on its output.
    quiet: bool = False
    # Serving releases (bot/publish/serving.py): Rasa runs under the keeper, which hands over to a
    # process loading the release this link points at; `instances_file` then describes the
    # running instance to the publish job while the servers are up.
    release_link: Path | None = None
    instances_file: Path | None = None
    supervisor: Supervisor | None = field(default=None, init=False)
    _temporary: Path | None = field(default=None, init=False, repr=False)

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

    @property
    def console_url(self) -> str:
        return f"http://{self.host}:{self.console_port}"

    def env(self) -> dict[str, str]:
        """The environment supervisord passes on to every program."""
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

    # ------------------------------------------------------------ the programs

    def actions_program(self) -> Program:
        # rasa_sdk listens on 0.0.0.0 unless SANIC_HOST says otherwise: only the assistant, on
        # this host, may call the actions.
        # bot/action_server.py: rasa_sdk with umask 077, masked logs and the purge of old drafts.
        return Program(ACTIONS, [sys.executable, "-m", "bot.action_server", "--actions", "actions",
                                 "--port", str(self.actions_port)],
                       environment={"SANIC_HOST": self.host}, priority=10)

    def prepare_stores(self) -> Path:
        """The endpoints file for this assistant's stores, with the PostgreSQL database created."""
        self.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        if self.stores.tracker_store and ensure_database(self.stores.tracker_store):
            print("serve: created the tracker store's PostgreSQL database", flush=True)
        return endpoints_file(self.stores)

    def token_file(self) -> Path:
        """The HTTP API's token as an owner-only file, for bot.assistant (never on a command line)."""
        return write_token_file(self.auth_token)

    def rasa_program(self, name: str = RASA) -> Program:
        """Rasa's `rasa run`, through our entry point (bot/assistant.py: patches, umask, token file).
        It listens only once the model is loaded, so nothing reaches it before it can answer."""
        endpoints = self.prepare_stores()
        program = Program(name, [
            sys.executable, "-m", "bot.assistant", "--model", str(self.model),
            "--interface", self.host, "--port", str(self.rasa_port),
            "--credentials", str(self.credentials),
            "--endpoints", str(endpoints),
            "--cors", self.widget_origin,
            "--enable-api", "--auth-token-file", str(self.token_file()),
        ], start_seconds=10, priority=20)
        if self.release_link is None:
            return program
        # The keeper owns the port and hands it over to a second process at a publish.
        keeper = [sys.executable, "-m", "bot.publish.keeper", "--host", self.host, "--port", str(self.rasa_port),
                  "--state", str(self.keeper_state), "--release-link", str(self.release_link), "--"]
        return dataclasses.replace(program, command=[*keeper, *program.command])

    @property
    def keeper_state(self) -> Path:
        """The keeper's state file (its current child, the release it serves)."""
        return (self.run_folder or paths.BUILD / "run") / f"keeper-{self.rasa_port}.json"

    def web_program(self) -> Program:
        return Program(WEB, [sys.executable, "-m", "bot.web", "--host", self.host, "--port", str(self.web_port),
                             "--rasa-url", self.rasa_url], priority=30)

    def console_program(self) -> Program:
        """The staff console (bot/console), health at /health; it reads the conversations from
        TRACKER_STORE_URL, so with SQLite it is given this assistant's file."""
        environment = {} if self.stores.tracker_store else {TRACKER_STORE_URL_ENV: f"sqlite:///{self.tracker_db}"}
        return Program(CONSOLE, [sys.executable, "-m", "bot.console", "--host", self.host,
                                 "--port", str(self.console_port)], environment=environment, priority=30)

    def programs(self) -> list[Program]:
        programs = [self.actions_program(), self.rasa_program()]
        if self.with_web:
            programs.append(self.web_program())
        if self.with_console:
            programs.append(self.console_program())
        return programs

    def health_urls(self) -> list[str]:
        # Rasa's own root route: there whichever channels credentials.yml opens (Rasa listens only
        # once its model is loaded).
        urls = [f"{self.actions_url}/health", f"{self.rasa_url}/"]
        urls += [f"{self.web_url}/health"] if self.with_web else []
        return urls + ([f"{self.console_url}/health"] if self.with_console else [])

    # ------------------------------------------------------------ running them

    def supervise(self, programs: list[Program]) -> Supervisor:
        """supervisord for `programs`, started (the autostart ones with it)."""
        folder = self.run_folder
        if folder is None:
            folder = self._temporary = Path(tempfile.mkdtemp(prefix="shizhong-run-"))
        self.supervisor = Supervisor(folder, programs, env=self.env(), log_dir=self.log_dir, quiet=self.quiet)
        self.supervisor.start()
        return self.supervisor

    def start(self) -> None:
        """Start every program and return once all answer (and the actions are warm); stop all
        if one does not come up."""
        try:
            self.supervise(self.programs())
            self.wait_until_up()
            self.warm_up_actions()
        except BaseException:
            self.stop()
            raise
        if self.instances_file is not None:
            RunningInstances(SINGLE, self.rasa_url, keeper_state=self.keeper_state).write(self.instances_file)

    def warm_up_actions(self) -> None:
        """Run the two look-up actions once, so that loading the knowledge base, the topic index and
        the catalogue happens now and not in a resident's first question (WeChat waits 5 s). Each
        gets the NLU's parse of its question (the HTTP API's /model/parse: no conversation is
        made), search words included: the action server segments nothing itself."""
        for action, text in (("action_answer_knowledge", "经纬人才计划讲的啥"),
                             ("action_answer_service", "临时救助到哪申请")):
            call = {"next_action": action, "sender_id": "warm-up", "version": "3.6.21",
                    "tracker": {"sender_id": "warm-up", "events": [], "paused": False,
                                "slots": dict.fromkeys(("knowledge_topic", "topics_shown", "subject", "service_code",
                                                        "options_offered", "field")),
                                "latest_message": self.parse(text),
                                "latest_action_name": "action_listen", "active_loop": {}}}
            request = urllib.request.Request(f"{self.actions_url}/webhook", data=json.dumps(call).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()

    def parse(self, text: str) -> dict:
        """The assistant's NLU parse of `text` (Rasa's HTTP API, with the token)."""
        request = urllib.request.Request(f"{self.rasa_url}/model/parse?token={self.auth_token}",
                                         data=json.dumps({"text": text}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def wait_until_up(self, timeout: float = HEALTH_TIMEOUT_SECONDS) -> None:
        """Block until every program answers; raise if supervisord stops, gives up on a program,
        or the time runs out."""
        wait_until_answering(self.health_urls(), self.supervisor, timeout)

    def pid(self, name: str) -> int:
        """The current process id of program `name` (0 while it is not running)."""
        return self._supervisor().pid(name)

    def pids(self) -> dict[str, int]:
        return {name: info["pid"] for name, info in self._supervisor().states().items()}

    def stop_program(self, name: str) -> None:
        """Stop program `name` until `start_program`; the others go on."""
        self._supervisor().stop_program(name)

    def start_program(self, name: str) -> None:
        self._supervisor().start_program(name)

    def _supervisor(self) -> Supervisor:
        if self.supervisor is None:
            raise SupervisionError("not started")
        return self.supervisor

    def stop(self) -> None:
        if self.instances_file is not None:
            self.instances_file.unlink(missing_ok=True)
        if self.supervisor is not None:
            self.supervisor.stop()
            self.supervisor = None
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_answering(urls: list[str], supervisor: Supervisor | None, timeout: float) -> None:
    """Block until every URL answers 200; raise `SupervisionError` if supervisord stops or gives up
    on a program meanwhile, `TimeoutError` when `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    for url in urls:
        while not _answers(url):
            if supervisor is not None:
                if not supervisor.running:
                    raise SupervisionError(f"supervisord stopped (log: {supervisor.folder / 'supervisord.log'})")
                failed = supervisor.given_up()
                if failed:
                    raise SupervisionError(f"supervisord gave up on {', '.join(failed)}: it kept exiting as it "
                                           f"started (logs: {supervisor.log_dir or 'above'})")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
            time.sleep(0.3)


def describe_stores(stores: StoreURLs, tracker_db: Path = paths.BUILD / "tracker.db") -> str:
    tracker = (f"PostgreSQL ({safe_url(stores.tracker_store)})" if stores.tracker_store
               else f"SQLite ({_shown(tracker_db)})")
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


class Service(Protocol):
    supervisor: Supervisor | None

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def warm_up_actions(self) -> None: ...


def run_until_stopped(prefix: str, service: Service, ready: Callable[[float], str]) -> int:
    """Start, print `ready(seconds)`, keep serving until Ctrl-C/SIGTERM, then stop everything.

    supervisord restarts whatever crashes meanwhile; `watch` warms a restarted action server."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    started = time.monotonic()
    try:
        service.start()
        print(ready(time.monotonic() - started), flush=True)
        watch(prefix, service)
        print(f"{prefix}: supervisord stopped unexpectedly; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\n{prefix}: stopping", flush=True)
        return 0
    except (SupervisionError, RuntimeError, TimeoutError, ValueError) as error:
        print(f"{prefix}: {error}", file=sys.stderr)
        return 1
    finally:
        service.stop()


def watch(prefix: str, service: Service, every: float = 1, until: Callable[[], bool] = lambda: False) -> None:
    """Until supervisord stops (or `until()`): warm the action server up again after supervisord
    has restarted it (a cold one takes ~10 s over its first look-up), and say once when
    supervisord gives up on a program."""
    supervisor = service.supervisor
    actions_pid, cold = 0, False
    reported: set[str] = set()
    while supervisor is not None and supervisor.running and not until():
        time.sleep(every)
        try:
            states = supervisor.states()
        except OSError:  # supervisord is going away
            continue
        pid = states.get(ACTIONS, {}).get("pid", 0)
        if pid and pid != actions_pid:
            cold, actions_pid = actions_pid != 0, pid
        if cold:
            try:
                service.warm_up_actions()
                cold = False
                print(f"{prefix}: the restarted action server (pid {pid}) answers and is warm", flush=True)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # not listening yet
        failed = {name for name, info in states.items() if info["statename"] == "FATAL"}
        for name in sorted(failed - reported):
            print(f"{prefix}: supervisord gave up on {name}: it kept exiting as it started; "
                  f"the others keep serving. `supervisorctl -c {supervisor.config} start {name}` tries again.",
                  file=sys.stderr, flush=True)
        reported = failed


def main() -> int:
    os.umask(0o077)  # every file the servers create (databases, logs, secrets) is the owner's only
    releases = releases_for_launcher("serve", model_path())
    if releases is None:
        return 1
    run_folder = Path(os.environ.get("RUN_FOLDER") or paths.BUILD / "run")
    servers = Servers(
        model=live_model(releases),
        host=os.environ.get("HOST", "127.0.0.1"),
        rasa_port=int(os.environ.get("RASA_PORT", "5005")),
        actions_port=int(os.environ.get("ACTIONS_PORT", "5055")),
        tracker_db=Path(os.environ.get("TRACKER_DB") or paths.BUILD / "tracker.db"),
        with_web=True,
        web_port=int(os.environ.get("WEB_PORT", "8080")),
        with_console=console_available(),
        console_port=int(os.environ.get("CONSOLE_PORT", "8090")),
        run_folder=run_folder,
        extra_env=action_env(releases),
        release_link=releases.live_link,
        instances_file=instances_file(),
    )
    console = f", the staff console ({servers.console_url})" if servers.with_console else ""
    print(f"serve: starting the action server ({servers.actions_url}), the assistant "
          f"({servers.rasa_url}, under the publish keeper), the web widget ({servers.web_url}){console} "
          f"under supervisord ({servers.run_folder})", flush=True)
    print(f"serve: {describe_stores(servers.stores, servers.tracker_db)}", flush=True)
    token_file = write_token_file(servers.auth_token)

    def ready(seconds: float) -> str:
        config = servers.run_folder / "supervisord.conf"
        return (f"\nserve: up in {seconds:.0f} s. Ask in Chinese:\n"
                f"  web widget: {servers.web_url}/\n"
                f"  REST:       POST {servers.rasa_url}/webhooks/rest/webhook  "
                '{"sender": "me", "message": "经纬人才计划讲的啥"}\n'
                f"  socket.io:  {servers.rasa_url}/socket.io\n"
                f"  WeChat:     POST {servers.rasa_url}/webhooks/wechat/webhook (docs/wechat.md)\n"
                + (f"  console:    {servers.console_url}/ (staff)\n" if servers.with_console else "")
                + f"  actions:    {servers.actions_url}/health (this host only)\n"
                f"  HTTP API:   {servers.rasa_url}/status?token=… (token in {token_file.relative_to(paths.PROJECT)})\n"
                f"  processes:  .venv/bin/supervisorctl -c {_shown(config)} status "
                "(a server that stops is started again)\n"
                "Ctrl-C stops them all.")

    return run_until_stopped("serve", servers, ready)


def _shown(path: Path) -> Path:
    """`path` relative to the project when inside it."""
    return path.relative_to(paths.PROJECT) if path.is_relative_to(paths.PROJECT) else path


if __name__ == "__main__":
    sys.exit(main())
