"""The sync server turns Nagle's algorithm off on sockets uvicorn binds itself
(several workers), where asyncio leaves it on: otherwise every answer after a
connection's first waits ~40 ms for the client's delayed ACK."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvloop
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from crmtui.sync.nodelay import NoDelayHttpToolsProtocol


async def _nodelay_of(protocol: type[HttpToolsProtocol]) -> int:
    """TCP_NODELAY of an accepted connection on a socket bound as uvicorn does."""

    async def app(scope: Any, receive: Any, send: Any) -> None:  # never called
        raise AssertionError

    config = Config(app=app)
    config.load()
    state = ServerState()
    seen: asyncio.Queue[int] = asyncio.Queue()

    class Probe(protocol):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            sock = transport.get_extra_info("socket")
            seen.put_nowait(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, like uvicorn's
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = await asyncio.get_running_loop().create_server(
        lambda: Probe(config=config, server_state=state, app_state={}), sock=listener
    )
    async with server:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        got = await asyncio.wait_for(seen.get(), 5)
        writer.close()
    return got


async def test_uvicorns_own_protocol_leaves_nagle_on_there() -> None:
    assert await _nodelay_of(HttpToolsProtocol) == 0


async def test_the_servers_protocol_turns_it_off() -> None:
    assert await _nodelay_of(NoDelayHttpToolsProtocol) != 0


def test_and_so_it_stays_on_uvloop_which_crmtui_serve_runs_when_installed() -> None:
    assert uvloop.run(_nodelay_of(NoDelayHttpToolsProtocol)) != 0
