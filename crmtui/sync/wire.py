"""Kept-alive HTTP/1.1 connections of a sync client, through ``http.client``.

httpx's client and its transport (httpcore on h11) cost about 2 ms of CPU
per request; a client that pushes ten times a second spends most of its
sync time there, and fifty of them in one process (the benchmark) fill a
core. The standard library's connection does the same exchange for a
fraction of that. It speaks httpx's transport interface, so the client and
the tests' fault-injecting transports stay interchangeable; failures are
raised as httpx's transport errors, which the client reports as offline.
A client's threads (a cycle, the long-poll) each take an idle connection
or open one.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from typing import Any

import httpx

_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
_FAILED = (OSError, http.client.HTTPException)


class Http11Transport(httpx.BaseTransport):
    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self._context = context
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {}).get("read")
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is not None:
            try:
                return self._exchange(conn, request, timeout)
            except _STALE:
                # The server closed this kept-alive connection before reading the
                # request: send it on a new one (pushes and pulls are idempotent).
                conn.close()
            except _FAILED as exc:
                conn.close()
                raise _error(exc, request) from None
        try:
            conn = self._open(request.url, timeout)
        except _FAILED as exc:
            raise _error(exc, request) from None
        try:
            return self._exchange(conn, request, timeout)
        except _FAILED as exc:
            conn.close()
            raise _error(exc, request) from None

    def _exchange(
        self, conn: http.client.HTTPConnection, request: httpx.Request, timeout: float | None
    ) -> httpx.Response:
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        conn.request(
            request.method,
            request.url.raw_path.decode("ascii"),
            body=request.content,
            headers=dict(request.headers),
        )
        answer = conn.getresponse()
        body = answer.read()
        if answer.will_close:
            conn.close()
        else:
            with self._lock:
                self._idle.append(conn)
        return httpx.Response(answer.status, headers=answer.getheaders(), content=body)

    def _open(self, url: httpx.URL, timeout: float | None) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection
        if url.scheme == "https":
            conn = http.client.HTTPSConnection(
                url.host, url.port, timeout=timeout, context=self._context
            )
        else:
            conn = http.client.HTTPConnection(url.host, url.port, timeout=timeout)
        conn.connect()  # with TCP_NODELAY (http.client sets it)
        return conn

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _error(exc: Exception, request: httpx.Request) -> Exception:
    kind: Any = httpx.ReadError
    if isinstance(exc, TimeoutError):
        kind = httpx.TimeoutException
    elif isinstance(exc, ConnectionRefusedError | socket.gaierror):
        kind = httpx.ConnectError
    return kind(str(exc) or type(exc).__name__, request=request)
