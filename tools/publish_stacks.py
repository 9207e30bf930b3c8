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

import os
import uuid
from pathlib import Path

from bot.endpoints import StoreURLs, drop_database
from bot.processes import free_port
from bot.publish.instances import CLUSTER, SINGLE
from bot.publish.releases import Releases
from bot.publish.serving import action_env, live_model
from bot.serve import Servers


class SingleStack:
    """The action server and one instance under the keeper, programs of one supervisord."""

    kind = SINGLE

    def __init__(self, releases: Releases, folder: Path, instances_file: Path, staff_url: str | None = None,
                 tracker_url: str | None = None) -> None:
        self.releases = releases
        self.instances_file = instances_file
        self.servers = Servers(model=live_model(releases), rasa_port=free_port(), actions_port=free_port(),
                               tracker_db=folder / "tracker.db", log_dir=folder / "logs", run_folder=folder / "run",
                               quiet=True, extra_env=action_env(releases, staff_url),
                               stores=StoreURLs(tracker_url, None), release_link=releases.live_link,
                               instances_file=instances_file)

    @property
    def url(self) -> str:
        return self.servers.rasa_url

    def start(self) -> None:
        self.servers.start()

    def stop(self) -> None:
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
        self.cluster = Cluster(model=live_model(releases), stores=self.stores, public_port=free_port(),
                               instance_ports=(free_port(), free_port()), actions_port=free_port(), with_web=False,
                               folder=folder, extra_env=action_env(releases, staff_url), quiet=True,
                               instances_file=instances_file)

    @property
    def url(self) -> str:
        return self.cluster.public_url

    def start(self) -> None:
        self.cluster.start()

    def stop(self) -> None:
        self.cluster.stop()
        drop_database(self.stores.tracker_store)
