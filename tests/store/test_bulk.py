"""The bulk loader writes what the mutations and the search triggers would have."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlmodel import select

from crmtui.store import Store, bulk, open_store, table_specs
from crmtui.store.demo import build
from crmtui.store.demo.numbers import NumberMaker
from crmtui.store.demo.specs import CONTACT
from crmtui.store.invoicing import LineInput, LineTax, totals
from crmtui.store.models import Contact, Invoice, InvoiceLine
from crmtui.store.mutations.contacts import display_name, phone_row, sort_key
from crmtui.store.queries.contacts import find_by_e164, search_contacts
from crmtui.store.sql import connection_of

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
CONTACT_SEARCH = "SELECT rowid, contact_id, name, company, emails, phones, tags FROM contact_search"
ACTIVITY_SEARCH = "SELECT rowid, activity_id, subject, details FROM activity_search"
QUERIES = [
    "a",
    "lu",
    "lukasz",
    "zoé",
    "muller",
    "sarl",
    "sp. z o.o",
    "ltd gmbh",
    "orange.fr",
    "newsletter",
    "vip",
    "06",
    "06 1",
    "+48",
    "0048 6",
    "020 7946",
    "5678",
    "4 56",
    "Kowalska",
    "wisniewsk",
    "gaëlle",
    "jean-luc",
    "o'brien",
    "& fils",
    "zazolc",
]


def _rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.read() as session:
        return [tuple(r) for r in session.execute(text(sql + " ORDER BY rowid"))]


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "AND type IN ('trigger', 'index') ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo store per module (building it is the slow part); tests get a copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with open_store(path) as store:
        build(store, contacts=300, seed=11, now=NOW)
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "demo.db"
    shutil.copyfile(demo_file, copy)
    with open_store(copy) as store:
        yield store


def test_search_rows_equal_what_the_triggers_write(
    demo: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same demo again, with every search trigger left in place to fire row by row.
    monkeypatch.setattr(bulk, "SEARCH_TRIGGERS", ())
    with open_store(tmp_path / "triggers.db") as slow:
        build(slow, contacts=300, seed=11, now=NOW)
        assert _rows(demo, CONTACT_SEARCH) == _rows(slow, CONTACT_SEARCH)
        assert _rows(demo, ACTIVITY_SEARCH) == _rows(slow, ACTIVITY_SEARCH)
        with demo.read() as fast_s, slow.read() as slow_s:
            for query in QUERIES:
                fast = [r.id for r in search_contacts(connection_of(fast_s), query, limit=500).rows]
                assert fast == [
                    r.id for r in search_contacts(connection_of(slow_s), query, limit=500).rows
                ]
            assert search_contacts(connection_of(fast_s), "lu").rows, "the demo has names to find"


def test_search_rows_survive_a_refresh_by_the_triggers(demo: Store) -> None:
    before_contacts = _rows(demo, CONTACT_SEARCH)
    before_activities = _rows(demo, ACTIVITY_SEARCH)
    with demo.write() as session:
        # Touching every record makes the re-created triggers recompute its search row.
        session.execute(text("UPDATE contact SET display_name = display_name"))
        session.execute(text("UPDATE activity SET subject = subject"))
        for fts in ("contact_fts", "activity_fts"):
            session.execute(text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))
    assert _rows(demo, CONTACT_SEARCH) == before_contacts
    assert _rows(demo, ACTIVITY_SEARCH) == before_activities
    assert len(before_contacts) == 300


def test_the_load_restores_triggers_and_indexes_and_writes_no_outbox(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with open_store(path) as store:
        schema = _schema(path)
        counts = build(store, contacts=50, seed=1, now=NOW)
        with store.read() as session:
            mode = session.execute(text("PRAGMA journal_mode")).scalar()
    assert _schema(path) == schema
    assert counts["_outbox"] == 0 and counts["contact"] == 50
    assert mode == "wal"


def test_a_failed_load_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    with open_store(path) as store:
        schema = _schema(path)
        with (
            pytest.raises(RuntimeError),
            bulk.BulkLoad(store, defer_indexes=["ix_contact_sort", "ix_nonexistent"]) as load,
        ):
            at = NOW - timedelta(days=1)
            assert (
                load.insert(
                    CONTACT,
                    [
                        (
                            at,
                            at,
                            None,
                            1,
                            "c1",
                            "company",
                            "",
                            "",
                            "Acme SA",
                            "Acme SA",
                            "acme sa",
                            None,
                            "",
                            "",
                            {},
                            "",
                            None,
                            None,
                            None,
                            None,
                            "public_rw",
                            None,
                            "demo",
                        )
                    ],
                )
                == 1
            )
            raise RuntimeError("disk on fire")
        with store.read() as session:
            assert session.execute(text("SELECT count(*) FROM contact")).scalar() == 0
    assert _schema(path) == schema


def test_demo_rows_are_what_the_mutations_compute(demo: Store) -> None:
    with demo.read() as session:
        region = demo.context(session).region
        phones = session.execute(
            text(f"SELECT {', '.join(bulk.PHONE.columns)} FROM contact_phone")
        ).all()
        for row in phones:
            again = phone_row(row.contact_id, row.position, row.raw, row.label, region)
            assert tuple(row) == tuple(getattr(again, c) for c in bulk.PHONE.columns)
        for c in session.exec(select(Contact)).all():
            assert (c.display_name, c.sort_key) == (display_name(c), sort_key(c))
        assert any(not r.valid for r in phones) and any(r.valid for r in phones)


def test_invoice_totals_are_the_sums_of_their_lines(demo: Store) -> None:
    with demo.read() as session:
        invoices = session.exec(select(Invoice)).all()
        assert {i.status for i in invoices} == {"draft", "billed", "paid", "rejected"}
        numbers = sorted(i.number for i in invoices)
        assert numbers == [f"INV{n:07d}" for n in range(1, len(invoices) + 1)]
        for invoice in invoices:
            lines = session.exec(
                select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
            ).all()
            inputs = [
                LineInput(
                    li.quantity,
                    li.unit_price_minor,
                    li.discount_pct,
                    tuple(
                        LineTax(t, "", r)
                        for t, r in ((li.tax1_id, li.tax1_rate), (li.tax2_id, li.tax2_rate))
                        if t and r is not None
                    ),
                )
                for li in lines
            ]
            result = totals(inputs)
            assert (
                invoice.subtotal_minor,
                invoice.discount_minor,
                invoice.tax_minor,
                invoice.total_minor,
            ) == (
                result.subtotal_minor,
                result.discount_minor,
                result.tax_minor,
                result.total_minor,
            )
            assert sum(li.net_minor + li.tax_minor for li in lines) == invoice.total_minor


def test_same_seed_same_store_other_seed_other_store(tmp_path: Path) -> None:
    tables = (
        "SELECT id, display_name, sort_key FROM contact",
        "SELECT * FROM contact_phone",
        "SELECT * FROM activity",
        "SELECT * FROM call",
        "SELECT * FROM invoice",
    )
    stores = [open_store(tmp_path / f"{n}.db") for n in range(3)]
    try:
        for store, seed in zip(stores, (11, 11, 12), strict=True):
            build(store, contacts=60, seed=seed, now=NOW)
        one, again, other = ([_rows(s, sql) for sql in tables] for s in stores)
        assert one == again
        assert one[0] != other[0]
    finally:
        for store in stores:
            store.close()


def test_loaded_contacts_stay_editable_and_searchable(demo: Store) -> None:
    with demo.read() as session:
        contact_id, e164 = session.execute(
            text(
                "SELECT p.contact_id, p.e164 FROM contact_phone p JOIN contact c ON c.id = "
                "p.contact_id WHERE p.e164 IS NOT NULL AND c.kind = 'person' LIMIT 1"
            )
        ).one()
        assert contact_id in find_by_e164(connection_of(session), e164)
    demo.mutate(
        "contact.update", {"id": contact_id, "first_name": "Xavière", "last_name": "Quenneville"}
    )
    with demo.read() as session:
        assert [r.id for r in search_contacts(connection_of(session), "quennev").rows] == [
            contact_id
        ]


def test_building_twice_is_refused(demo: Store) -> None:
    from crmtui.store.demo import DemoError

    with pytest.raises(DemoError, match="already holds data"):
        build(demo, contacts=10, seed=11, now=NOW)


@pytest.mark.parametrize("region", ["FR", "PL", "GB"])
def test_phone_rows_derived_by_block_equal_phone_row(region: str) -> None:
    rows, maker, rng = bulk.PhoneRows(region), NumberMaker("3", region), random.Random(5)
    for n in range(600):
        raw = maker.number(rng, rng.choice(("FR", "PL", "GB")), rng.choice(("mobile", "fixed")))
        expected = phone_row(f"c{n}", n % 3, raw, "work", region)
        assert rows.row(f"c{n}", n % 3, raw, "work") == tuple(
            getattr(expected, c) for c in bulk.PHONE.columns
        ), raw


def test_fast_encoders_write_what_sqlalchemy_binds() -> None:
    dialect = sqlite.dialect()
    cases = [
        (
            Contact.__table__.c.created_at,
            [
                NOW,
                datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
                None,
            ],
        ),
        (Invoice.__table__.c.issue_date, [date(2026, 1, 2), None]),
        (Contact.__table__.c.social, [{}, {"linkedin": "https://example.com/é"}]),
        (Invoice.__table__.c.exchange_rate, [Decimal("0.2315")]),
    ]
    for column, values in cases:
        slow = column.type._cached_bind_processor(dialect)
        fast = table_specs._processor(column.type)
        for value in values:
            assert fast(value) == (slow(value) if slow else value)
    with pytest.raises(ValueError, match="aware"):
        table_specs._utc_text(datetime(2026, 1, 1))
