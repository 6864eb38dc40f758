"""Every report over a year of a store with a million deals and invoices.

    python bench/reports_bench.py                    # 1,000,000 deals and invoices
    python bench/reports_bench.py --rows 100000      # quicker
    python bench/reports_bench.py --keep /tmp/r.db   # keep (and reuse) the store

The store starts as a small demo (users, stages, rates, 2,000 contacts), then
gets ``--rows`` opportunities and ``--rows`` invoices, and a quarter as many
calls, spread over the last two years (so a year holds about half of each) in
four currencies, all with configured rates. Each report is computed over the
last 365 days and written to xlsx, as ``crmtui report`` does; the figure is
the whole of it, per report (the target is 30 s at most each).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

BATCH = 50_000
CURRENCIES = (("EUR", 6), ("USD", 2), ("GBP", 1), ("PLN", 1))


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def _ids(con: sqlite3.Connection, sql: str) -> list[str]:
    return [r[0] for r in con.execute(sql)]


def _opportunities(con: sqlite3.Connection, rows: int, rng: random.Random, today: date) -> None:
    users = _ids(con, "SELECT id FROM user_account")
    stages = _ids(con, "SELECT id FROM stage")
    contacts = _ids(con, "SELECT id FROM contact LIMIT 5000")
    currencies = [c for c, w in CURRENCIES for _ in range(w)]
    now = _stamp(datetime.now(UTC))
    sql = (
        "INSERT INTO opportunity (created_at, updated_at, created_by, version, id, title, "
        "contact_id, description, budget_minor, currency, budget_type, budget_count, "
        "expected_close, responsible_id, stage_id, restricted) "
        "VALUES (?, ?, NULL, 1, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, 0)"
    )
    for start in range(0, rows, BATCH):
        batch = []
        for i in range(start, min(rows, start + BATCH)):
            monthly = i % 7 == 0
            batch.append(
                (
                    now,
                    now,
                    f"bench-opp-{i:09d}",
                    f"Deal {i}",
                    rng.choice(contacts),
                    rng.randrange(10_000, 5_000_000),
                    rng.choice(currencies),
                    "month" if monthly else "fixed",
                    12 if monthly else 1,
                    (today - timedelta(days=rng.randrange(730))).isoformat(),
                    rng.choice(users),
                    rng.choice(stages),
                )
            )
        con.executemany(sql, batch)


def _invoices(con: sqlite3.Connection, rows: int, rng: random.Random, today: date) -> None:
    users = _ids(con, "SELECT id FROM user_account")
    clients = _ids(con, "SELECT id FROM contact LIMIT 5000")
    currencies = [c for c, w in CURRENCIES for _ in range(w)]
    statuses = ("billed", "paid", "paid", "draft", "rejected")
    now = _stamp(datetime.now(UTC))
    sql = (
        "INSERT INTO invoice (created_at, updated_at, created_by, version, id, number, "
        "issue_date, due_terms, client_id, billing_address, delivery_address, language, "
        "currency, exchange_rate, po_number, terms, notes, status, subtotal_minor, "
        "discount_minor, tax_minor, total_minor) VALUES (?, ?, ?, 1, ?, ?, ?, '30', ?, '', '', "
        "'fr', ?, '1', '', '', '', ?, ?, 0, ?, ?)"
    )
    for start in range(0, rows, BATCH):
        batch = []
        for i in range(start, min(rows, start + BATCH)):
            net = rng.randrange(1_000, 2_000_000)
            batch.append(
                (
                    now,
                    now,
                    rng.choice(users),
                    f"bench-inv-{i:09d}",
                    f"BENCH{i:09d}",
                    (today - timedelta(days=rng.randrange(730))).isoformat(),
                    rng.choice(clients),
                    rng.choice(currencies),
                    rng.choice(statuses),
                    net,
                    net // 5,
                    net + net // 5,
                )
            )
        con.executemany(sql, batch)


def _calls(con: sqlite3.Connection, rows: int, rng: random.Random) -> None:
    users = _ids(con, "SELECT id FROM user_account")
    now = datetime.now(UTC)
    sql = (
        "INSERT INTO call (created_at, updated_at, version, id, direction, status, remote_raw, "
        "remote_name, local_party, agent_id, started_at, duration_s, billsec_s, cost_minor, "
        "cost_currency, hangup_cause, source, source_call_id, wrapup_description, "
        "wrapup_notes) VALUES (?, ?, 1, ?, ?, ?, '0600000000', '', '', ?, ?, ?, ?, ?, 'EUR', "
        "'', 'bench', ?, '', '')"
    )
    stamp = _stamp(now)
    for start in range(0, rows, BATCH):
        batch = []
        for i in range(start, min(rows, start + BATCH)):
            answered = rng.random() < 0.7
            talk = rng.randrange(10, 900) if answered else 0
            batch.append(
                (
                    stamp,
                    stamp,
                    f"bench-call-{i:09d}",
                    rng.choice(("inbound", "outbound")),
                    "answered" if answered else "missed",
                    rng.choice(users),
                    _stamp(now - timedelta(seconds=rng.randrange(730 * 86400))),
                    talk,
                    talk,
                    talk // 6,
                    f"b{i}",
                )
            )
        con.executemany(sql, batch)


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def build(path: Path, rows: int) -> None:
    from crmtui.store import demo, open_store

    store = open_store(path)
    demo.build(store, contacts=2000)
    for currency, rate in (("USD", "0.92"), ("GBP", "1.17"), ("PLN", "0.23")):
        store.mutate("exchange_rate.set", {"currency": currency, "rate": rate})
    store.close()
    rng, today = random.Random(5), date.today()
    start = time.perf_counter()
    con = sqlite3.connect(path)
    with con:
        _opportunities(con, rows, rng, today)
        _invoices(con, rows, rng, today)
        _calls(con, rows // 4, rng)
    con.execute("ANALYZE")
    con.close()
    print(
        f"store: {rows:,} deals, {rows:,} invoices, {rows // 4:,} calls "
        f"added in {time.perf_counter() - start:.0f} s"
    )


def run_reports(path: Path, out: Path) -> None:
    from crmtui.reports.catalog import REPORTS
    from crmtui.reports.model import Period
    from crmtui.reports.workbook import write_report
    from crmtui.store import open_store

    store = open_store(path)
    period = Period(date.today() - timedelta(days=364), date.today())
    for name, (fn, _) in REPORTS.items():
        start = time.perf_counter()
        with store.read() as session:
            report = fn(session, period, None)
        computed = time.perf_counter() - start
        write_report(report, out / f"{name}.xlsx")
        took = time.perf_counter() - start
        print(
            f"report {name:9s} {took:6.2f} s  (computed in {computed:.2f} s; "
            f"{len(report.table.rows)} rows; load {_load()})"
        )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="store file to build once and reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "reports.db"
        if not path.exists():
            build(path, args.rows)
        run_reports(path, Path(tmp))


if __name__ == "__main__":
    main()
