"""The launcher's description of the running instances: what the publish job accepts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.publish.instances import CLUSTER, SINGLE, InstancesError, RunningInstances


def written(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_description_round_trips_and_none_means_nothing_runs(tmp_path: Path) -> None:
    assert RunningInstances.load(tmp_path / "missing.json") is None
    single = RunningInstances(SINGLE, "http://127.0.0.1:5005", keeper_state=tmp_path / "keeper.json")
    assert RunningInstances.load(single.write(tmp_path / "a.json")) == single
    cluster = RunningInstances(CLUSTER, "http://127.0.0.1:5005", ["http://127.0.0.1:5006", "http://127.0.0.1:5007"],
                               nginx_config=tmp_path / "nginx.conf")
    assert RunningInstances.load(cluster.write(tmp_path / "b.json")) == cluster


@pytest.mark.parametrize("data, reason", [
    ({"kind": "pair", "public_url": "http://x"}, "kind must be"),
    ({"kind": SINGLE, "public_url": "http://x"}, "keeper_state"),
    ({"kind": CLUSTER, "public_url": "http://x", "instances": ["http://a"], "nginx_config": "n.conf"}, "two instances"),
])
def test_a_description_the_switch_cannot_work_with_is_refused(tmp_path: Path, data: dict, reason: str) -> None:
    with pytest.raises(InstancesError, match=reason):
        RunningInstances.load(written(tmp_path, data))
