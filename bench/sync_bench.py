"""Sync benchmark on PostgreSQL: prints the figures the README quotes.

    python bench/sync_bench.py [--pg postgresql+psycopg://postgres@127.0.0.1/test]
                               [--records 100000] [--clients 50] [--seconds 60]
                               [--workers N] [--only first,idle,push,concurrent]

It creates a scratch database (dropped at the end), fills one user's subset
with ``--records`` contacts straight through SQL, serves the sync app with
uvicorn on a loopback port, and measures:

1. the first sync of that subset into an empty client store (default pages);
2. a pull with nothing new: server time (the handler, in process) and round trip;
3. one push of 100 mutations (round trip);
4. ``--clients`` clients each pushing one mutation every 100 ms for
   ``--seconds``: errors, and push latency percentiles.

The server runs as ``crmtui serve`` in its own process(es) (``--workers``,
default: what ``crmtui serve`` picks); the clients are threads of this one.
The load average is printed with each figure: the machine may be shared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import insert
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crmtui.store import open_store  # noqa: E402
from crmtui.store.ids import new_id  # noqa: E402
from crmtui.store.models import Contact, utcnow  # noqa: E402
from crmtui.sync import accounts, pull  # noqa: E402
from crmtui.sync.client import Client  # noqa: E402
from crmtui.sync.cycle import run_cycle  # noqa: E402
from crmtui.sync.protocol import MutationIn, PullRequest, PushRequest  # noqa: E402
from crmtui.sync.serverdb import open_database  # noqa: E402
from tests.sync.server import free_port  # noqa: E402


class Server:
    """``crmtui serve`` in its own process (clients here must not share its GIL)."""

    def __init__(self, url: str, workers: int | None) -> None:
        self.db = open_database(url)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        more = ["--workers", str(workers)] if workers else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crmtui", "serve", "--db", url, "--port", str(port), *more],
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        while True:
            try:
                httpx.get(f"{self.url}/healthz", timeout=2)
                return
            except httpx.TransportError:
                if self.proc.poll() is not None:
                    raise SystemExit("crmtui serve exited: run it by hand to see why") from None
                time.sleep(0.1)

    def add_user(self, name: str, role: str) -> tuple[str, str]:
        with self.db.write() as session:
            return accounts.add_user(session, name, role)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.db.dispose()


def _admin(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fill(server: Server, user_id: str, count: int) -> None:
    now = utcnow()
    table = Contact.__table__  # type: ignore[attr-defined]
    rows = [
        {
            "id": new_id(),
            "kind": "person",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "display_name": f"First{i} Last{i}",
            "sort_key": f"last{i} first{i}",
            "owner_id": user_id,
            "created_by": user_id,
            "created_at": now,
            "updated_at": now,
            "social": {},
            "access": "public_rw",
            "origin": "import",
            "version": 1,
        }
        for i in range(count)
    ]
    with server.db.engine.begin() as conn:
        for i in range(0, count, 5_000):
            conn.execute(insert(table), rows[i : i + 5_000])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def load() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def first_sync(server: Server, token: str, folder: Path) -> None:
    store = open_store(folder / "first.db")
    with Client(server.url, token, timeout=120) as client:
        start = time.perf_counter()
        outcome = run_cycle(store, client)
        took = time.perf_counter() - start
    assert outcome.ok, outcome.error
    print(
        f"first sync: {outcome.received} records in {outcome.pages} pages: {took:.2f} s ({load()})"
    )
    store.close()


def idle_pull(server: Server, token: str) -> None:
    with server.db.write() as session:
        viewer = accounts.authenticate(session, token)
    assert viewer is not None
    server.db.sequence()  # number the account changes now, not during the measure
    client_id = new_id()
    req = PullRequest(client_id=client_id, limit=10_000)
    cookie = None
    while True:  # bring this client up to date first
        with server.db.snapshot() as session:
            answer = pull.pull(session, viewer, req.model_copy(update={"cookie": cookie}), utcnow())
        cookie = answer.cookie
        if not answer.has_more:
            break
    handler, trip, busy = [], [], 0
    with Client(server.url, token) as client:
        for _ in range(50):
            start = time.perf_counter()
            with server.db.snapshot() as session:
                page = pull.pull(
                    session, viewer, req.model_copy(update={"cookie": cookie}), utcnow()
                )
            handler.append(time.perf_counter() - start)
            start = time.perf_counter()
            got = client.pull(req.model_copy(update={"cookie": page.cookie}))
            trip.append(time.perf_counter() - start)
            busy += bool(page.patch or got.patch)
            cookie = got.head.cookie  # as a client does: the next pull sends the new cookie
    print(
        f"pull, nothing new: server {ms(statistics.median(handler))} median, "
        f"round trip {ms(statistics.median(trip))} median, {busy} of 50 not empty ({load()})"
    )


def push_100(server: Server, token: str) -> None:
    times = []
    with Client(server.url, token) as client:
        for round_ in range(5):
            muts = [
                MutationIn(
                    id=i + 1,
                    name="contact.create",
                    args={"id": new_id(), "first_name": f"Push{round_}-{i}"},
                )
                for i in range(100)
            ]
            start = time.perf_counter()
            answer = client.push(PushRequest(client_id=new_id(), mutations=muts))
            times.append(time.perf_counter() - start)
            assert all(r.status == "applied" for r in answer.results)
    print(f"push of 100 mutations: {ms(statistics.median(times))} median of 5 ({load()})")


def concurrent(server: Server, tokens: list[str], seconds: float) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(token: str) -> None:
        client_id, n = new_id(), 0
        with Client(server.url, token) as client:
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                n += 1
                start = time.perf_counter()
                try:
                    client.push(
                        PushRequest(
                            client_id=client_id,
                            mutations=[
                                MutationIn(
                                    id=n,
                                    name="contact.create",
                                    args={"id": new_id(), "first_name": "C"},
                                )
                            ],
                        )
                    )
                    took = time.perf_counter() - start
                    with lock:
                        latencies.append(took)
                except Exception as exc:  # count every failure, whatever it is
                    with lock:
                        errors.append(str(exc))
                time.sleep(max(0.0, 0.1 - (time.perf_counter() - start)))

    threads = [threading.Thread(target=one, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{len(tokens)} clients x 10 pushes/s for {seconds:.0f} s: {len(latencies)} pushes, "
        f"{len(errors)} errors, latency p50 {ms(q[49])}, p95 {ms(q[94])}, p99 {ms(q[98])} "
        f"({load()})"
    )
    for error in sorted(set(errors))[:5]:
        print("  error:", error)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--only", default="first,idle,push,concurrent")
    opts = parser.parse_args()
    parts = set(opts.only.split(","))
    name = f"crmtui_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin(opts.pg), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(opts.pg).set(database=name).render_as_string(hide_password=False)
    try:
        server = Server(url, opts.workers)
        user_id, token = server.add_user("bench", "user")
        fill(server, user_id, opts.records)
        if "first" in parts:
            with tempfile.TemporaryDirectory() as folder:
                first_sync(server, token, Path(folder))
        if "idle" in parts:
            idle_pull(server, token)
        if "push" in parts:
            push_100(server, token)
        if "concurrent" in parts:
            tokens = [server.add_user(f"c{i}", "user")[1] for i in range(opts.clients)]
            concurrent(server, tokens, opts.seconds)
        server.close()
    finally:
        with psycopg.connect(_admin(opts.pg), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
