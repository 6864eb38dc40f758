"""Live telephony benchmark: the SIP rate the HEP observer sustains, with real sipp.

    python bench/telephony_bench.py                        # 200, 300, 400 calls/s
    python bench/telephony_bench.py --rates 200 500 --seconds 10 --store

0. Observer capacity: 10,000 answered calls (70,000 HEP packets) fed straight
   to the observer's packet handler on one core; prints packets/s and the call
   rate that is worth. This is the observer's own ceiling, whatever sipp and
   the relay (which share the machine in step 1) can offer.
1. Observer rate: for each rate, sipp places ``rate x seconds`` answered calls
   (INVITE, 100, 180, 200, ACK, a 1 s hold, BYE, 200) to a sipp callee through
   a UDP relay that mirrors every packet to the observer as HEPv3, as a PBX's
   capture agent would. The relay runs in its own process so that the
   observer's process does nothing but observe. Prints the offered and
   achieved call rates, the calls followed to the end, lost calls (placed but
   never ended) and duplicates (an event heard twice), and the HEP packets
   sent, read and dropped. A rate passes when sipp reports no failed call and
   the observer lost and duplicated none.
2. Ring latency: the ring-only agent answers 2,000 INVITEs one at a time;
   prints p50/p95/max from sending the INVITE to the ``ringing`` event reaching
   the sink (the listener's share of the screen-pop budget).
3. With ``--store``, the events are also logged to a fresh store through the
   same sink ``crmtui telephony listen`` uses; prints how long after the last
   call the store had them all, and how many calls it holds.
4. Screen pop: the TUI runs headless (``App.run_test``) on a demo store of
   ``--pop-contacts`` contacts with its ring-only agent from the config file;
   real SIP INVITEs over UDP ring it with the numbers of random contacts, one
   at a time (each then cancelled: missed). Prints p50/p95/max from sending
   the INVITE to the refresh that painted the caller's card in the panel.

Needs ``sipp`` (Debian package sip-tester). Run from the repository root.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from crmtui.app import CrmApp
from crmtui.screens.telephony.desk import TelephonyDesk
from crmtui.screens.telephony.panel import TelephonyPanel
from crmtui.store import open_store
from crmtui.store.demo import build
from crmtui.telephony.events import CallEvent
from crmtui.telephony.listen import ListenConfig, Listeners
from crmtui.telephony.live_log import LiveCallLog
from crmtui.telephony.net import Allowlist
from crmtui.telephony.sip import hep
from crmtui.telephony.sip.dialogs import DialogTracker
from crmtui.telephony.sip.observer import HepObserver
from tests.live.relay import HepRelay
from tests.live.sipp import run_sipp, start_callee, wait_bound
from tests.tui.pbx import Pbx


def relay_process(callee: tuple[str, int], observer: tuple[str, int], conn: object) -> None:
    """The relay, in its own process: reports its front address, then its packet count."""

    async def main() -> None:
        relay = HepRelay(callee, observer)
        conn.send(await relay.start())  # type: ignore[attr-defined]
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # type: ignore[attr-defined]
        conn.send(relay.relayed)  # type: ignore[attr-defined]
        relay.close()

    asyncio.run(main())


async def observer_rate(rate: int, seconds: float, workdir: Path, store: bool) -> dict[str, object]:
    events: list[CallEvent] = []
    live = LiveCallLog(open_store(workdir / f"bench-{rate}.db")) if store else None

    async def sink(event: CallEvent) -> None:
        events.append(event)
        if live:
            await live(event)

    listeners = Listeners(ListenConfig(hep="udp://127.0.0.1:0"), sink)
    await listeners.start()
    calls = int(rate * seconds)
    callee, callee_addr = await start_callee("callee_answer", workdir, calls)
    await wait_bound(callee_addr[1])
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(
        target=relay_process, args=(callee_addr, listeners.addresses["hep"], child)
    )
    process.start()
    front = parent.recv()
    started = time.perf_counter()
    run = await run_sipp(
        "caller_answered",
        front,
        workdir,
        calls=calls,
        rate=rate,
        extra=("-d", "1000", "-l", str(rate * 4)),
    )
    elapsed = time.perf_counter() - started
    await callee.wait()
    parent.send("done")
    relayed = parent.recv()
    process.join()
    observer = listeners.observer
    assert observer is not None
    deadline = time.perf_counter() + 10
    while observer.heard + observer.drops.count < relayed and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    await listeners.stop()
    if live:
        await live.drain()
    store_lag = time.perf_counter() - started - elapsed
    kinds = Counter((e.source_call_id, e.kind) for e in events)
    ended = {call for call, kind in kinds if kind == "ended"}
    placed = {call for call, kind in kinds if kind == "ringing"}
    result = {
        "rate": rate,
        "calls": calls,
        "sipp_rc": run.returncode,
        "achieved_cps": calls / (elapsed - 1.0),  # minus the hold of the last call
        "ended": len(ended),
        "lost": calls - len(ended & placed),
        "duplicates": sum(n - 1 for n in kinds.values()),
        "relayed": relayed,
        "heard": observer.heard,
        "dropped": observer.drops.count,
    }
    if live:
        with live.store.read() as session:
            from sqlmodel import func, select

            from crmtui.store.models import Call

            answered = select(func.count()).where(Call.status == "answered")
            result["stored"] = session.exec(answered.select_from(Call)).one()
        result["store_lag_s"] = store_lag
        live.close()
        live.store.close()
    return result


def _dialog(n: int) -> list[str]:
    """The seven messages of one answered call, as sipp sends them."""
    head = (
        f"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-{n}\r\n"
        f'From: "Alice Martin" <sip:+33612{n % 1000000:06d}@127.0.0.1>;tag=t{n}\r\n'
    )
    to, tail = "To: <sip:201@127.0.0.1:5062>", f"Call-ID: {n}@127.0.0.1\r\nContent-Length: 0\r\n"
    tagged = f"{to};tag=u{n}"
    lines = [
        ("INVITE sip:201@127.0.0.1:5062 SIP/2.0", to, "1 INVITE"),
        ("SIP/2.0 100 Trying", to, "1 INVITE"),
        ("SIP/2.0 180 Ringing", tagged, "1 INVITE"),
        ("SIP/2.0 200 OK", tagged, "1 INVITE"),
        ("ACK sip:201@127.0.0.1:5062 SIP/2.0", tagged, "1 ACK"),
        ("BYE sip:201@127.0.0.1:5062 SIP/2.0", tagged, "2 BYE"),
        ("SIP/2.0 200 OK", tagged, "2 BYE"),
    ]
    return [f"{first}\r\n{head}{t}\r\nCSeq: {cseq}\r\n{tail}\r\n" for first, t, cseq in lines]


def observer_capacity(calls: int) -> tuple[float, int]:
    """HEP packets per second one core turns into call events, with no network at all."""
    now = datetime.now(UTC)
    packets = [
        hep.encode(hep.HepPacket(("127.0.0.1", 5061), ("127.0.0.1", 5062), now, 1, m.encode()))
        for n in range(calls)
        for m in _dialog(n)
    ]
    events: list[CallEvent] = []
    observer = HepObserver(events.append, DialogTracker(), allow=Allowlist())
    started = time.perf_counter()
    for packet in packets:
        observer.datagram_received(packet, ("127.0.0.1", 9060))
    assert len(events) == 3 * calls and observer.drops.count == 0
    return len(packets) / (time.perf_counter() - started), len(packets)


INVITE = (
    "INVITE sip:201@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK{n}\r\n"
    "From: <sip:+33612345678@pbx>;tag=f{n}\r\nTo: <sip:201@pbx>\r\nCall-ID: lat-{n}\r\n"
    "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
)


async def ring_latency(count: int) -> list[float]:
    heard = asyncio.Event()

    def sink(event: CallEvent) -> None:
        heard.set()

    listeners = Listeners(ListenConfig(sip="udp://127.0.0.1:0"), sink)
    await listeners.start()
    latencies = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as pbx:
        for n in range(count):
            heard.clear()
            sent = time.perf_counter()
            pbx.sendto(INVITE.format(n=n).encode(), listeners.addresses["sip"])
            await heard.wait()
            latencies.append((time.perf_counter() - sent) * 1000)
    await listeners.stop()
    return latencies


async def screen_pop_latency(count: int, contacts: int, workdir: Path) -> list[float]:
    store = open_store(workdir / "pop.db")
    build(store, contacts=contacts)
    with store.read() as session:
        numbers = session.execute(
            text(
                "SELECT e164 FROM contact_phone WHERE e164 IS NOT NULL ORDER BY random() LIMIT :n"
            ),
            {"n": count},
        ).scalars()
        numbers = list(numbers)
    config = workdir / "config.toml"
    config.write_text('[telephony]\nsip = "udp://127.0.0.1:0"\n')
    painted: dict[tuple[str, str], float] = {}
    shown = TelephonyPanel.show

    def show_and_time(panel: TelephonyPanel, desk: TelephonyDesk) -> None:
        shown(panel, desk)
        pop = desk.pop
        if desk.visible and pop is not None and pop.caller is not None:
            # Runs once the screen has refreshed with the card (headless: composed, not written).
            panel.call_after_refresh(
                lambda key=pop.key: painted.setdefault(key, time.perf_counter())
            )

    TelephonyPanel.show = show_and_time  # type: ignore[method-assign]
    latencies = []
    app = CrmApp(store, config_file=config, reminders=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while not app.telephony.listening:
            await pilot.pause(0.05)
        pbx = Pbx(app.telephony.addresses["sip"])
        for n, number in enumerate(numbers):
            call = f"pop-{n}"
            sent = time.perf_counter()
            pbx.ring(call, number)
            key = ("sip", f"{call}@pbx/f-{call}")
            while key not in painted:
                await asyncio.sleep(0.001)
            latencies.append((painted[key] - sent) * 1000)
            pbx.cancel(call)
            await pilot.pause(0.05)
        pbx.close()
    TelephonyPanel.show = shown  # type: ignore[method-assign]
    store.close()
    return latencies


def percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, max {ordered[-1]:.2f} ms"


def report_rate(r: dict[str, object]) -> None:
    ok = r["sipp_rc"] == 0 and r["lost"] == 0 and r["duplicates"] == 0 and r["dropped"] == 0
    line = (
        f"observer {r['rate']:>4} calls/s offered: {r['achieved_cps']:6.1f} calls/s achieved, "
        f"{r['ended']}/{r['calls']} calls ended, lost {r['lost']}, duplicates {r['duplicates']}, "
        f"HEP packets relayed {r['relayed']} read {r['heard']} dropped {r['dropped']}, "
        f"sipp rc {r['sipp_rc']} -> {'PASS' if ok else 'FAIL'}"
    )
    if "stored" in r:
        line += f"; store: {r['stored']} answered calls, all in {r['store_lag_s']:.1f} s after sipp"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[200, 300, 400])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--latency-calls", type=int, default=2000)
    parser.add_argument("--store", action="store_true", help="also log every event to a store")
    parser.add_argument("--pop-calls", type=int, default=200, help="screen pops to time")
    parser.add_argument("--pop-contacts", type=int, default=100_000, help="contacts in its store")
    parser.add_argument("--only-pop", action="store_true", help="run the screen-pop part alone")
    args = parser.parse_args()
    if not args.only_pop:
        observer_and_agent(args)
    with tempfile.TemporaryDirectory() as tmp:
        pops = asyncio.run(screen_pop_latency(args.pop_calls, args.pop_contacts, Path(tmp)))
    print(
        f"TUI screen pop, INVITE -> caller's card painted ({len(pops)} calls, "
        f"{args.pop_contacts:,} contacts): {percentiles(pops)}"
    )


def observer_and_agent(args: argparse.Namespace) -> None:
    pps, count = observer_capacity(10_000)
    print(
        f"observer capacity, one core, no network: {pps:,.0f} HEP packets/s "
        f"({pps / 7:,.0f} answered calls/s of 7 packets; {count:,} packets)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for rate in args.rates:
            report_rate(asyncio.run(observer_rate(rate, args.seconds, Path(tmp), args.store)))
    latencies = asyncio.run(ring_latency(args.latency_calls))
    print(
        f"ring-only agent, INVITE -> ringing event at the sink ({len(latencies)} calls): "
        f"{percentiles(latencies)}"
    )


if __name__ == "__main__":
    main()
