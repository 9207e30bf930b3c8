"""A TCP proxy on 127.0.0.1 that can be cut and restored: a database 'going down' for real (the
fault tests and `make bench-faults`).

Clients connect to the proxy's port; each connection is piped to the target (the real PostgreSQL).
`cut()` stops listening and drops every open connection, as a crashed server or a broken network
would; `restore()` listens again on the same port. Runs on a `LoopThread`.
"""

from __future__ import annotations

import asyncio
import contextlib

from bot.processes import free_port
from tools.loop_thread import LoopThread


class TcpProxy:
    def __init__(self, loop_thread: LoopThread, target_host: str, target_port: int) -> None:
        self.loop_thread = loop_thread
        self.target = (target_host, target_port)
        self.port = free_port()
        self.connections = 0  # connections taken since the start
        self._server: asyncio.base_events.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    @property
    def up(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        self.loop_thread.run(self._listen())

    def cut(self) -> None:
        self.loop_thread.run(self._cut())

    restore = start

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _pipe(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._open.update((client_writer, server_writer))
        try:
            await asyncio.gather(self._copy(client_reader, server_writer), self._copy(server_reader, client_writer))
        finally:
            for writer in (client_writer, server_writer):
                self._open.discard(writer)
                writer.transport.abort()

    @staticmethod
    async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
