"""`rasa run` serving on a listening socket it inherited, so one instance can hand over to another.

Rasa 3.6 binds its own port (`app.run(host, port)`); two processes cannot then take turns on one
port without a gap. When SHIZHONG_LISTEN_FD names an inherited descriptor, Sanic's `run` serves on
that socket instead (its `sock` argument): the keeper (bot/publish/keeper.py) owns the socket, starts
a new assistant on it, and stops the old one once the new one is serving. Both accept from the one
queue meanwhile, and closing the old process's descriptor leaves the socket open, so no connection
is refused or dropped. Sanic starts accepting only after `before_server_start`, where Rasa loads
the model, and SHIZHONG_READY_FILE is written once it accepts (`after_server_start`).

Stopping, Sanic 21.12 closes every connection it finds idle (`HttpProtocol.close_if_idle`) — also
one it accepted a moment before whose request has not been read yet: that client's request then
fails ("Broken pipe", once in a full test run under load). A connection younger than
FRESH_CONNECTION_SECONDS, or with bytes received and not yet parsed, is looked at again shortly
instead; Sanic's graceful shutdown waits for it as for a request in hand.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from sanic import Sanic
from sanic.server.protocols.http_protocol import HttpProtocol

LISTEN_FD_ENV, READY_FILE_ENV = "SHIZHONG_LISTEN_FD", "SHIZHONG_READY_FILE"
SANIC_RUN = Sanic.run
SANIC_CLOSE_IF_IDLE = HttpProtocol.close_if_idle
# A connection set up or last active this recently may carry a request still on its way (loopback:
# well under a second, even with the event loop busy on a message); looked at again every
# RECHECK_SECONDS.
FRESH_CONNECTION_SECONDS, RECHECK_SECONDS = 1.0, 0.1


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


def close_if_idle(self: HttpProtocol) -> bool:
    """Sanic's, except for a connection whose request may still be arriving: looked at again.
    (`_time` is Sanic's own: when the connection was set up or last read or written, monotonic.)"""
    fresh = self._http is None or time.monotonic() - self._time < FRESH_CONNECTION_SECONDS
    if (fresh or self.recv_buffer) and self.transport is not None and not self.transport.is_closing():
        self.loop.call_later(RECHECK_SECONDS, self.close_if_idle)
        return False
    return SANIC_CLOSE_IF_IDLE(self)


def install() -> None:
    Sanic.run = run  # type: ignore[method-assign]
    HttpProtocol.close_if_idle = close_if_idle  # type: ignore[method-assign]


def installed() -> bool:
    return Sanic.run is run and HttpProtocol.close_if_idle is close_if_idle
