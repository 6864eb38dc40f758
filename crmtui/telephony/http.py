"""A deliberately small HTTP/1.1 server for the webhook listener.

Desk phones and Twilio send one short request per call event, so this reads
one request per connection (request line, headers, a ``Content-Length`` body),
answers it and closes. Limits on every part keep a hostile client from holding
memory; a request that breaks them gets a 4xx and the server carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

MAX_HEAD = 16 * 1024
MAX_BODY = 64 * 1024
READ_TIMEOUT = 10.0
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 413: "Content Too Large"}  # fmt: skip


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    target: str  # path and query, exactly as sent (Twilio signs it)
    headers: dict[str, str]  # lower-case names
    body: bytes
    peer: str

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))

    def form(self) -> list[tuple[str, str]]:
        """The urlencoded body's pairs, in order, repeated keys kept."""
        text = self.body.decode("utf-8", errors="replace")
        return parse_qsl(text, keep_blank_values=True)


Handler = Callable[[Request], Awaitable[tuple[int, str]]]


async def read_request(reader: asyncio.StreamReader, peer: str) -> Request:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise HttpError(413, "headers too large") from None
    except asyncio.IncompleteReadError:
        raise HttpError(400, "incomplete request") from None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, "bad request line")
    headers: dict[str, str] = {}
    for line in filter(None, lines[1:]):
        name, colon, value = line.partition(":")
        if not colon:
            raise HttpError(400, "bad header line")
        headers[name.strip().lower()] = value.strip()
    return Request(parts[0], parts[1], headers, await _body(reader, headers), peer)


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "transfer-encoding" in headers:
        raise HttpError(400, "chunked bodies are not accepted")
    length = headers.get("content-length", "0")
    if not (length.isascii() and length.isdigit()):
        raise HttpError(400, "bad Content-Length")
    if int(length) > MAX_BODY:
        raise HttpError(413, "body too large")
    try:
        return await reader.readexactly(int(length))
    except asyncio.IncompleteReadError:
        raise HttpError(400, "body shorter than Content-Length") from None


async def serve(handler: Handler, host: str, port: int) -> asyncio.Server:
    """Start serving; each connection carries one request."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("", 0)
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                request = await read_request(reader, peer[0])
            status, text = await handler(request)
        except HttpError as exc:
            status, text = exc.status, str(exc)
        except (TimeoutError, ConnectionError):
            writer.close()
            return
        writer.write(_response(status, text))
        with contextlib.suppress(ConnectionError):  # the client left before its answer
            await writer.drain()
        writer.close()

    return await asyncio.start_server(connection, host, port, limit=MAX_HEAD)


def _response(status: int, text: str) -> bytes:
    body = (text + "\n").encode()
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body
