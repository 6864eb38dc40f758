"""The sync schema: migrations on both databases, the record map, change tracking."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
from alembic import command
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from crmtui.store import migrate
from crmtui.store.models import Contact, SyncChange, utcnow
from crmtui.sync import accounts, push, schema
from crmtui.sync.protocol import MutationIn, PushRequest
from crmtui.sync.serverdb import Database

from .server import migrated_copy


def test_one_head_and_the_sync_migration_goes_both_ways(tmp_path: Path, pg_url: str) -> None:
    heads = migrate._script().get_heads()
    assert len(heads) == 1, f"several Alembic heads: {heads}"
    name = f"crmtui_sync_mig_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    pg = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        for url in (f"sqlite:///{tmp_path / 's.db'}", pg):
            cfg = migrate.config(url)
            command.upgrade(cfg, "0004_sync")
            command.downgrade(cfg, "0003_calls")
            command.upgrade(cfg, "head")
            db = Database(url)
            with db.write() as session:  # the clock row is back, so changes can tick
                assert accounts.add_user(session, "after-roundtrip", "user")[1]
            db.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_records_group_their_child_rows() -> None:
    roots = schema.roots()
    assert {"contact", "activity", "opportunity", "setting", "follow"} <= set(roots)
    contact_children = {c.table.name for c in roots["contact"].children}
    assert {"contact_phone", "contact_tag", "custom_value"} <= contact_children
    assert "custom_value" in {c.table.name for c in roots["opportunity"].children}
    assert not any(name.startswith(("_", "sync_")) for name in roots)


def test_changes_a_mutation_makes_indirectly_are_versioned(tmp_path: Path) -> None:
    """Deleting a company nulls its people's company_id in bulk: they change too."""
    db = Database(f"sqlite:///{migrated_copy(tmp_path / 's.db')}")
    with db.write() as session:
        _user_id, token = accounts.add_user(session, "ada", "admin")
        viewer = accounts.authenticate(session, token)
    assert viewer is not None
    company = {"id": "co-1", "kind": "company", "company_name": "Acme"}
    person = {
        "id": "pe-1",
        "first_name": "Zoé",
        "company_id": "co-1",
        "phones": [{"raw": "+33 6 12 34 56 78"}],
    }
    batches = [
        [("contact.create", company), ("contact.create", person)],
        [("contact.delete", {"id": "co-1"})],
    ]
    mutation_id = 0
    for batch in batches:
        mutations = []
        for name, args in batch:
            mutation_id += 1
            mutations.append(MutationIn(id=mutation_id, name=name, args=args))
        with db.write() as session:
            answer, _seq = push.push(
                session, viewer, PushRequest(client_id="c", mutations=mutations), utcnow()
            )
        assert [r.status for r in answer.results] == ["applied"] * len(batch)
    with db.snapshot() as session:
        zoe = session.get(Contact, "pe-1")
        assert zoe is not None and zoe.company_id is None and zoe.version == 2
        log = [
            (c.mutation_id, c.tbl, c.row_id, c.op, c.version, c.fields)
            for c in session.exec(
                select(SyncChange)
                .where(col(SyncChange.client_id) == "c")
                .order_by(col(SyncChange.id))
            )
        ]
    assert (3, "contact", "co-1", "del", 2, []) in log
    assert (3, "contact", "pe-1", "put", 2, ["company_id"]) in log
    assert any(c[:5] == (2, "contact", "pe-1", "put", 1) for c in log)  # created at 1
    db.dispose()
