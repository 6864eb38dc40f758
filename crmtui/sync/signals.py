"""Change signals for the long-poll: "something changed, pull now".

Every push that changes data takes a new clock value. Within one server
process, the push wakes the waiting requests directly. Between processes
(several instances behind a load balancer) the push also sends a PostgreSQL
NOTIFY in its transaction, delivered at commit; each instance LISTENs and
wakes its waiters (and re-reads the clock whenever it reconnects). On SQLite
(one instance) a waiter also re-reads the clock every few seconds, which
covers a second process on the same file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import make_url

from .serverdb import CHANNEL

log = logging.getLogger(__name__)


class ChangeHub:
    """The latest clock value, and the requests waiting for it to move."""

    def __init__(self, read_clock: Callable[[], int], recheck: float | None = 5.0) -> None:
        self._read_clock = read_clock
        self.recheck = recheck  # None: trust the signals, never poll the database
        self.seq = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop, self._event = loop, asyncio.Event()
        self.seq = self._read_clock()

    def bump(self, seq: int) -> None:
        """Record ``seq``; safe to call from any thread."""
        if self._loop is None or seq <= self.seq:
            return
        self._loop.call_soon_threadsafe(self._wake, seq)

    def _wake(self, seq: int) -> None:
        if seq > self.seq:
            self.seq = seq
            if self._event is not None:
                self._event.set()
                self._event = asyncio.Event()

    def refresh(self) -> None:
        """Catch up with the database (after a listener reconnects); any thread."""
        self.bump(self._read_clock())

    async def wait(self, after: int, timeout: float) -> int:
        """The clock once it is past ``after``, or its value when ``timeout`` ends."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.seq <= after:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._event is None:
                break
            step = remaining if self.recheck is None else min(remaining, self.recheck)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), step)
            if self.seq <= after and self.recheck is not None:  # another process may write
                latest = await asyncio.to_thread(self._read_clock)
                self._wake(latest)
        return self.seq


class PgListener(threading.Thread):
    """LISTENs on the sync channel and bumps the hub on every NOTIFY."""

    def __init__(self, url: str, hub: ChangeHub) -> None:
        super().__init__(name="crmtui-sync-listen", daemon=True)
        parsed = make_url(url).set(drivername="postgresql")
        self._dsn = parsed.render_as_string(hide_password=False)
        self._hub = hub
        self._stop = threading.Event()

    def run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._hub.refresh()  # what was missed while not listening
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._hub.bump(int(note.payload))
            except Exception as exc:  # reconnect: a listener must outlive the database
                log.warning("sync listener: %s; reconnecting", exc)
                self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()
