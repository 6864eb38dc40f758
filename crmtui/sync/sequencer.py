"""The sequencer thread of a server process on PostgreSQL (see serverdb.py).

Pushes commit concurrently and leave their change-log rows and events
unnumbered; before answering, each waits until a sequencer run that started
after its commit has finished (``after_commit``). One thread per process
does the runs, so a run numbers whatever every push of the process (and of
other processes) committed meanwhile: concurrent pushes share a run instead
of queueing one by one on the clock row, each with a disk flush. Between
pushes the thread also runs every ``sweep`` seconds, which numbers rows a
process left behind (it died between its commit and the run) and changes
made from the command line.
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
        self._wanted = 0  # the run some push waits for
        self._stopping = False

    def after_commit(self) -> bool:
        """Block until a run that began after this call has finished; False if
        none finished within ``patience`` (the sweep will number the rows)."""
        with self._cond:
            target = self._begun + 1
            self._wanted = max(self._wanted, target)
            self._cond.notify_all()
            return self._cond.wait_for(
                lambda: self._finished >= target or self._stopping, self.patience
            )

    def run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(self._asked, self.sweep)
                if self._stopping:
                    return
                self._begun += 1
                this = self._begun
            try:
                seq = self._run()
            except Exception as exc:  # the database is away: waiters give up, sweep retries
                log.warning("sync sequencer: %s", exc)
                seq = None
            if seq is not None:
                self._on_clock(seq)
            with self._cond:
                self._finished = this
                self._cond.notify_all()

    def _asked(self) -> bool:
        return self._wanted > self._begun or self._stopping

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
