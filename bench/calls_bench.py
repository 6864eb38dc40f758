"""Call log benchmark: number matching against a big store, and CDR import speed.

    python bench/calls_bench.py                      # 1,000,000 contacts, 1,000,000 CDR rows
    python bench/calls_bench.py --contacts 100000 --rows 100000
    python bench/calls_bench.py --rows 200000 --keep /tmp/contacts-1m.db

``--keep FILE`` saves the built contacts store to FILE, or starts from a copy
of it when FILE exists (built with the same ``--contacts``): iterating on the
import then skips the build.

1. Builds a store of ``--contacts`` people, one phone each (French, Polish,
   German and US numbers), with :class:`crmtui.store.bulk.BulkLoad`.
2. Matching: 10,000 distinct numbers, each written in another form than the
   stored one (national, international, ``00``, spaced, dashed), one in ten
   unknown (so every step of the matching order runs), each matched with no
   remembered answer: classifying the number plus the indexed lookups. Run
   twice: parsing every number with ``phonenumbers``, and with the number
   blocks an import or a running listener has already learnt. Prints p50, p99
   and max.
3. Import: writes an Asterisk ``Master.csv`` of ``--rows`` rows (21 columns;
   one call in ten has two legs; 85% known callers, 5% from 2,000 unknown
   numbers, 5% withheld, 5% internal), then imports it exactly as
   ``crmtui import calls --format asterisk-csv`` does (CallProcessor over the
   streaming reader, one transaction per 20,000 calls made of ``call.log_batch``
   mutations of 5,000). Prints rows/s and the summary. The import then runs a
   second time: nothing may change.

The load average is printed with each figure: on a busy machine every figure
is slower.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crmtui.store import open_store
from crmtui.store.bulk import PHONE, BulkLoad, PhoneRows, TableSpec, contact_names
from crmtui.store.db import Store
from crmtui.store.ids import new_id
from crmtui.store.models import Contact
from crmtui.store.phones import only_digits
from crmtui.store.queries.calls import PhoneLookup, count_calls
from crmtui.telephony.importers import read_calls
from crmtui.telephony.matching import Matcher, NumberBook
from crmtui.telephony.processing import CallProcessor

CONTACT = TableSpec(
    Contact,
    (
        "created_at",
        "updated_at",
        "version",
        "id",
        "kind",
        "first_name",
        "last_name",
        "company_name",
        "display_name",
        "sort_key",
        "title",
        "website",
        "social",
        "description",
        "access",
        "origin",
    ),
)
FIRST = ("Zoé", "Łukasz", "Jürgen", "Mary", "Agnieszka", "Pierre", "Hans", "John", "Anna")
LAST = ("Martin", "Nowak", "Müller", "Smith", "Kowalski", "Bernard", "Schmidt", "Johnson")


def stored_number(i: int) -> tuple[str, str]:
    """The i-th contact's number as typed, and its E.164 (unique per i)."""
    n, country = divmod(i, 4)
    if country == 0:
        digits = f"{n:08d}"
        return f"06 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}", f"+336{digits}"
    if country == 1:
        digits = f"{n:08d}"
        return f"+48 5{digits[:2]} {digits[2:5]} {digits[5:]}", f"+485{digits}"
    if country == 2:
        digits = f"{n:08d}"
        return f"+49 151 {digits}", f"+49151{digits}"
    digits = f"{n:06d}"
    return f"+1 212 3{digits[:2]} {digits[2:]}", f"+12123{digits}"


def caller_form(e164: str, rng: random.Random) -> str:
    """The same number as a PBX or a person might write it."""
    forms = [e164, "00" + e164[1:], " ".join([e164[:3], e164[3:6], e164[6:]])]
    if e164.startswith("+33"):
        forms += ["0" + e164[3:], "0" + e164[3:4] + "-" + e164[4:8] + "-" + e164[8:]]
    if e164.startswith("+1"):
        forms += [f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}", e164[2:]]
    return rng.choice(forms)


def build(store: Store, count: int) -> None:
    now = datetime.now(UTC)
    phones = PhoneRows("FR")

    def contacts() -> Iterator[tuple[object, ...]]:
        for i in range(count):
            first, last = FIRST[i % len(FIRST)], f"{LAST[i % len(LAST)]} {i}"
            shown, key = contact_names("person", first, last, "")
            ids.append(new_id())
            yield (
                now,
                now,
                1,
                ids[-1],
                "person",
                first,
                last,
                "",
                shown,
                key,
                "",
                "",
                {},
                "",
                "public_rw",
                "demo",
            )

    ids: list[str] = []
    with BulkLoad(store) as load:
        load.insert(CONTACT, contacts())
        load.insert(
            PHONE,
            (phones.row(cid, 0, stored_number(i)[0], "work") for i, cid in enumerate(ids)),
            encoded=True,
        )


