"""Sync in the background, for the TUI (threads; no Textual here).

``SyncLoop`` runs a cycle at start, every ``interval`` seconds, right after
:meth:`SyncLoop.poke` (the TUI calls it after each local write), and when the
server signals a change: a second thread long-polls ``/sync/wait`` and pokes
the loop when the server's clock moves past the one the last pull saw.
Failures back off exponentially with full jitter (so a fleet of laptops
coming back online does not stampede the server), capped at ``max_backoff``.
Each cycle's :class:`Outcome` goes to ``on_cycle`` (called on the loop's
thread: the TUI hands it to ``App.call_from_thread``); the status bar reads
:func:`read_status` from the store.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from ..store.db import Store
from ..store.models import SyncState
from .client import Client, SyncError
from .cycle import Outcome, run_cycle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar shows about sync."""

    connected: bool  # a server is configured
    pending: int
    last_success_at: datetime | None
    last_error: str | None
    offline_since: datetime | None

    def text(self) -> str:
        if not self.connected:
            return "local only"
        if self.offline_since is not None:
            return f"offline since {self.offline_since:%H:%M}" + (
                f", {self.pending} pending" if self.pending else ""
            )
        if self.last_error:
            when = f"{self.last_success_at:%H:%M}" if self.last_success_at else "never"
            return f"sync error: {self.last_error} (last success {when})"
        return f"{self.pending} pending" if self.pending else "synced"


def read_status(store: Store) -> SyncStatus:
    with store.read() as session:
        s = session.exec(select(SyncState)).one()
        return SyncStatus(
            s.server_url is not None, s.pending, s.last_success_at, s.last_error, s.offline_since
        )


def backoff(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter: a random delay up to ``base * 2**failures``, at most ``cap``."""
    return rng.uniform(0, min(cap, base * 2 ** min(failures, 16)))


class SyncLoop:
    def __init__(
        self,
        store: Store,
        client: Client,
        *,
        interval: float = 60.0,
        base_backoff: float = 1.0,
        max_backoff: float = 300.0,
        long_poll: float = 25.0,
        on_cycle: Callable[[Outcome], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store, self.client = store, client
        self.interval, self.base_backoff, self.max_backoff = interval, base_backoff, max_backoff
        self.long_poll = long_poll
        self.on_cycle = on_cycle
        self.failures = 0
        self._rng = rng or random.Random()
        self._wake = threading.Event()
        self._urgent = False  # a user asked: sync even during a failure backoff
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start syncing now, then by itself; returns at once."""
        for target, name in ((self._run, "crmtui-sync"), (self._watch, "crmtui-sync-watch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def poke(self) -> None:
        """Sync as soon as possible (after a local write, or a server signal)."""
        self._wake.set()

    def sync_now(self) -> None:
        """Sync at once, even while backing off after failures (the user asked)."""
        self._urgent = True
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop both threads; waits up to ``timeout`` for a cycle in progress.
        The watcher may be in a long-poll: it is a daemon and touches nothing
        once stopped, so it is not waited for."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads[:1]:
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self._urgent = False
            outcome = self._cycle()
            self.failures = 0 if outcome.ok else self.failures + 1
            if self.on_cycle is not None:
                self.on_cycle(outcome)
            delay = (
                self.interval
                if outcome.ok
                else backoff(self.failures, self.base_backoff, self.max_backoff, self._rng)
            )
            if outcome.ok:
                self._wake.wait(delay)
            else:
                self._back_off(delay)

    def _back_off(self, delay: float) -> None:
        """Wait ``delay``: a poke during a failure streak waits for the backoff
        (the server is unwell), but :meth:`sync_now` and :meth:`stop` do not."""
        deadline = time.monotonic() + delay
        while not self._stop.is_set() and not self._urgent:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if self._wake.wait(left) and not (self._urgent or self._stop.is_set()):
                self._wake.clear()

    def _cycle(self) -> Outcome:
        """One cycle; an unexpected error is reported like any failure, so the
        loop (and the status bar) outlive a bug or a locked database."""
        try:
            return run_cycle(self.store, self.client)
        except Exception as exc:
            log.exception("sync cycle failed")
            return Outcome(error=f"{type(exc).__name__}: {exc}")

    def _watch(self) -> None:
        failures, signalled = 0, 0
        while not self._stop.is_set():
            with self.store.read() as session:
                seen = max(session.exec(select(SyncState)).one().clock, signalled)
            try:
                clock = self.client.wait(seen, self.long_poll)
                failures = 0
            except (SyncError, ValueError, KeyError):  # a garbled answer is an outage too
                failures += 1
                self._stop.wait(backoff(failures, self.base_backoff, self.max_backoff, self._rng))
                continue
            if clock > seen:
                signalled = clock  # wait past it next, even before the pull records it
                self.poke()
