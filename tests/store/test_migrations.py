"""Migrations: every revision upgrades to head with its data, and stores we cannot
open are refused without a single byte changed."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel, select

import crmtui.store.models  # noqa: F401  (every table on the metadata)
from crmtui.store import StoreError, migrate, open_store
from crmtui.store.models import Contact, ContactPhone
from crmtui.store.queries.contacts import search_contacts
from crmtui.store.search import fts_query
from crmtui.store.sql import connection_of

SEARCH_TABLES = ("contact_search", "contact_fts", "activity_search", "activity_fts")


def revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(migrate.config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@contextmanager
def raw_sql(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection that commits, then closes (so no -wal stays)."""
    with closing(sqlite3.connect(path)) as conn, conn:
        yield conn


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def schema_differences(path: Path) -> list[Any]:
    def include(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLES))

    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": include, "compare_type": True}
            )
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert script.get_current_head() == migrate.head_revision()
    assert revisions_oldest_first()[-1] == migrate.head_revision()
    assert set(revisions_oldest_first()) == migrate.known_revisions()


def test_upgrade_from_empty_to_head(store_path: Path) -> None:
    with open_store(store_path) as store, store.read() as session:
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        modes = [session.execute(text(f"PRAGMA {p}")).scalar_one() for p in ("journal_mode",)]
    assert version == migrate.head_revision()
    assert modes == ["wal"]


def test_an_empty_file_becomes_a_store(store_path: Path) -> None:
    store_path.touch()
    with open_store(store_path) as store, store.read() as session:
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == migrate.head_revision()


def test_models_and_migrations_agree(store_path: Path) -> None:
    open_store(store_path).close()
    assert schema_differences(store_path) == []


def test_schema_comparison_notices_a_missing_index(store_path: Path, tmp_path: Path) -> None:
    """The comparison above can fail: it sees an index the migrations forgot."""
    open_store(store_path).close()
    broken = tmp_path / "broken.db"
    shutil.copy(store_path, broken)
    with raw_sql(broken) as conn:
        conn.execute("DROP INDEX ix_contact_sort")
    diffs = schema_differences(broken)
    assert any(d[0] == "add_index" and d[1].name == "ix_contact_sort" for d in diffs), diffs


def insert_0001_rows(path: Path) -> None:
    """A user, a company, a person with a phone, an e-mail and a tag, and an
    activity, written with plain SQL as the 0001 schema had them."""
    now = "2026-01-02 03:04:05.000000"
    versioned = {"created_at": now, "updated_at": now, "version": 1}
    contact = {
        **versioned,
        "kind": "person",
        "first_name": "",
        "last_name": "",
        "company_name": "",
        "title": "",
        "website": "",
        "social": "{}",
        "description": "",
        "access": "public_rw",
        "origin": "import",
    }
    rows: list[tuple[str, dict[str, Any]]] = [
        ("user_account", {**versioned, "id": "u1", "name": "Ana", "role": "admin", "active": 1}),
        (
            "contact",
            {
                **contact,
                "id": "c-acme",
                "kind": "company",
                "company_name": "Acme Widgets",
                "display_name": "Acme Widgets",
                "sort_key": "acme widgets",
            },
        ),
        (
            "contact",
            {
                **contact,
                "id": "c-zoe",
                "first_name": "Zoé",
                "last_name": "Łęcka",
                "display_name": "Zoé Łęcka",
                "sort_key": "lecka zoe",
                "company_id": "c-acme",
                "owner_id": "u1",
            },
        ),
        (
            "contact_phone",
            {
                "id": "p1",
                "contact_id": "c-zoe",
                "label": "mobile",
                "raw": "06 12 34 56 78",
                "e164": "+33612345678",
                "digits": "612345678",
                "digits_rev": "876543216",
                "search_digits": "612345678 33612345678 0612345678",
                "valid": 1,
                "position": 0,
            },
        ),
        (
            "contact_email",
            {
                "id": "e1",
                "contact_id": "c-zoe",
                "label": "work",
                "address": "zl@acme.example",
                "position": 0,
            },
        ),
        ("tag", {**versioned, "id": "t1", "name": "prospect"}),
        ("contact_tag", {"contact_id": "c-zoe", "tag_id": "t1"}),
        (
            "activity",
            {
                **versioned,
                "id": "a1",
                "type": "call",
                "starts_at": now,
                "subject": "Rappel devis",
                "details": "",
                "status": "done",
                "private": 0,
                "contact_id": "c-zoe",
            },
        ),
    ]
    with raw_sql(path) as conn:
        for table, row in rows:
            columns = ", ".join(row)
            marks = ", ".join(f":{c}" for c in row)
            conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row)


