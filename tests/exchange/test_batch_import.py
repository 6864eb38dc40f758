"""The batch importer (one ``contact.import_batch`` per batch) against the
row-by-row one: the same decisions, the same store, the same search."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import make_url

from crmtui.exchange.contact_batch import FIELDS, BatchPlanner, _already_valid
from crmtui.exchange.contact_import import ContactImporter
from crmtui.exchange.csv_import import import_opened, open_contacts
from crmtui.exchange.importer import Summary, imported_id
from crmtui.store import Store
from crmtui.store.migrate import upgrade_url
from crmtui.store.mutations import Context, run_in
from crmtui.store.mutations.contact_batch import ContactColumns
from crmtui.store.queries.contacts import search_contacts
from crmtui.store.sql import connection_of
from crmtui.sync.serverdb import Database

from .helpers import Stores, dump

ROWS = [
    "first name,last name,company,mobile phone,e-mail address,categories,currency",
    "Zoé,Lefèvre,Acme,06 12 34 56 78,zoe@acme.example,VIP,EUR",
    "Zoe,Lefevre,ACME,,,lead,",  # same name at the same company as line 2
    "Jan,Kowalski,,+48 512 345 678,JAN@firma.example,,",
    "Jan,Nowak,,0048512345678,,,",  # same number as line 4, another form
    "Anna,Schmidt,Globex,,jan@firma.example,,",  # same e-mail as line 4
    "Bad,Mail,,,not-an-address,,",  # rejected
    "Odd,Money,,,,,XYZ",  # rejected: unknown currency
    ",,Globex,,,,",  # a company row: Globex, created for line 6 already
    "Émile,Zola,Acme,ask reception,,,",  # a phone kept as typed, with a warning
]


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _import(store: Store, path: Path, policy: str, *, batch: bool, **kw: Any) -> Summary:
    opened = open_contacts(path)
    single = ContactImporter(opened.to_payload, digest=opened.digest, policy=policy)  # type: ignore[arg-type]
    handler = BatchPlanner(single) if batch else single
    return import_opened(store, opened, handler, batch_size=4, **kw)


def _search_rows(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as s:
        return sorted(
            tuple(r)
            for r in s.execute(
                text("SELECT contact_id, name, company, emails, phones, tags FROM contact_search")
            )
        )


def _outcomes(summary: Summary) -> tuple[Any, ...]:
    # The row-by-row importer names the mutation that refused a row.
    rejected = [(line, why.removeprefix("contact.create: ")) for line, why in summary.rejected]
    return (dict(summary.counts), rejected, summary.warnings, dict(summary.extra))


@pytest.mark.parametrize("policy", ["skip", "update", "create"])
def test_batches_decide_and_write_as_rows_do(tmp_path: Path, stores: Stores, policy: str) -> None:
    path = _csv(tmp_path, ROWS)
    by_row, by_batch = stores.new(), stores.new()
    for store in (by_row, by_batch):  # a contact already there, matched by number
        store.mutate(
            "contact.create",
            {
                "id": "c-old",
                "first_name": "Old",
                "last_name": "Timer",
                "phones": [{"raw": "+33612345678"}],
            },
        )
    rows = _import(by_row, path, policy, batch=False)
    batch = _import(by_batch, path, policy, batch=True)
    assert _outcomes(batch) == _outcomes(rows)
    assert dump(by_batch) == dump(by_row)
    assert _search_rows(by_batch) == _search_rows(by_row)
    again = _import(by_batch, path, policy, batch=True)
    assert dump(by_batch) == dump(by_row)  # running it again changes nothing
    assert again.counts["created"] == 0


def test_imported_contacts_are_searchable_and_the_hold_is_released(
    tmp_path: Path, store: Store
) -> None:
    summary = _import(store, _csv(tmp_path, ROWS), "skip", batch=True)
    assert summary.counts["created"] == 3 and summary.extra["companies created"] == 2
    with store.read() as s:
        for query, name in (
            ("lefevre", "Zoé Lefèvre"),
            ("0612345678", "Zoé Lefèvre"),
            ("firma", "Jan Kowalski"),
            ("acme", "Émile Zola"),
            ("vip", "Zoé Lefèvre"),
        ):
            assert name in {
                r.display_name for r in search_contacts(connection_of(s), query).rows
            }, query
        assert s.execute(text("SELECT count(*) FROM contact_search_hold")).scalar() == 0
    # the triggers work again for ordinary edits
    store.mutate("contact.create", {"id": "c-new", "last_name": "Brandnew"})
    with store.read() as s:
        assert [r.id for r in search_contacts(connection_of(s), "brandnew").rows] == ["c-new"]


def test_a_batch_the_store_refuses_is_imported_row_by_row(tmp_path: Path, store: Store) -> None:
    path = _csv(tmp_path, ROWS)
    opened = open_contacts(path)
    planner = BatchPlanner(ContactImporter(opened.to_payload, digest=opened.digest))
    real = planner.batch
    refused: list[int] = []

    def refuse_the_first(session, ctx, records):  # type: ignore[no-untyped-def]
        outcomes = real(session, ctx, records)
        if not refused:
            refused.append(1)
            from crmtui.exchange.importer import BatchRefused

            raise BatchRefused("the disk is full")
        return outcomes

    planner.batch = refuse_the_first  # type: ignore[method-assign]
    summary = import_opened(store, opened, planner, batch_size=4)
    assert refused and summary.counts["created"] == 3 and summary.rows == len(ROWS) - 1
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM contact")).scalar() == 5


def test_dry_run_of_batches_predicts_and_changes_nothing(tmp_path: Path, store: Store) -> None:
    path = _csv(tmp_path, ROWS)
    before = dump(store)
    dry = _import(store, path, "skip", batch=True, dry_run=True)
    assert dump(store) == before
    real = _import(store, path, "skip", batch=True)
    assert _outcomes(dry) == _outcomes(real)


# Clean values (the fast path takes them) or values validation would change.
_CLEAN = st.text(alphabet="aéZ x.-@+0", max_size=12).map(str.strip)
_DIRTY = st.text(alphabet=st.sampled_from(list("aé Z\t\n\u00a0\u2003\x1f.")), max_size=6)
_LABELS = st.sampled_from(["work", "mobile", "home"])
_ODD_LABELS = st.sampled_from(["work", "Work", "other ", "pager"])
_RAW = st.text("06 +", min_size=1, max_size=20).map(str.strip)
_ODD_RAW = st.text("0 6+", max_size=70)


@st.composite
def _column_values(draw: st.DrawFn) -> tuple[Any, ...]:
    clean = draw(st.booleans())

    def pick(good: Any, odd: Any) -> Any:
        return draw(good if clean or draw(st.booleans()) else st.one_of(good, odd))

    def text(most: int = 12) -> str:
        value = pick(_CLEAN, _DIRTY)
        return value * (most // 10) if value and most > 100 and draw(st.booleans()) else value

    def pairs(values: Any, odd: Any) -> Any:
        return pick(
            st.lists(st.tuples(values, _LABELS), max_size=2),
            st.lists(st.tuples(odd, _ODD_LABELS), max_size=2),
        )

    return (
        pick(st.just("c1"), st.sampled_from([" c1", ""])),
        pick(st.sampled_from(["person", "company"]), st.just("Person")),
        text(250),
        text(250),
        text(350),
        None,
        text(),
        text(),
        text(),
        None,
        pick(st.one_of(st.none(), _CLEAN), _DIRTY),
        pick(st.one_of(st.none(), _CLEAN), _DIRTY),
        pick(st.sampled_from(["public_rw", "private"]), st.just("public")),
        pick(st.just({}), st.just({"x": "y"})),
        pairs(_RAW, _ODD_RAW),
        pairs(_CLEAN, _DIRTY),
        [],
        pick(st.lists(_CLEAN, max_size=2), st.lists(_DIRTY, max_size=2)),
    )


@settings(max_examples=500, deadline=None)
@given(_column_values())
def test_values_taken_as_valid_are_what_validation_gives(values: tuple[Any, ...]) -> None:
    """The batch skips pydantic for rows it can tell are valid as they are:
    those must be accepted, unchanged, by the model the server replays."""
    if not _already_valid(values):
        return
    columns = ContactColumns.model_validate({k: [v] for k, v in zip(FIELDS, values, strict=True)})
    assert tuple(getattr(columns, k)[0] for k in FIELDS) == values


def test_outbox_payload_is_the_models_json(tmp_path: Path) -> None:
    columns = ContactColumns.model_validate(
        {
            **{k: [None] for k in ("company_id", "type_id", "temperature", "currency")},
            **{k: [""] for k in ("first_name", "title", "website", "description")},
            "id": ["c1"],
            "kind": ["person"],
            "last_name": ["Zola"],
            "company_name": [""],
            "access": ["public_rw"],
            "social": [{"x": "@zola"}],
            "phones": [[("06 12 34 56 78", "mobile")]],
            "emails": [[("e@zola.example", "work")]],
            "addresses": [[{"street": "1 rue X", "city": "Paris", "country": "FR"}]],
            "tags": [["VIP"]],
        }
    )
    assert columns.to_json() == columns.model_dump(mode="json")


@pytest.fixture
def pg_store_url(pg_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database with the store's tables (the sync server's)."""
    name = f"crmtui_batch_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_url(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_batch_replays_on_postgresql_as_on_sqlite(pg_store_url: str, store: Store) -> None:
    """The server replays ``contact.import_batch`` from the outbox's JSON."""
    batch = {
        "create": {
            "id": ["c-eva", "c-firm"],
            "kind": ["person", "company"],
            "first_name": ["Ewa", ""],
            "last_name": ["Łęcka", ""],
            "company_name": ["", "Firm"],
            "company_id": ["c-firm", None],
            "title": ["CFO", ""],
            "website": ["", ""],
            "description": ["", ""],
            "type_id": [None, None],
            "temperature": ["hot", None],
            "currency": [None, "pln"],
            "access": ["public_rw", "public_ro"],
            "social": [{}, {"linkedin": "firm"}],
            "phones": [[["+48 512 345 678", "mobile"], ["ext 12", "work"]], []],
            "emails": [[["Ewa@Firm.example", "work"]], []],
            "addresses": [[], [{"label": "billing", "city": "Kraków", "country": "PL"}]],
            "tags": [["VIP"], []],
        }
    }
    store.mutate("contact.import_batch", batch)
    db = Database(pg_store_url)
    query = (
        "SELECT c.id, c.display_name, c.sort_key, c.social, c.currency, c.created_at, "
        "p.e164, p.search_digits, p.valid, e.address FROM contact c "
        "LEFT JOIN contact_phone p ON p.contact_id = c.id AND p.position = 0 "
        "LEFT JOIN contact_email e ON e.contact_id = c.id ORDER BY c.id"
    )
    try:
        with db.write() as session:
            run_in(
                session,
                Context(user_id=None, now=datetime(2026, 1, 2, tzinfo=UTC)),
                "contact.import_batch",
                batch,
            )
        with db.write() as session:
            on_pg = [tuple(r) for r in session.execute(text(query))]
    finally:
        db.dispose()
    with store.read() as s:
        on_sqlite = [tuple(r) for r in s.execute(text(query))]
    assert [r[:5] + r[6:] for r in on_pg] == [
        (*r[:3], json.loads(r[3]), *r[4:5], *r[6:8], None if r[8] is None else bool(r[8]), r[9])
        for r in on_sqlite
    ]
    assert on_pg[0][3] == {} and on_pg[1][3] == {"linkedin": "firm"}
    assert on_pg[0][5] == datetime(2026, 1, 2, tzinfo=UTC)  # a time, not its text


def test_imported_ids_are_uuids_consecutive_within_a_file() -> None:
    ids = [imported_id("d" * 64, line) for line in (2, 3, 10, 11, 100_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 8 and uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)
    assert imported_id("d" * 64, 2) == ids[0]  # the same on every run
    others = {imported_id("e" * 64, 2), imported_id("d" * 64, 2, "task")}
    assert len(others | {ids[0]}) == 3  # another file, another kind: other ids
