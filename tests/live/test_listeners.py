"""The listener runner and the store sink: binding, refusing strangers, users."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from crmtui.store import Store
from crmtui.store.models import Call, Setting, User
from crmtui.telephony.events import CallEvent
from crmtui.telephony.listen import ListenConfig, Listeners, listen
from crmtui.telephony.live_log import LiveCallLog, UnknownUserError
from crmtui.telephony.net import Tee
from crmtui.telephony.sip import hep

from .conftest import Collected, wait_until
from .test_agent_sipp import INVITE


async def test_a_port_in_use_fails_start_and_releases_the_rest(collected: Collected) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        config = ListenConfig(sip="udp://127.0.0.1:0", hep=f"udp://127.0.0.1:{port}")
        listeners = Listeners(config, collected)
        with pytest.raises(OSError):
            await listeners.start()
    assert listeners.agent is not None and listeners.agent.transport is not None
    assert listeners.agent.transport.is_closing()  # the SIP socket it had opened is closed


async def test_listen_runs_until_cancelled_and_reports_ready(collected: Collected) -> None:
    ready: asyncio.Future[Listeners] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        listen(
            ListenConfig(sip="udp://127.0.0.1:0", max_ring_s=0.05),
            collected,
            ready=ready.set_result,
        )
    )
    listeners = await ready
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as pbx:
        pbx.sendto(INVITE.format(port=1).encode(), listeners.addresses["sip"])
        # Nobody cancels: after max_ring_s the agent stops ringing and calls it missed.
        await collected.until(lambda events: len(events) == 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [(e.kind, e.status, e.hangup_cause) for e in collected] == [
        ("ringing", "ringing", ""),
        ("ended", "missed", "no answer"),
    ]


async def test_hep_with_the_wrong_auth_key_is_dropped(collected: Collected) -> None:
    listeners = Listeners(ListenConfig(hep="udp://127.0.0.1:0", hep_auth_key="right"), collected)
    await listeners.start()
    payload = INVITE.format(port=5060).encode()
    now = datetime.now(UTC)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as pbx:
            for key in ("wrong", "", "right"):
                packet = hep.HepPacket(
                    ("10.0.0.1", 5060), ("10.0.0.2", 5060), now, 1, payload, auth_key=key
                )
                pbx.sendto(hep.encode(packet), listeners.addresses["hep"])
        await collected.until(lambda events: len(events) == 1)
        assert listeners.observer is not None
        await wait_until(
            lambda: listeners.observer is not None and listeners.observer.drops.count == 2
        )
        assert collected[0].started_at == now
    finally:
        await listeners.stop()


async def test_phone_action_urls_from_strangers_are_refused(collected: Collected) -> None:
    listeners = Listeners(ListenConfig(http="127.0.0.1:0", allow=("127.0.0.2",)), collected)
    await listeners.start()
    try:
        reader, writer = await asyncio.open_connection(*listeners.addresses["http"])
        writer.write(b"GET /phone/incoming?remote=0612345678 HTTP/1.1\r\n\r\n")
        assert (await reader.readline()).split()[1] == b"403"
        writer.close()
    finally:
        await listeners.stop()
    assert collected == []


def event(call_id: str, kind: str, status: str, local: str) -> CallEvent:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return CallEvent(
        source="sip",
        source_call_id=call_id,
        kind=kind,
        direction="inbound",  # type: ignore[arg-type]
        status=status,
        remote_raw="0612345678",
        remote_e164="+33612345678",
        local_party=local,
        started_at=at,
    )


async def test_store_sink_logs_each_call_once_to_its_user(store: Store) -> None:
    with store.write() as session:
        user = session.exec(select(User)).one()
        user_id, user_name = user.id, user.name
        # The shared admin setting maps 202; the local config below maps 201.
        session.add(Setting(key="telephony_users", value={"202": user_id}))
    logged: list[CallEvent] = []
    live = LiveCallLog(store, users={"201": user_name}, on_logged=logged.extend)
    try:
        for e in (
            event("a", "ringing", "ringing", "201"),
            event("a", "ended", "missed", "201"),
            event("b", "ringing", "ringing", "299"),
            event("a", "ended", "missed", "201"),
            event("c", "ringing", "ringing", "202"),
        ):
            await live(e)
        await live.drain()
    finally:
        live.close()
    assert len(logged) == 5
    with store.read() as session:
        calls = {c.source_call_id: c for c in session.exec(select(Call)).all()}
    assert set(calls) == {"a", "b", "c"}
    assert calls["c"].agent_id == user_id
    assert (calls["a"].status, calls["a"].agent_id) == ("missed", user_id)
    assert calls["b"].agent_id is None  # 299 belongs to nobody


def test_store_sink_refuses_unknown_users(store: Store) -> None:
    with pytest.raises(UnknownUserError):
        LiveCallLog(store, users={"201": "nobody-of-that-name"})


async def test_tee_feeds_the_pop_and_the_store_and_drains_both(store: Store) -> None:
    popped: list[CallEvent] = []
    live = LiveCallLog(store)
    both = Tee(popped.append, live)
    try:
        await both(event("t", "ringing", "ringing", "201"))
        await both.drain()
    finally:
        live.close()
    assert [e.source_call_id for e in popped] == ["t"]
    with store.read() as session:
        assert [c.source_call_id for c in session.exec(select(Call)).all()] == ["t"]
