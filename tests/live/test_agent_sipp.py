"""The ring-only SIP agent against the real sipp, playing a PBX that rings it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from crmtui.telephony.listen import ListenConfig, Listeners
from crmtui.telephony.sip.message import parse

from .conftest import Collected
from .sipp import run_sipp


@pytest.fixture
async def agent(collected: Collected) -> AsyncIterator[Listeners]:
    listeners = Listeners(ListenConfig(sip="udp://127.0.0.1:0"), collected)
    await listeners.start()
    yield listeners
    await listeners.stop()


@pytest.mark.parametrize(
    ("scenario", "kind", "status"),
    [
        ("pbx_cancel_elsewhere", "answered", "answered"),
        ("pbx_cancel_gave_up", "ended", "missed"),
        ("pbx_cancel_busy", "ended", "busy"),
    ],
    ids=["answered-elsewhere", "caller-gave-up", "busy"],
)
async def test_how_the_ringing_ended(
    sipp: str,
    agent: Listeners,
    collected: Collected,
    tmp_path: Path,
    scenario: str,
    kind: str,
    status: str,
) -> None:
    run = await run_sipp(scenario, agent.addresses["sip"], tmp_path, calls=3, rate=20)
    assert run.returncode == 0, run.output[-2000:]
    await collected.until(lambda events: len(events) == 6)
    rings, outcomes = collected.of("ringing"), collected.of(kind)
    assert len(rings) == 3 and len(outcomes) == 3
    assert {e.status for e in outcomes} == {status}
    assert [e.source_call_id for e in rings] == [e.source_call_id for e in outcomes]
    # The callers come from the injection file, in order; the PBX rang extension 201.
    assert [e.remote_raw for e in rings] == ["+33612345601", "0612345602", "+4930123456"]
    assert [e.remote_name for e in rings] == ["Alice Martin", "Bruno Petit", "Clara Schmidt"]
    assert rings[1].remote_e164 == "+33612345602"
    assert {e.local_party for e in collected} == {"201"}
    assert all(e.direction == "inbound" and e.source == "sip" for e in collected)


async def test_withheld_caller_from_the_injection_file(
    sipp: str, agent: Listeners, collected: Collected, tmp_path: Path
) -> None:
    callers = tmp_path / "callers.csv"
    callers.write_text("SEQUENTIAL\nanonymous;Anonymous\n")
    run = await run_sipp("pbx_cancel_gave_up", agent.addresses["sip"], tmp_path, injection=callers)
    assert run.returncode == 0, run.output[-2000:]
    await collected.until(lambda events: len(events) == 2)
    assert {(e.remote_raw, e.remote_e164, e.raw["presentation"]) for e in collected} == {
        ("", None, "restricted")
    }


INVITE = (
    "INVITE sip:201@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-retrans\r\n"
    "From: <sip:+33612345601@pbx>;tag=abc\r\nTo: <sip:201@pbx>\r\n"
    "Call-ID: retrans-1@pbx\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
)
CANCEL = INVITE.replace("INVITE sip", "CANCEL sip").replace("1 INVITE", "1 CANCEL")


async def _replies(sock: socket.socket, count: int) -> list[bytes]:
    loop = asyncio.get_running_loop()
    return [await asyncio.wait_for(loop.sock_recv(sock, 65535), 10) for _ in range(count)]


async def test_retransmissions_are_answered_but_heard_once(
    agent: Listeners, collected: Collected
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as pbx:
        pbx.bind(("127.0.0.1", 0))
        pbx.setblocking(False)
        pbx.connect(agent.addresses["sip"])
        invite = INVITE.format(port=pbx.getsockname()[1]).encode()
        pbx.send(invite)
        first = await _replies(pbx, 2)  # 100 Trying, 180 Ringing
        pbx.send(invite)  # the PBX did not hear us and sends the INVITE again
        again = await _replies(pbx, 1)
        assert again == first[1:]  # the same 180, with the same To tag
        pbx.send(CANCEL.format(port=pbx.getsockname()[1]).encode())
        ok, final = (parse(r) for r in await _replies(pbx, 2))
        # No ACK: the 487 keeps coming back (RFC 3261 timer G) until one arrives.
        repeated = parse((await _replies(pbx, 1))[0])
    assert (ok.status, ok.method, final.status, repeated.status) == (200, "CANCEL", 487, 487)
    assert final.to_tag == repeated.to_tag == parse(first[1]).to_tag
    await collected.until(lambda events: len(events) == 2)
    assert [(e.kind, e.status) for e in collected] == [("ringing", "ringing"), ("ended", "missed")]


async def test_garbage_and_strangers_never_stop_the_agent(collected: Collected) -> None:
    # Only 127.0.0.2 may send: packets from 127.0.0.1 are dropped unanswered.
    listeners = Listeners(ListenConfig(sip="udp://127.0.0.1:0", allow=("127.0.0.2",)), collected)
    await listeners.start()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            other.sendto(INVITE.format(port=1).encode(), listeners.addresses["sip"])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as pbx:
            pbx.bind(("127.0.0.2", 0))
            for junk in (b"\x00\xff" * 40, b"INVITE nonsense\r\n\r\n", b"SIP/2.0 999 Huh\r\n\r\n"):
                pbx.sendto(junk, listeners.addresses["sip"])
            pbx.sendto(
                INVITE.format(port=pbx.getsockname()[1]).encode(), listeners.addresses["sip"]
            )
        await collected.until(lambda events: len(events) == 1)
        assert listeners.agent is not None
        assert listeners.agent.drops.count == 4  # the stranger and three pieces of junk
        assert collected[0].remote_raw == "+33612345601"
    finally:
        await listeners.stop()
