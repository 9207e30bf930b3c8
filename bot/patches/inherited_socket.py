"""`rasa run` serving on a listening socket it inherited, so one instance can hand over to another.

Rasa 3.6 binds its own port (`app.run(host, port)`); two processes cannot then take turns on one
port without a gap. When SHIZHONG_LISTEN_FD names an inherited descriptor, Sanic's `run` serves on
that socket instead (its `sock` argument): the keeper (bot/publish/keeper.py) owns the socket, starts
a new assistant on it, and stops the old one once the new one is serving. Both accept from the one
queue meanwhile, and closing the old process's descriptor leaves the socket open, so no connection
is refused or dropped. Sanic starts accepting only after `before_server_start`, where Rasa loads
the model, and SHIZHONG_READY_FILE is written once it accepts (`after_server_start`).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from sanic import Sanic

LISTEN_FD_ENV, READY_FILE_ENV = "SHIZHONG_LISTEN_FD", "SHIZHONG_READY_FILE"
SANIC_RUN = Sanic.run


def inherited_socket() -> socket.socket | None:
    fd = os.environ.get(LISTEN_FD_ENV)
    return socket.socket(fileno=int(fd)) if fd else None


def run(self: Sanic, *args, **kwargs):
    """Sanic's `run`, on the inherited socket when there is one (host and port then unused)."""
    sock = inherited_socket()
    if sock is not None:
        kwargs.update(sock=sock, host=None, port=None)
        if os.environ.get(READY_FILE_ENV):
            self.register_listener(_ready, "after_server_start")
    return SANIC_RUN(self, *args, **kwargs)


async def _ready(app: Sanic, _loop) -> None:
    Path(os.environ[READY_FILE_ENV]).write_text(str(os.getpid()), encoding="utf-8")


def install() -> None:
    Sanic.run = run  # type: ignore[method-assign]


def installed() -> bool:
    return Sanic.run is run
