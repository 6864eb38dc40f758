"""Import, export and report figures (issue 5's benchmark).

    python bench/exchange_bench.py                       # defaults below
    python bench/exchange_bench.py --import-rows 1000000 --store-contacts 1000000

1. Import: a CSV of ``--import-rows`` contacts (a phone to normalise, an
   e-mail, a company every tenth row) into an empty store through
   ``crmtui import contacts``'s code path (one ``contact.import_batch``
   mutation per 5,000 rows). Prints rows/s (also per CPU second, which a
   loaded machine disturbs less) and the process's peak RSS.
2. Export: a demo store of ``--store-contacts`` contacts (with their
   history: deals, invoices, calls) exported to xlsx in constant memory.
   Prints rows/s (also per CPU second of the main thread: the export reads
   and deflates in two more threads) and peak RSS of a fresh process.
3. Reports: every report over the demo's last year. Prints seconds each.

Each phase runs in its own process, so each peak RSS is that phase's own.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    """The load average, printed beside each figure (a loaded machine is slower)."""
    try:
        return "load " + Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "load unknown"


def _csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("First Name,Last Name,Company,Mobile Phone,E-mail Address\n")
        for i in range(rows):
            company = f"Firm {i // 10}" if i % 10 == 0 else ""
            phone = f"06 {i // 1_000_000 % 100:02d} {i // 10_000 % 100:02d} "
            phone += f"{i // 100 % 100:02d} {i % 100:02d}"
            fh.write(f"Zoé{i},Lefèvre{i},{company},{phone},z{i}@example.fr\n")


def phase_import(rows: int, tmp: Path) -> None:
    from crmtui.exchange.csv_import import contact_handler, import_opened, open_contacts
    from crmtui.store import open_store

    path = tmp / "contacts.csv"
    _csv(path, rows)
    store = open_store(tmp / "import.db")
    opened = open_contacts(path)
    start, cpu = time.perf_counter(), time.process_time()
    summary = import_opened(store, opened, contact_handler(opened, "skip"))
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"import: {summary.rows:,} rows in {took:.1f} s = {summary.rows / took:,.0f} rows/s "
        f"({summary.rows / cpu:,.0f} per CPU second) ({dict(summary.counts)}), "
        f"peak RSS {_peak_mb():.0f} MB, {_load()}"
    )


def phase_build(contacts: int, db: Path) -> None:
    from crmtui.store import demo, open_store

    start = time.perf_counter()
    counts = demo.build(open_store(db), contacts=contacts)
    print(
        f"demo store: {counts['contact']:,} contacts, {counts['opportunity']:,} deals, "
        f"{counts['invoice']:,} invoices, {counts['call']:,} calls "
        f"in {time.perf_counter() - start:.0f} s"
    )


def phase_export(db: Path, tmp: Path) -> None:
    from crmtui.exchange.export import export
    from crmtui.store import open_store

    store = open_store(db)
    for fmt in ("xlsx", "csv", "json"):
        start, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
        count = export(store, "contacts", fmt, tmp / f"contacts.{fmt}")
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        main = time.thread_time() - main
        print(
            f"export {fmt}: {count:,} contacts in {took:.1f} s = {count / took:,.0f} rows/s "
            f"({count / cpu:,.0f} per CPU second, {count / main:,.0f} per main-thread CPU "
            f"second), peak RSS {_peak_mb():.0f} MB, {_load()}"
        )


def phase_reports(db: Path) -> None:
    from crmtui.reports.catalog import REPORTS
    from crmtui.reports.model import Period
    from crmtui.store import open_store

    store = open_store(db)
    period = Period(date.today() - timedelta(days=365), date.today())
    for name, (fn, _) in REPORTS.items():
        start = time.perf_counter()
        with store.read() as session:
            report = fn(session, period, None)
        print(
            f"report {name}: {len(report.table.rows)} rows in "
            f"{time.perf_counter() - start:.2f} s, {_load()}"
        )


def _child(*args: str) -> None:
    subprocess.run([sys.executable, __file__, *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-rows", type=int, default=2000)
    parser.add_argument("--store-contacts", type=int, default=100_000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        tmp = Path(args.dir)
        {
            "import": lambda: phase_import(args.import_rows, tmp),
            "build": lambda: phase_build(args.store_contacts, tmp / "demo.db"),
            "export": lambda: phase_export(tmp / "demo.db", tmp),
            "reports": lambda: phase_reports(tmp / "demo.db"),
        }[args.phase]()
        return
    with tempfile.TemporaryDirectory() as tmp:
        common = [
            f"--import-rows={args.import_rows}",
            f"--store-contacts={args.store_contacts}",
            f"--dir={tmp}",
        ]
        for phase in ("import", "build", "export", "reports"):
            _child(f"--phase={phase}", *common)


if __name__ == "__main__":
    main()
