"""Numbering a server process's pushes on PostgreSQL, in commit order (see serverdb.py).

Pushes commit concurrently and leave their change-log rows and events
unnumbered; before answering, each waits until a sequencer run that started
after its commit has finished (``after_commit``). Runs never overlap within
a process, and a run numbers whatever every push of the process (and of
other processes) committed before it began: concurrent pushes share a run
instead of queueing one by one on the clock row, each with a disk flush.
The run is made by the first push that finds none in progress, in its own
thread (no hand-off to another thread and back); the others wait for it or
for the next. A thread of its own also runs every ``sweep`` seconds, which
numbers rows a process left behind (it died between its commit and the run)
and changes made from the command line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Sequencer(threading.Thread):
    def __init__(
        self,
        run: Callable[[], int | None],
        on_clock: Callable[[int], None],
        *,
        sweep: float = 2.0,
        patience: float = 5.0,
    ) -> None:
        super().__init__(name="crmtui-sync-sequencer", daemon=True)
        self._run, self._on_clock = run, on_clock
        self.sweep, self.patience = sweep, patience
        self._cond = threading.Condition()
        self._begun = 0  # runs begun
        self._finished = 0  # runs finished
        self._running = False
        self._stopping = False

    def after_commit(self) -> bool:
        """Return once a run that began after this call has finished (this
        thread makes it if none is in progress); False if none finished within
        ``patience`` (the sweep will number the rows)."""
        with self._cond:
            target = self._begun + 1
            done = self._cond.wait_for(
                lambda: self._finished >= target or self._stopping or not self._running,
                self.patience,
            )
            if not done:
                return False
            if self._finished >= target or self._stopping:
                return True
            this = self._start()  # begins after the call: it is the run waited for
        self._run_once(this)
        return True

    def run(self) -> None:
        """The sweep: a run every ``sweep`` seconds when no push made one."""
        while True:
            with self._cond:
                begun = self._begun
                self._cond.wait_for(lambda: self._stopping, self.sweep)
                if self._stopping:
                    return
                if self._running or self._begun != begun:
                    continue  # a push made a run meanwhile
                this = self._start()
            self._run_once(this)

    def _start(self) -> int:
        """Mark a run begun (the condition's lock is held)."""
        self._running = True
        self._begun += 1
        return self._begun

    def _run_once(self, this: int) -> None:
        try:
            seq = self._run()
            if seq is not None:
                self._on_clock(seq)
        except Exception as exc:  # the database is away: the sweep tries again
            log.warning("sync sequencer: %s", exc)
        finally:
            with self._cond:
                self._finished, self._running = this, False
                self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
