"""The HEP observer following whole sipp dialogs, mirrored by a relay in the test.

sipp plays the caller and the callee; the relay between them forwards every
packet and sends a HEPv3 copy to the observer, as a PBX's capture agent does.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from crmtui.telephony.listen import ListenConfig, Listeners

from .conftest import Collected, wait_until
from .relay import HepRelay
from .sipp import SippRun, callee_screen, run_sipp, start_callee, wait_bound


@pytest.fixture
async def observer(collected: Collected) -> AsyncIterator[Listeners]:
    listeners = Listeners(ListenConfig(hep="udp://127.0.0.1:0"), collected)
    await listeners.start()
    yield listeners
    await listeners.stop()


async def mirrored_calls(
    observer: Listeners, workdir: Path, caller: str, callee: str, calls: int, **options: object
) -> tuple[SippRun, int]:
    """Run ``calls`` sipp calls through a mirroring relay; both sipps must succeed."""
    process, callee_addr = await start_callee(callee, workdir, calls)
    await wait_bound(callee_addr[1])
    relay = HepRelay(callee_addr, observer.addresses["hep"])
    front = await relay.start()
    try:
        run = await run_sipp(caller, front, workdir, calls=calls, **options)  # type: ignore[arg-type]
        async with asyncio.timeout(60):
            await process.wait()
    finally:
        relay.close()
    assert run.returncode == 0, run.output[-2000:]
    assert process.returncode == 0, callee_screen(workdir, callee_addr[1])
    return run, relay.relayed


@pytest.mark.parametrize(
    ("caller", "callee", "status", "cause"),
    [
        ("pbx_cancel_gave_up", "callee_ring", "missed", "487 Request Terminated"),
        ("caller_busy", "callee_busy", "busy", "486 Busy Here"),
        ("caller_declined", "callee_decline", "rejected", "603 Decline"),
    ],
    ids=["missed", "busy", "rejected"],
)
async def test_unanswered_dialogs(
    sipp: str,
    observer: Listeners,
    collected: Collected,
    tmp_path: Path,
    caller: str,
    callee: str,
    status: str,
    cause: str,
) -> None:
    await mirrored_calls(observer, tmp_path, caller, callee, 2, rate=20)
    await collected.until(lambda events: len(events.of("ended")) == 2)
    assert [e.kind for e in collected].count("answered") == 0
    ended = collected.of("ended")
    assert {(e.status, e.hangup_cause, e.billsec_s) for e in ended} == {(status, cause, 0)}
    assert [e.remote_raw for e in ended] == ["+33612345601", "0612345602"]
    assert all(e.source == "hep" and e.direction == "inbound" for e in collected)


async def test_answered_dialog_has_its_duration(
    sipp: str, observer: Listeners, collected: Collected, tmp_path: Path
) -> None:
    # sipp holds each call for 2 s (-d) between the ACK and the BYE.
    await mirrored_calls(
        observer, tmp_path, "caller_answered", "callee_answer", 3, rate=20, extra=("-d", "2000")
    )
    await collected.until(lambda events: len(events.of("ended")) == 3)
    assert Counter(e.kind for e in collected) == {"ringing": 3, "answered": 3, "ended": 3}
    for event in collected.of("ended"):
        assert event.status == "answered" and event.hangup_cause == "BYE"
        assert event.answered_at is not None and event.ended_at is not None
        talk = (event.ended_at - event.answered_at).total_seconds()
        assert 1.5 <= talk <= 2.5  # capture times inside the HEP packets, not our clock
        assert event.billsec_s == 2
    assert [e.remote_name for e in collected.of("ringing")] == [
        "Alice Martin",
        "Bruno Petit",
        "Clara Schmidt",
    ]
    assert {e.local_party for e in collected} == {"201"}


async def test_two_hundred_calls_at_fifty_per_second(
    sipp: str, observer: Listeners, collected: Collected, tmp_path: Path
) -> None:
    _, relayed = await mirrored_calls(
        observer,
        tmp_path,
        "caller_answered",
        "callee_answer",
        200,
        rate=50,
        extra=("-d", "100"),
    )
    await collected.until(lambda events: len(events.of("ended")) == 200, timeout=30)
    assert observer.observer is not None
    heard = observer.observer
    await wait_until(lambda: heard.heard + heard.drops.count >= relayed)
    await observer.pump.drain()
    per_call = Counter((e.source_call_id, e.kind) for e in collected)
    assert len({call for call, _ in per_call}) == 200  # none lost
    assert set(per_call.values()) == {1}  # none heard twice
    assert {e.status for e in collected.of("ended")} == {"answered"}
    assert heard.heard == relayed and heard.drops.count == 0
