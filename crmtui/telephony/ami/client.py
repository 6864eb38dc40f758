"""An asyncio AMI client that logs in, reads call events and never gives up.

A lost connection (Asterisk restarting, a network blip, a silent peer) is
retried with exponential backoff and jitter; the backoff resets once a login
succeeds. The call tracker outlives connections, so a call that was ringing
before a reconnect still ends properly after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass

from ..events import CallEvent
from ..net import DropLog, log, utcnow
from .calls import AmiCallTracker
from .protocol import (
    MAX_MESSAGE,
    TERMINATOR,
    AmiParseError,
    event_time,
    format_action,
    parse_message,
)

BANNER = b"Asterisk Call Manager"


class AmiError(Exception):
    """The server is not an AMI or refused us; the text says why."""


@dataclass(frozen=True, slots=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str
    events: str = "call,cdr"
    min_backoff: float = 0.5
    max_backoff: float = 30.0
    ping_every: float = 20.0  # a silent peer for three pings is a dead one


class AmiClient:
    def __init__(
        self, settings: AmiSettings, emit: Callable[[CallEvent], None], tracker: AmiCallTracker
    ) -> None:
        self.settings = settings
        self.emit = emit
        self.tracker = tracker
        self.drops = DropLog("AMI message")
        self.logins = 0  # successful logins so far; a reconnect adds one
        self.connected = asyncio.Event()

    async def run(self) -> None:
        """Connect, read and reconnect until cancelled."""
        delay = self.settings.min_backoff
        flusher = asyncio.create_task(self._flush_cdrs())
        try:
            while True:
                logins = self.logins
                with contextlib.suppress(OSError, EOFError, TimeoutError, AmiError):
                    await self._session()
                self.connected.clear()
                delay = self.settings.min_backoff if self.logins > logins else delay
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, self.settings.max_backoff)
        finally:
            flusher.cancel()

    async def _session(self) -> None:
        s = self.settings
        try:
            async with asyncio.timeout(10):
                reader, writer = await asyncio.open_connection(s.host, s.port, limit=MAX_MESSAGE)
        except (OSError, TimeoutError) as exc:
            log.warning("AMI %s:%s unreachable: %s", s.host, s.port, exc)
            raise
        pinger: asyncio.Task[None] | None = None
        try:
            await self._login(reader, writer)
            pinger = asyncio.create_task(self._ping(writer))
            await self._read(reader)
        except (OSError, EOFError, TimeoutError, AmiError) as exc:
            log.warning("AMI %s:%s connection lost: %s", s.host, s.port, exc or type(exc).__name__)
            raise
        finally:
            if pinger:
                pinger.cancel()
            writer.close()

    async def _login(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with asyncio.timeout(10):
            banner = await reader.readline()
        if not banner.startswith(BANNER):
            raise AmiError(f"not an Asterisk manager: {banner[:60]!r}")
        s = self.settings
        login = {"Username": s.username, "Secret": s.secret, "Events": s.events}
        writer.write(format_action("Login", ActionID="crmtui-login", **login))
        await writer.drain()
        reply: dict[str, str] | None = None
        async with asyncio.timeout(10):
            while reply is None or reply.get("ActionID") != "crmtui-login":
                reply = await self._next(reader)
        if reply.get("Response") != "Success":
            raise AmiError(f"login refused: {reply.get('Message', '')}")
        self.logins += 1
        self.connected.set()
        log.info("AMI logged in to %s:%s", s.host, s.port)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        idle = 3 * self.settings.ping_every
        while True:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a
            # cancellation that lands as a message arrives, and stop() would hang.
            async with asyncio.timeout(idle):
                fields = await self._next(reader)
            if fields and "Event" in fields:
                for event in self.tracker.feed(fields, event_time(fields, utcnow())):
                    self.emit(event)

    async def _next(self, reader: asyncio.StreamReader) -> dict[str, str] | None:
        """The next message, None for one that had to be dropped; EOFError at the end."""
        try:
            block = await reader.readuntil(TERMINATOR)
        except asyncio.IncompleteReadError as exc:
            raise EOFError("the server closed the connection") from exc
        except asyncio.LimitOverrunError as exc:
            await reader.readexactly(exc.consumed)  # skip the oversized part
            self.drops.drop("message too long", self.settings.host)
            return None
        try:
            return parse_message(block)
        except AmiParseError as exc:
            self.drops.drop(str(exc), self.settings.host)
            return None

    async def _ping(self, writer: asyncio.StreamWriter) -> None:
        """Keep traffic flowing so that a dead peer shows up as an idle timeout."""
        while True:
            await asyncio.sleep(self.settings.ping_every)
            writer.write(format_action("Ping", ActionID="crmtui-ping"))
            await writer.drain()

    async def _flush_cdrs(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            for event in self.tracker.flush():
                self.emit(event)
