"""Store benchmark: build a big demo store, then time what the screens ask of it.

    /work/venv/bin/python bench/store_bench.py                  # 1,000,000 contacts in a temp dir
    /work/venv/bin/python bench/store_bench.py --path big.db --reuse   # time an existing store

Prints the generation time, then percentiles of: search-as-you-type first
pages (name prefixes of 1 to 5 letters, partial phone numbers typed from the
start or the end), keyset pages of the sorted list from keys spread over the
whole list, and lookups by E.164 number, and the store's size on disk.

Targets: generation <= 120 s; search first page p95 <= 20 ms; keyset page
<= 5 ms; E.164 lookup <= 1 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from crmtui.store import Store, open_store
from crmtui.store.demo import build
from crmtui.store.queries.contacts import find_by_e164, list_contacts, search_contacts


def _pct(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Samples(list[tuple[float, float]]):
    """(wall, CPU) seconds per call. On a loaded machine the wall time also
    holds the waits for a CPU; the CPU time is what the query itself cost."""


def _report(label: str, samples: Samples, extra: str = "") -> None:
    ms = [w * 1000 for w, _ in samples]
    cpu = [c * 1000 for _, c in samples]
    print(
        f"  {label:<34} n={len(ms):<5} p50={statistics.median(ms):7.2f} ms  "
        f"p95={_pct(ms, 0.95):7.2f} ms  p99={_pct(ms, 0.99):7.2f} ms  "
        f"max={max(ms):7.2f} ms  (CPU p95 {_pct(cpu, 0.95):.2f}, p99 {_pct(cpu, 0.99):.2f})"
        f"{extra}"
    )


def _timed(
    session: Session, fn: Callable[[Session, Any], Any], inputs: Sequence[Any]
) -> tuple[Samples, int]:
    """Wall and CPU seconds per call, and how many calls found nothing."""
    samples, empty = Samples(), 0
    for value in inputs:
        started, cpu = time.perf_counter(), time.process_time()
        result = fn(session, value)
        samples.append((time.perf_counter() - started, time.process_time() - cpu))
        rows = getattr(result, "rows", result)
        empty += not rows
    return samples, empty


def _random_rows(session: Session, sql: str, count: int, rng: random.Random) -> list[Any]:
    """Rows of ``sql`` (which selects by ``:r``) for random rowids of contact."""
    top = session.execute(text("SELECT max(rowid) FROM contact")).scalar_one()
    found: list[Any] = []
    while len(found) < count:
        row = session.execute(text(sql), {"r": rng.randint(1, top)}).first()
        if row is not None:
            found.append(row)
    return found


def _name_prefixes(session: Session, rng: random.Random, per_length: int) -> dict[int, list[str]]:
    """Prefixes of real first names, last names and company words, 1 to 5 letters."""
    rows = _random_rows(
        session, "SELECT display_name FROM contact WHERE rowid = :r", per_length * 3, rng
    )
    words = [w for (name,) in rows for w in name.split() if len(w) >= 5 and w.isalpha()]
    prefixes: dict[int, list[str]] = {}
    for length in range(1, 6):
        options = sorted({w[:length] for w in words})
        rng.shuffle(options)
        prefixes[length] = options[:per_length]
    return prefixes


def _phone_inputs(session: Session, rng: random.Random, count: int) -> tuple[list[str], list[str]]:
    """Partial numbers as typed: the start of a number, or its last digits."""
    rows = _random_rows(
        session,
        "SELECT p.raw, p.digits FROM contact_phone p "
        "WHERE p.contact_id = (SELECT id FROM contact WHERE rowid = :r) "
        "AND p.valid LIMIT 1",
        count * 2,
        rng,
    )
    starts = [raw[: rng.randint(5, min(10, len(raw)))] for raw, _digits in rows[:count]]
    ends = [digits[-rng.randint(4, 7) :] for _raw, digits in rows[count:]]
    return starts, ends


def bench_search(session: Session, rng: random.Random, samples: int) -> None:
    print("search_contacts, first page of 50:")
    everything = Samples()
    for length, prefixes in _name_prefixes(session, rng, samples).items():
        times, empty = _timed(session, lambda s, q: search_contacts(s, q, limit=50), prefixes)
        everything += times
        _report(f"{length}-letter prefixes", times, f"  (no match: {empty})")
    _report("all name prefixes", everything)
    starts, ends = _phone_inputs(session, rng, samples)
    for label, inputs in (
        ("phone, start typed (06 12 3...)", starts),
        ("phone, last 4-7 digits", ends),
    ):
        times, empty = _timed(session, lambda s, q: search_contacts(s, q, limit=50), inputs)
        _report(label, times, f"  (no match: {empty})")


def bench_keyset(session: Session, rng: random.Random, samples: int) -> None:
    print("list_contacts, keyset page of 50 after a random key:")
    keys = [
        tuple(r)
        for r in _random_rows(
            session, "SELECT sort_key, id FROM contact WHERE rowid = :r", samples, rng
        )
    ]
    times, _ = _timed(session, lambda s, k: list_contacts(s, after=k, limit=50), keys)
    _report("next page (after)", times)
    times, _ = _timed(session, lambda s, k: list_contacts(s, before=k, limit=50), keys)
    _report("previous page (before)", times)


def bench_e164(session: Session, rng: random.Random, samples: int) -> None:
    print("find_by_e164:")
    numbers = [
        r[0]
        for r in _random_rows(
            session,
            "SELECT e164 FROM contact_phone WHERE contact_id = "
            "(SELECT id FROM contact WHERE rowid = :r) AND e164 IS NOT NULL LIMIT 1",
            samples,
            rng,
        )
    ]
    times, _ = _timed(session, find_by_e164, numbers)
    _report("known numbers", times)
    unknown = [f"+3361{rng.randrange(10**7):07d}" for _ in range(samples)]
    times, _ = _timed(session, find_by_e164, unknown)
    _report("mostly unknown numbers", times)


def generate(path: Path, contacts: int, seed: int, workers: int | None) -> None:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    load_before = os.getloadavg()[0]
    started, cpu = time.perf_counter(), time.process_time()
    sqlite_cpu: dict[str, float] = {}
    with open_store(path) as store:
        counts = build(store, contacts=contacts, seed=seed, workers=workers, cpu=sqlite_cpu)
    wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"generation: {contacts:,} contacts in {wall:.1f} s wall "
        f"(CPU: main {time.process_time() - cpu:.1f} s, "
        f"workers {children.ru_utime + children.ru_stime:.1f} s; "
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"started at {load_before:.1f})"
    )
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items() if n))
    steps = sorted(sqlite_cpu.items(), key=lambda kv: -kv[1])
    print(
        f"  SQLite CPU in main {sum(sqlite_cpu.values()):.1f} s: "
        + ", ".join(f"{k} {v:.1f}" for k, v in steps if v >= 0.5)
    )


def measure(store: Store, seed: int, samples: int) -> None:
    rng = random.Random(seed)
    with store.read() as session:
        # One untimed pass warms the page cache, as a user's first seconds would.
        search_contacts(session, "a")
        bench_search(session, rng, samples)
        bench_keyset(session, rng, samples)
        bench_e164(session, rng, samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--path", type=Path, help="store file (default: a temp dir, removed)")
    parser.add_argument("--reuse", action="store_true", help="time the existing store at --path")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=None, help="generator processes")
    parser.add_argument("--samples", type=int, default=200, help="queries per figure")
    args = parser.parse_args()
    tmp = None if args.path else tempfile.mkdtemp(prefix="crmtui-bench-")
    path = args.path or Path(tmp or ".") / "bench.db"
    try:
        if not (args.reuse and path.exists()):
            generate(path, args.contacts, args.seed, args.workers)
        with open_store(path, create=False) as store:
            measure(store, args.seed, args.samples)
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        print(f"store size: {size / 2**20:,.0f} MiB ({path})")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
