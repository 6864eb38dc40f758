"""The sequencer's promise (crmtui/sync/sequencer.py): after_commit returns
only once a run that began after the call has finished; concurrent pushes
share runs, which never overlap; the sweep runs when no push does."""

from __future__ import annotations

import threading
import time

from crmtui.sync.sequencer import Sequencer


class Runs:
    """A fake ``Database.sequence``: records when each run began and ended."""

    def __init__(self, took: float = 0.02) -> None:
        self.took = took
        self.spans: list[tuple[float, float]] = []
        self.active = 0
        self.overlapped = False
        self.lock = threading.Lock()

    def __call__(self) -> int:
        with self.lock:
            self.active += 1
            self.overlapped |= self.active > 1
        began = time.monotonic()
        time.sleep(self.took)
        with self.lock:
            self.active -= 1
            self.spans.append((began, time.monotonic()))
            return len(self.spans)


def test_each_push_waits_for_a_run_that_began_after_it_and_runs_are_shared() -> None:
    runs, clocks = Runs(), []
    seq = Sequencer(runs, clocks.append, sweep=60)
    seq.start()
    checked: list[bool] = []

    def push() -> None:
        for _ in range(5):
            called = time.monotonic()
            assert seq.after_commit()
            # Some run began after the call and ended before the return.
            checked.append(any(called <= b and e <= time.monotonic() for b, e in runs.spans))

    threads = [threading.Thread(target=push) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seq.stop()
    assert checked == [True] * 40
    assert not runs.overlapped
    assert len(runs.spans) < 40  # shared: fewer runs than pushes
    assert clocks == sorted(clocks) and clocks[-1] == len(runs.spans)


def test_the_sweep_runs_when_no_push_does_and_stop_releases_waiters() -> None:
    runs = Runs(took=0.0)
    seq = Sequencer(runs, lambda _: None, sweep=0.05)
    seq.start()
    time.sleep(0.3)
    assert len(runs.spans) >= 3  # the sweep, with no push at all
    seq.stop()
    seq.join(2)
    assert not seq.is_alive()
    assert seq.after_commit()  # stopped: nobody waits for a run any more


def test_a_failing_run_lets_the_next_push_run_again() -> None:
    calls: list[int] = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the database is away")
        return 7

    clocks: list[int] = []
    seq = Sequencer(flaky, clocks.append, sweep=60)
    assert seq.after_commit() and seq.after_commit()
    assert len(calls) == 2 and clocks == [7]
