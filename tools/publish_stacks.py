"""Assistants that serve the live release and can be switched: for the tests and `make bench-publish`.

They start what the launcher (bot/serve.py, tools/cluster: supervisord) must start for publishing
to work, on free ports, from a release folder of their own:
- `SingleStack`: bot.serve's action server and Rasa program, the latter under the keeper
  (bot/publish/keeper.py), in one supervisord;
- `ClusterStack`: tools/cluster's two instances behind nginx, each loading the live release.
Both serve `<releases>/live/model.tar.gz`, give the action server the live catalogue database and
pipeline, and write the instances file the publish job reads (bot/publish/instances.py).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import uuid
from pathlib import Path

from bot.endpoints import StoreURLs, drop_database
from bot.processes import free_port
from bot.publish.instances import CLUSTER, SINGLE, RunningInstances
from bot.publish.releases import CATALOGUE_DB, LIVE, MODEL, SEGMENTS, Releases
from bot.serve import Servers
from bot.supervision import Program


def action_env(releases: Releases, staff_url: str | None = None) -> dict[str, str]:
    """What the action server needs to serve the live release: its catalogue database, the
    service centre's record and the knowledge base's texts segmented with its pipeline, each
    through the link, so that a switched release is read at the next question."""
    live = releases.folder / LIVE
    env = {"CATALOGUE_DATABASE_URL": f"sqlite:///{live / CATALOGUE_DB}",
           "SHIZHONG_SERVICE_CENTRE": str(live / "sources" / "service_centre.yml"),
           "SHIZHONG_SEGMENTS": str(live / SEGMENTS)}
    if staff_url:
        env["STAFF_DATABASE_URL"] = staff_url
    return env


class SingleStack:
    """The action server and one instance under the keeper, programs of one supervisord."""

    kind = SINGLE

    def __init__(self, releases: Releases, folder: Path, instances_file: Path, staff_url: str | None = None,
                 tracker_url: str | None = None) -> None:
        self.releases = releases
        self.instances_file = instances_file
        self.servers = Servers(model=releases.folder / LIVE / MODEL, rasa_port=free_port(), actions_port=free_port(),
                               tracker_db=folder / "tracker.db", log_dir=folder / "logs", run_folder=folder / "run",
                               quiet=True, extra_env=action_env(releases, staff_url),
                               stores=StoreURLs(tracker_url, None))
        self.state = folder / "keeper.json"

    @property
    def url(self) -> str:
        return self.servers.rasa_url

    def keeper_program(self) -> Program:
        """bot.serve's Rasa program, under the keeper (which owns the port and hands it over)."""
        rasa = self.servers.rasa_program()
        command = [sys.executable, "-m", "bot.publish.keeper", "--host", self.servers.host,
                   "--port", str(self.servers.rasa_port), "--state", str(self.state),
                   "--release-link", str(self.releases.folder / LIVE), "--", *rasa.command]
        return dataclasses.replace(rasa, command=command)

    def start(self) -> None:
        try:
            self.servers.supervise([self.servers.actions_program(), self.keeper_program()])
            self.servers.wait_until_up()
            self.servers.warm_up_actions()
        except BaseException:
            self.stop()
            raise
        RunningInstances(SINGLE, self.url, keeper_state=self.state).write(self.instances_file)

    def stop(self) -> None:
        self.instances_file.unlink(missing_ok=True)
        self.servers.stop()


class ClusterStack:
    """tools/cluster's two instances behind nginx on PostgreSQL and Redis, serving the live release."""

    kind = CLUSTER

    def __init__(self, releases: Releases, folder: Path, instances_file: Path, staff_url: str | None = None) -> None:
        from tools.cluster import Cluster

        self.instances_file = instances_file
        self.database = f"shizhong_publish_{uuid.uuid4().hex[:8]}"
        self.stores = StoreURLs(f"postgresql://postgres@127.0.0.1:5432/{self.database}",
                                os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
        self.cluster = Cluster(model=releases.folder / LIVE / MODEL, stores=self.stores, public_port=free_port(),
                               instance_ports=(free_port(), free_port()), actions_port=free_port(), with_web=False,
                               folder=folder, extra_env=action_env(releases, staff_url), quiet=True)

    @property
    def url(self) -> str:
        return self.cluster.public_url

    def start(self) -> None:
        self.cluster.start()
        RunningInstances(CLUSTER, self.url, instance_urls=self.cluster.instance_urls,
                         nginx_config=self.cluster.folder / "nginx" / "nginx.conf").write(self.instances_file)

    def stop(self) -> None:
        self.instances_file.unlink(missing_ok=True)
        self.cluster.stop()
        drop_database(self.stores.tracker_store)