def bench_matching(store: Store, contacts: int, samples: int = 10_000) -> None:
    rng = random.Random(7)
    picks = rng.sample(range(contacts), min(samples, contacts))
    raws = [caller_form(stored_number(i)[1], rng) for i in picks]
    raws += [f"+33 7 {rng.randrange(10**8):08d}" for _ in range(len(raws) // 10)]
    with store.read() as session:
        matcher = Matcher(PhoneLookup(session), region="FR", digits=8)
        for label, cold in (("parsing every number", True), ("number blocks remembered", False)):
            timings, hits = [], 0
            for raw in raws:
                if cold:
                    matcher.book = NumberBook("FR")
                matcher.forget()  # no remembered answers: every lookup hits the store
                t0 = time.perf_counter()
                found = matcher.match(raw)
                timings.append((time.perf_counter() - t0) * 1000)
                hits += found.contact_id is not None
            timings.sort()
            p99 = timings[int(len(timings) * 0.99) - 1]
            print(
                f"matching {len(timings):,} numbers against {contacts:,} contacts "
                f"({label}): p50 {statistics.median(timings):.3f} ms, p99 {p99:.3f} ms, "
                f"max {timings[-1]:.3f} ms; {hits:,} matched; load average {_load()}"
            )


def write_cdr(path: Path, rows: int, contacts: int) -> int:
    rng = random.Random(11)
    strangers = [f"07{rng.randrange(10**8):08d}" for _ in range(2000)]
    start = datetime(2025, 1, 1, 8, 0, 0)
    written = n = 0
    with path.open("w", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
        while written < rows:
            n += 1
            legs = 2 if n % 10 == 0 and rows - written >= 2 else 1
            for leg in range(legs):
                out.writerow(cdr_row(n, leg, legs, start, rng, strangers, contacts))
            written += legs
    return written


def cdr_row(
    n: int,
    leg: int,
    legs: int,
    start: datetime,
    rng: random.Random,
    strangers: list[str],
    contacts: int,
) -> list[object]:
    kind = n % 20
    if kind == 0:
        src, dst = "anonymous", "201"
    elif kind == 1:
        src, dst = "201", "202"
    elif kind == 2:
        src, dst = rng.choice(strangers), "201"
    else:
        src, dst = caller_form(stored_number(rng.randrange(contacts))[1], rng), "201"
    if kind % 3 == 0 and kind > 2:
        src, dst = "203", only_digits(src) if not src.startswith("+") else src
    began = start + timedelta(seconds=n * 2)
    answered = leg == legs - 1 and n % 4 != 0
    talk = 30 + n % 300 if answered else 0
    end = began + timedelta(seconds=10 + talk)
    fmt = "%Y-%m-%d %H:%M:%S"
    uid = f"1700000000.{n}"
    return [
        "",
        src,
        dst,
        "from-pstn",
        f'"Caller {n}" <{src}>',
        "SIP/trunk-0001",
        f"SIP/{200 + leg}-0002",
        "Dial",
        "SIP/201",
        began.strftime(fmt),
        (began + timedelta(seconds=10)).strftime(fmt) if answered else "",
        end.strftime(fmt),
        10 + talk,
        talk,
        "ANSWERED" if answered else "NO ANSWER",
        "DOCUMENTATION",
        f"{uid}.{leg}",
        "",
        "",
        uid,
        leg,
    ]


def bench_import(store: Store, path: Path, rows: int) -> None:
    for attempt in ("first", "again"):
        processor = CallProcessor(store, region="FR")
        t0 = time.perf_counter()
        summary = processor.run(read_calls(path, "asterisk-csv", zone=UTC))
        took = time.perf_counter() - t0
        print(
            f"import ({attempt}) {rows:,} CDR rows: {took:.1f} s, {rows / took:,.0f} rows/s; "
            f"new {summary.new:,}, legs {summary.legs:,}, merged {summary.merged:,}, "
            f"unchanged {summary.unchanged:,}, matched {summary.matched:,}, "
            f"created {summary.created:,}, unmatched {summary.unmatched:,}, "
            f"rejected {len(summary.rejected):,}; load average {_load()}"
        )
    with store.read() as session:
        print(f"calls stored: {count_calls(session):,}")


def contacts_store(path: Path, contacts: int, keep: Path | None) -> Store:
    """A store of ``contacts`` people at ``path``: built, or copied from ``keep``."""
    if keep is not None and keep.exists():
        shutil.copyfile(keep, path)
        return open_store(path)
    store = open_store(path)
    t0 = time.perf_counter()
    build(store, contacts)
    print(f"built {contacts:,} contacts in {time.perf_counter() - t0:.0f} s")
    if keep is None:
        return store
    store.close()
    with closing(sqlite3.connect(path)) as db:  # the file alone then holds everything
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, keep)
    return open_store(path)


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="Where to put the files.")
    parser.add_argument("--keep", type=Path, default=None, help="Contacts store to reuse.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        store = contacts_store(Path(tmp) / "bench.db", args.contacts, args.keep)
        bench_matching(store, args.contacts)
        cdr = Path(tmp) / "Master.csv"
        rows = write_cdr(cdr, args.rows, args.contacts)
        bench_import(store, cdr, rows)
        store.close()


if __name__ == "__main__":
    main()
