"""Child processes: a free port to start one on, stopping one with everything it started, and
whether one still runs.

Every server of ours is started in a session of its own (`start_new_session=True`), so its process
group holds whatever it spawned (Sanic workers, nginx's workers): stopping the group leaves nothing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def stop_process_group(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM to the process's group, SIGKILL after `timeout` seconds; waits until it has ended."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def alive(pid: int) -> bool:
    """Whether process `pid` exists and is more than its exit status (not a zombie)."""
    try:
        return pid > 0 and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
