"""Taking an instance out of nginx and putting it back, with nginx's graceful reload: Debian's nginx
in front of two stand-in instances, with tools/cluster's own configuration."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot import paths
from bot.model import quiet_env
from bot.processes import free_port, stop_process_group
from bot.publish.instances import InstancesError, NginxBalancer
from tests.publish.test_keeper import FAKE, load, post
from tools.cluster import nginx


@pytest.fixture
def cluster(tmp_path: Path):
    ports = [free_port(), free_port()]
    env = quiet_env() | {"PYTHONPATH": str(paths.PROJECT), "FAKE_START_SECONDS": "0"}
    backends = [subprocess.Popen([sys.executable, str(FAKE)], cwd=paths.PROJECT, env=env | {"FAKE_PORT": str(port)},
                                 start_new_session=True) for port in ports]
    nginx.ensure_nginx()
    public = free_port()
    config = nginx.write_config(tmp_path / "nginx", f"127.0.0.1:{public}", [f"127.0.0.1:{p}" for p in ports])
    front = subprocess.Popen(nginx.command(config), start_new_session=True)
    url = f"http://127.0.0.1:{public}"
    deadline = time.monotonic() + 60
    while True:
        try:
            pids = {post(url) for _ in range(6)}
            if len(pids) == 2:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline
        time.sleep(0.3)
    yield NginxBalancer(config), url, [f"http://127.0.0.1:{p}" for p in ports], backends
    for process in (front, *backends):
        stop_process_group(process)


def test_an_instance_taken_out_gets_no_request_until_put_back(cluster) -> None:
    balancer, url, instances, backends = cluster
    out = str(backends[0].pid)
    with load(url, clients=3) as asked:
        time.sleep(0.5)
        balancer.take_out(instances[0])
        taken_out_at = len(asked.answers)
        time.sleep(2)
        during = Counter(asked.answers[taken_out_at + 3:])
        balancer.put_back(instances[0])
        back_at = len(asked.answers)
        time.sleep(2)
    assert asked.errors == []
    assert during[out] == 0 and during[str(backends[1].pid)] > 5
    assert Counter(asked.answers[back_at:])[out] > 0
    assert " down;" not in balancer.config.read_text()


def test_an_unknown_instance_is_refused(cluster) -> None:
    balancer = cluster[0]
    with pytest.raises(InstancesError, match="no upstream server"):
        balancer.take_out("http://127.0.0.1:1")
