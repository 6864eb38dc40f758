"""uvicorn's HTTP/1.1 protocol (httptools) with Nagle's algorithm turned off.

With several workers uvicorn binds the listening socket itself, without naming
IPPROTO_TCP, and asyncio only turns Nagle off for sockets that name it. A
response is written as headers, then body: on a kept-alive connection the
body then waits for the client's delayed ACK of the headers, about 40 ms on
Linux, on every push and pull after a connection's first.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