@pytest.mark.parametrize("revision", revisions_oldest_first()[:-1])
def test_upgrade_from_each_earlier_revision_keeps_data(store_path: Path, revision: str) -> None:
    migrate.upgrade(store_path, revision)
    insert_0001_rows(store_path)
    with open_store(store_path) as store:
        with store.read() as session:
            version = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            zoe = session.get(Contact, "c-zoe")
            phone = session.exec(select(ContactPhone)).one()
            for query in ("zoe", "lecka", "Łęcka", "acme", "prospect", "zl@acme", "06 12", "5678"):
                hits = {row.id for row in search_contacts(connection_of(session), query).rows}
                assert "c-zoe" in hits, query
            activities = session.execute(
                text(
                    "SELECT s.activity_id FROM activity_fts JOIN activity_search s "
                    "ON s.rowid = activity_fts.rowid WHERE activity_fts MATCH :m"
                ),
                {"m": fts_query("devis")},
            ).all()
        assert version == migrate.head_revision()
        assert zoe is not None and zoe.display_name == "Zoé Łęcka"
        assert zoe.company_id == "c-acme"
        assert phone.e164 == "+33612345678"
        assert [a[0] for a in activities] == ["a1"]
        # and the upgraded store keeps working: triggers fire on new writes
        store.mutate("contact.update", {"id": "c-zoe", "last_name": "Nowak"})
        with store.read() as session:
            assert {r.id for r in search_contacts(connection_of(session), "nowak").rows} == {
                "c-zoe"
            }
    assert schema_differences(store_path) == []


def make_newer_store(path: Path) -> None:
    open_store(path).close()
    with raw_sql(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")


def test_newer_store_is_refused_untouched(store_path: Path) -> None:
    make_newer_store(store_path)
    before, files = digest(store_path), siblings(store_path)
    assert files == {store_path.name}
    with pytest.raises(StoreError, match=r"newer crmtui.*9999_from_the_future"):
        open_store(store_path)
    assert digest(store_path) == before
    assert siblings(store_path) == files  # no -wal or -shm left behind


def test_newer_store_is_refused_even_without_create(store_path: Path) -> None:
    make_newer_store(store_path)
    before = digest(store_path)
    with pytest.raises(StoreError, match="newer"):
        open_store(store_path, create=False)
    assert digest(store_path) == before


@pytest.mark.parametrize(
    "content",
    [b"name,phone\nZoe,0612345678\n", b"\x00" * 4096, b"SQLite format 2\x00" + b"\x01" * 100],
    ids=["csv", "zeros", "almost-sqlite"],
)
def test_non_sqlite_file_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "contacts.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a crmtui store") as caught:
        open_store(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content
    assert siblings(path) == {"contacts.db"}


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_applications_sqlite_is_refused_untouched(tmp_path: Path, journal: str) -> None:
    path = tmp_path / "places.sqlite"
    with raw_sql(path) as conn:
        conn.execute(f"PRAGMA journal_mode={journal}")
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    before = digest(path)
    with pytest.raises(StoreError, match="not a crmtui store"):
        open_store(path)
    assert digest(path) == before
    assert siblings(path) == {"places.sqlite"}


def test_missing_store_without_create_errors(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "crm.db"
    with pytest.raises(StoreError, match="does not exist"):
        open_store(path, create=False)
    assert not path.exists()
    assert not path.parent.exists()


def test_reopening_a_current_store_keeps_its_identity(store_path: Path) -> None:
    with open_store(store_path) as store, store.read() as session:
        first = store.context(session).user_id
    with open_store(store_path, create=False) as store, store.read() as session:
        assert store.context(session).user_id == first
