"""`python -m bot.publish.keeper`: one assistant instance whose port is handed over without a gap.

    python -m bot.publish.keeper --port 5005 --state build/run/keeper-5005.json -- \\
        python -m bot.assistant --model build/releases/live/model.tar.gz … (no --port)

Rasa's `PUT /model` loads a model on the event loop and answers nothing meanwhile, so a single
instance cannot switch models in place. The keeper owns the instance's listening socket and runs
the assistant as its child on it (bot/patches/inherited_socket.py). On SIGHUP it starts a second
child with the same command (which loads whatever `build/releases/live` now is), waits until that
one accepts connections, and only then stops the first, gracefully: both accept from the one
socket meanwhile, and the socket itself never closes. If the new child fails to start, the old one
keeps serving and the state file says why. A child that dies is started again. SIGTERM or SIGINT
stops the child and the keeper; a keeper killed outright takes its children with it (the kernel's
parent-death signal), so none keeps the port from the keeper supervisord starts again.

The state file (JSON, replaced atomically) tells the publish job how a hand-over went:
{"keeper": pid, "child": pid, "generation": n, "state": "starting|serving|handing_over",
 "release": "<id the live link pointed at when the child started>", "error": "…"}.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.patches.inherited_socket import LISTEN_FD_ENV, READY_FILE_ENV
from bot.processes import alive, stop_process_group

START_TIMEOUT = 600  # a model load on a loaded machine; the old child serves meanwhile
RESTART_PAUSE = 2.0
STOP_TIMEOUT = 15  # within supervisord's 20 s before it kills the keeper


PR_SET_PDEATHSIG = 1  # prctl(2)
BIND_TIMEOUT = 30  # a killed keeper's child is still closing the port


def listening_socket(host: str, port: int, backlog: int = 1024, busy_while: Callable[[], bool] = lambda: False,
                     timeout: float = BIND_TIMEOUT) -> socket.socket:
    """The instance's listening socket. The port may still be held while `busy_while()` (the
    previous keeper's child, killed along with it, is still closing): then binding is tried
    again for up to `timeout` seconds; a port another program holds fails at once."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            break
        except OSError as error:
            sock.close()
            if error.errno != errno.EADDRINUSE or not busy_while() or time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def previous_child(state_file: Path) -> int:
    """The child the previous keeper of this state file served with (0 when none is known)."""
    try:
        return int(json.loads(state_file.read_text(encoding="utf-8")).get("child") or 0)
    except (OSError, ValueError, TypeError):
        return 0


def die_with_keeper(keeper: int) -> None:
    """Run in a child before it starts: the kernel kills it when the keeper dies, even by SIGKILL
    (the child runs in a session of its own, so nothing else would)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != keeper:  # the keeper died before the call
        os._exit(1)


def release_of(link: Path | None) -> str:
    return os.readlink(link) if link is not None and link.is_symlink() else ""


class Keeper:
    def __init__(self, sock: socket.socket, command: list[str], state_file: Path, release_link: Path | None) -> None:
        self.sock = sock
        self.command = command
        self.state_file = state_file
        self.release_link = release_link
        self.child: subprocess.Popen | None = None
        self.generation = 0
        self.hand_over_asked = False
        self.stopping = False
        self.state: dict = {"keeper": os.getpid()}

    def write_state(self, **changes: object) -> None:
        self.state.update(changes, keeper=os.getpid(), at=time.time())
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_name(f".{self.state_file.name}.tmp")
        temporary.write_text(json.dumps(self.state, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.state_file)

    def spawn(self) -> tuple[subprocess.Popen, Path, str]:
        ready = Path(tempfile.mkdtemp(prefix="shizhong-keeper-")) / "ready"
        release = release_of(self.release_link)
        env = dict(os.environ, **{LISTEN_FD_ENV: str(self.sock.fileno()), READY_FILE_ENV: str(ready)})
        child = subprocess.Popen(self.command, env=env, pass_fds=(self.sock.fileno(),), start_new_session=True,
                                 preexec_fn=functools.partial(die_with_keeper, os.getpid()))
        return child, ready, release

    def wait_ready(self, child: subprocess.Popen, ready: Path) -> str | None:
        """None once `child` accepts connections; why not otherwise."""
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.exists():
            if child.poll() is not None:
                return f"新进程启动失败（退出码 {child.returncode}）"
            if self.stopping:
                return "keeper 正在停止"
            if time.monotonic() > deadline:
                return f"新进程 {START_TIMEOUT} 秒内未就绪"
            time.sleep(0.2)
        ready.unlink(missing_ok=True)
        ready.parent.rmdir()
        return None

    def start_first(self) -> None:
        while not self.stopping:
            self.generation += 1
            self.write_state(state="starting", generation=self.generation, error="")
            child, ready, release = self.spawn()
            error = self.wait_ready(child, ready)
            if error is None:
                self.child = child
                self.write_state(state="serving", child=child.pid, release=release)
                return
            stop_process_group(child, STOP_TIMEOUT)
            self.write_state(state="starting", error=error)
            time.sleep(RESTART_PAUSE)

    def hand_over(self) -> None:
        self.hand_over_asked = False
        self.generation += 1
        self.write_state(state="handing_over", generation=self.generation, error="")
        child, ready, release = self.spawn()
        error = self.wait_ready(child, ready)
        if error is not None:
            stop_process_group(child, STOP_TIMEOUT)
            self.write_state(state="serving", error=error)
            return
        old, self.child = self.child, child
        self.write_state(state="serving", child=child.pid, release=release)
        if old is not None:
            stop_process_group(old, STOP_TIMEOUT)  # Sanic finishes what it has in hand

    def run(self) -> int:
        signal.signal(signal.SIGHUP, lambda *_: setattr(self, "hand_over_asked", True))
        for name in (signal.SIGTERM, signal.SIGINT):
            signal.signal(name, lambda *_: setattr(self, "stopping", True))
        self.start_first()
        while not self.stopping:
            if self.hand_over_asked:
                self.hand_over()
            elif self.child is not None and self.child.poll() is not None:
                self.write_state(state="starting", error=f"进程意外退出（退出码 {self.child.returncode}），正在重启")
                self.child = None
                time.sleep(RESTART_PAUSE)
                self.start_first()
            else:
                time.sleep(0.2)
        if self.child is not None:
            stop_process_group(self.child, STOP_TIMEOUT)
        self.write_state(state="stopped")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.publish.keeper", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, required=True, help="the state file (JSON) the publish job reads")
    parser.add_argument("--release-link", type=Path, default=None,
                        help="the live release symlink, to record which release each child serves")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the assistant's command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the assistant's command after --")
    os.umask(0o077)
    child = previous_child(args.state)
    sock = listening_socket(args.host, args.port, busy_while=lambda: alive(child))
    return Keeper(sock, command, args.state, args.release_link).run()


if __name__ == "__main__":
    sys.exit(main())
