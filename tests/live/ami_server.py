"""A test AMI server: replays a transcript to each client that logs in.

A transcript is what Asterisk would send after a successful login: AMI
messages separated by blank lines. Lines starting with ``#`` are comments. A
``-- DROP --`` line closes the connection at that point; the next login gets
the rest, as if the client had reconnected to a restarted manager.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import cast

FIXTURES = Path(__file__).parent / "fixtures" / "ami"
DROP = "-- DROP --"


def load_transcript(name: str) -> list[list[bytes]]:
    """The transcript's segments, each a list of wire-format messages."""
    lines = [
        line
        for line in (FIXTURES / f"{name}.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    segments: list[list[bytes]] = [[]]
    for block in "\n".join(lines).split("\n\n"):
        for part in block.strip("\n").split(DROP):
            if part.strip():
                segments[-1].append((part.strip("\n").replace("\n", "\r\n") + "\r\n\r\n").encode())
        if DROP in block:
            segments.append([])
    return segments


class AmiReplayServer:
    def __init__(
        self, segments: list[list[bytes]], *, username: str = "crm", secret: str = "s3cret"
    ) -> None:
        self.segments = segments
        self.username = username
        self.secret = secret
        self.logins = 0
        self.refused = 0
        self.actions: list[dict[str, str]] = []
        self._next = 0

    async def start(self) -> tuple[str, int]:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return cast(tuple[str, int], self.server.sockets[0].getsockname()[:2])

    async def close(self) -> None:
        self.server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 2)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"Asterisk Call Manager/5.0.1\r\n")
        try:
            if await self._login(reader, writer):
                await self._replay(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _read_action(self, reader: asyncio.StreamReader) -> dict[str, str]:
        block = (await reader.readuntil(b"\r\n\r\n")).decode()
        action = dict(line.split(": ", 1) for line in block.strip().split("\r\n") if ": " in line)
        self.actions.append(action)
        return action

    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        action = await self._read_action(reader)
        ok = (
            action.get("Action") == "Login"
            and action.get("Username") == self.username
            and action.get("Secret") == self.secret
        )
        reply = (
            "Success\r\nMessage: Authentication accepted"
            if ok
            else "Error\r\nMessage: Authentication failed"
        )
        writer.write(
            f"Response: {reply}\r\nActionID: {action.get('ActionID', '')}\r\n\r\n".encode()
        )
        await writer.drain()
        if ok:
            self.logins += 1
        else:
            self.refused += 1
        return ok

    async def _replay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        segment = self.segments[self._next] if self._next < len(self.segments) else []
        self._next += 1
        for message in segment:
            writer.write(message)
        await writer.drain()
        if self._next < len(self.segments):
            return  # -- DROP --: hang up on the client mid-stream
        while True:  # the last segment: stay connected, answer pings
            action = await self._read_action(reader)
            pong = (
                f"Response: Success\r\nActionID: {action.get('ActionID', '')}\r\nPing: Pong\r\n\r\n"
            )
            writer.write(pong.encode())
            await writer.drain()
