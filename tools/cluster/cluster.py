"""`python -m tools.cluster`: two assistants, one action server and the widget behind nginx.

Rasa's own multi-instance architecture on one machine: every instance reads and writes the
conversations in PostgreSQL (the masking SQL tracker store) and takes Redis's lock on a
conversation before it handles a message of it, so any instance can answer any message and one
sender's messages are handled in the order they came. nginx is the one public port (REST,
socket.io, WeChat, the token-protected HTTP API); the instances, the action server and the
widget page listen on their own ports. Every process is a program of one supervisord
(bot/supervision.py): an instance that crashes is taken out by nginx, its conversations go on on
the other one, and it rejoins once supervisord has started it again and its model is loaded.
Ctrl-C stops everything.

    TRACKER_STORE_URL (default postgresql://postgres@127.0.0.1:5432/shizhong_tracker)
    REDIS_URL         (default redis://127.0.0.1:6379/0)
    RASA_PORT         the public port, nginx (5005); CLUSTER_PORTS the instances' (5006,5007)
    SANIC_WORKERS     processes per instance (1; Rasa allows more with the Redis lock store)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot import paths
from bot.endpoints import StoreURLs, wait_for_events_table
from bot.model import model_path
from bot.publish.instances import CLUSTER, RunningInstances, instances_file
from bot.publish.serving import action_env, live_model, releases_for_launcher
from bot.serve import (
    HEALTH_TIMEOUT_SECONDS,
    RASA,
    Servers,
    console_available,
    describe_stores,
    run_until_stopped,
    wait_until_answering,
    write_token_file,
)
from bot.supervision import Program, Supervisor
from tools.cluster import nginx

DEFAULT_TRACKER_STORE_URL = "postgresql://postgres@127.0.0.1:5432/shizhong_tracker"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
FOLDER = paths.BUILD / "cluster"
NGINX = "nginx"


def cluster_stores(env: dict[str, str] | None = None) -> StoreURLs:
    """The stores from the environment, PostgreSQL and Redis on this machine by default."""
    stores = StoreURLs.from_env(env)
    return StoreURLs(stores.tracker_store or DEFAULT_TRACKER_STORE_URL, stores.redis or DEFAULT_REDIS_URL)


def instance_name(number: int) -> str:
    """The supervisord program name of instance `number` (from 1)."""
    return f"{RASA}-{number}"


@dataclass
class Cluster:
    """Instances of the assistant, one action server, the widget page and nginx in front, all
    programs of one supervisord."""

    model: Path
    stores: StoreURLs = field(default_factory=cluster_stores)
    host: str = "127.0.0.1"
    public_port: int = 5005
    instance_ports: tuple[int, ...] = (5006, 5007)
    actions_port: int = 5055
    with_web: bool = True
    web_port: int = 8080
    with_console: bool = False
    console_port: int = 8090
    folder: Path = FOLDER
    # Processes per Rasa instance (SANIC_WORKERS); each loads the whole model.
    workers: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    # supervisord's own lines only in its log (build/cluster/supervisor/supervisord.log).
    quiet: bool = False
    # Where the running instances are described to the publish job while they are up (None: not).
    instances_file: Path | None = None
    front: Servers = field(init=False)
    instances: list[Servers] = field(init=False)

    def __post_init__(self) -> None:
        if not self.stores.shared:
            raise ValueError("a cluster needs both a PostgreSQL tracker store and Redis")
        common = dict(model=self.model, host=self.host, actions_port=self.actions_port, stores=self.stores,
                      web_port=self.web_port, tracker_db=self.folder / "unused-tracker.db",
                      log_dir=self.folder / "logs", extra_env=self.extra_env)
        # The front: the action server, the widget page (talking to nginx), the console, and the
        # supervisord that runs every program of the cluster.
        self.front = Servers(rasa_port=self.public_port, with_web=self.with_web, with_console=self.with_console,
                             console_port=self.console_port, run_folder=self.folder / "supervisor",
                             quiet=self.quiet, **common)
        token = self.front.auth_token
        self.instances = [Servers(rasa_port=port, auth_token=token, **common) for port in self.instance_ports]

    @property
    def public_url(self) -> str:
        return self.front.rasa_url

    @property
    def instance_urls(self) -> list[str]:
        return [instance.rasa_url for instance in self.instances]

    @property
    def instance_names(self) -> list[str]:
        return [instance_name(number) for number in range(1, len(self.instances) + 1)]

    @property
    def auth_token(self) -> str:
        return self.front.auth_token

    @property
    def supervisor(self) -> Supervisor | None:
        return self.front.supervisor

    def programs(self, config: Path) -> list[Program]:
        """Every process of the cluster. The instances after the first start only when asked
        (`_start`): Rasa's SQL store creates its table at start-up, and two at once on an empty
        database would collide."""
        programs = [self.front.actions_program()]
        for number, instance in enumerate(self.instances, start=1):
            program = instance.rasa_program(instance_name(number))
            # nginx (loopback, trusted) appends the client's address to X-Forwarded-For: the rate
            # limits per address read it there.
            programs.append(dataclasses.replace(program, environment={"SANIC_WORKERS": str(self.workers),
                                                                      "SANIC_PROXIES_COUNT": "1"},
                                                autostart=number == 1))
        programs.append(Program(NGINX, nginx.command(config), priority=40, stop_signal="QUIT"))
        if self.with_web:
            programs.append(self.front.web_program())
        if self.with_console:
            programs.append(self.front.console_program())
        return programs

    def start(self) -> None:
        """Start every part and wait until the public port answers; stop all if one fails."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        nginx.ensure_nginx()
        config = nginx.write_config(self.folder / "nginx", f"{self.host}:{self.public_port}",
                                    [f"{self.host}:{port}" for port in self.instance_ports])
        supervisor = self.front.supervise(self.programs(config))
        first, *others = self.instance_names

        wait_for_events_table(self.stores.tracker_store,
                              lambda: supervisor.running and first not in supervisor.given_up())
        for name in others:
            supervisor.start_program(name, wait=False)
        urls = [f"{instance.rasa_url}/webhooks/rest/" for instance in self.instances] + self.front.health_urls()
        wait_until_answering(urls, supervisor, HEALTH_TIMEOUT_SECONDS)
        self.warm_up_actions()
        if self.instances_file is not None:
            RunningInstances(CLUSTER, self.public_url, self.instance_urls,
                             nginx_config=self.folder / "nginx" / "nginx.conf").write(self.instances_file)

    def warm_up_actions(self) -> None:
        self.front.warm_up_actions()

    def pid(self, name: str) -> int:
        """The current process id of program `name` (`actions`, `rasa-1`, `nginx`, …)."""
        return self.front.pid(name)

    def stop(self) -> None:
        if self.instances_file is not None:
            self.instances_file.unlink(missing_ok=True)
        self.front.stop()
        nginx.remove_temp(self.folder / "nginx")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="the set-up's model to adopt while nothing was ever published "
                        "(default: the one for the current data); a published release stays live")
    args = parser.parse_args(argv)
    os.umask(0o077)  # every file the servers create (databases, logs, secrets) is the owner's only
    ports = tuple(int(port) for port in os.environ.get("CLUSTER_PORTS", "5006,5007").split(","))
    releases = releases_for_launcher("cluster", args.model or model_path())
    if releases is None:
        return 1
    cluster = Cluster(model=live_model(releases), host=os.environ.get("HOST", "127.0.0.1"),
                      public_port=int(os.environ.get("RASA_PORT", "5005")), instance_ports=ports,
                      actions_port=int(os.environ.get("ACTIONS_PORT", "5055")),
                      web_port=int(os.environ.get("WEB_PORT", "8080")),
                      workers=int(os.environ.get("SANIC_WORKERS", "1")), with_console=console_available(),
                      console_port=int(os.environ.get("CONSOLE_PORT", "8090")),
                      extra_env=action_env(releases), instances_file=instances_file())
    console = f", the staff console ({cluster.front.console_url})" if cluster.with_console else ""
    print(f"cluster: starting {len(ports)} assistants ({', '.join(cluster.instance_urls)}; "
          f"the live release), the action server ({cluster.front.actions_url}), the widget "
          f"({cluster.front.web_url}){console} and nginx ({cluster.public_url}), under supervisord",
          flush=True)
    print(f"cluster: {describe_stores(cluster.stores)}", flush=True)
    token_file = write_token_file(cluster.auth_token)
    public = cluster.public_url
    config = cluster.folder / "supervisor" / "supervisord.conf"

    def ready(seconds: float) -> str:
        return (f"\ncluster: up in {seconds:.0f} s. One public port, nginx in front:\n"
                f"  web widget: {cluster.front.web_url}/\n"
                f"  REST:       POST {public}/webhooks/rest/webhook  "
                '{"sender": "me", "message": "经纬人才计划是什么"}\n'
                f"  socket.io:  {public}/socket.io (sticky per client address)\n"
                f"  WeChat:     POST {public}/webhooks/wechat/webhook (docs/wechat.md)\n"
                f"  HTTP API:   {public}/status?token=… (token in {token_file.relative_to(paths.PROJECT)})\n"
                f"  instances:  {', '.join(cluster.instance_urls)} (directly, for debugging)\n"
                + (f"  console:    {cluster.front.console_url}/ (staff)\n" if cluster.with_console else "")
                + f"  actions:    {cluster.front.actions_url}/health (this host only)\n"
                f"  logs:       {(cluster.folder / 'logs').relative_to(paths.PROJECT)}/\n"
                f"  processes:  .venv/bin/supervisorctl -c {config.relative_to(paths.PROJECT)} status "
                "(a process that stops is started again; nginx sends its traffic to the others meanwhile)\n"
                "Ctrl-C stops them all.")

    return run_until_stopped("cluster", cluster, ready)


if __name__ == "__main__":
    sys.exit(main())
