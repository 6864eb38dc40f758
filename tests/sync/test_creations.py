"""Plain creations applied set-wise (crmtui/sync/creations.py) leave the server's
database exactly as the one-by-one path does: same rows, search documents,
change log, views and results, on SQLite and on PostgreSQL; a run that a
constraint refuses falls back to the one-by-one path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from crmtui.store.models import utcnow
from crmtui.store.mutations import apply
from crmtui.sync import creations, push
from crmtui.sync.accounts import SERVER
from crmtui.sync.protocol import MutationIn, PushRequest
from crmtui.sync.serverdb import Database, open_database
from crmtui.sync.subset import Viewer

from .server import migrated_copy

NOW = utcnow()
ANN = Viewer(user_id="u-ann")
_ROWS = {
    "contact": "id",
    "contact_phone": "id",
    "contact_email": "id",
    "contact_address": "id",
    "contact_responsible": "contact_id, user_id",
    "sync_touch": "tbl, row_id",
}
_LOG = (
    "SELECT tbl, row_id, version, op, fields, user_id, client_id, mutation_id, at FROM sync_change"
)
_SEARCH = "SELECT contact_id, name, company, emails, phones, tags FROM contact_search"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: Any, tmp_path: Path) -> Iterator[Database]:
    sqlite = request.param == "sqlite"
    url = (
        f"sqlite:///{migrated_copy(tmp_path / 's.db')}"
        if sqlite
        else request.getfixturevalue("pg_db")
    )
    database = open_database(url, run_migrations=False)
    with database.write() as session:
        apply(session, SERVER, "user.create", {"id": ANN.user_id, "name": "ann", "role": "user"})
        apply(session, SERVER, "contact.create", {"id": "taken", "first_name": "Taken"})
    yield database
    database.dispose()


def _creations(rows: list[dict[str, Any]]) -> list[MutationIn]:
    return [MutationIn(id=i, name="contact.create", args=a) for i, a in enumerate(rows, start=1)]


PLAIN = _creations(
    [
        {"id": "c1", "first_name": "Zoé", "last_name": "Martin"},
        {
            "id": "c2",
            "kind": "company",
            "company_name": "Acme",
            "phones": [{"raw": "01 23 45 67 89"}, {"raw": "+33 6 12 34 56 78", "label": "mobile"}],
            "emails": [{"address": "Hello@Acme.example"}],
            "addresses": [{"street": "1 rue de la Paix", "city": "Paris", "country": "FR"}],
            "social": {"x": "@acme"},
            "access": "private",
        },
        {"id": "c3", "first_name": "Tagged", "tags": ["vip"]},  # not plain: one by one
        {"id": "c4", "last_name": "Last", "origin": "import", "responsible_ids": ["u-ann"]},
        {"id": "c5", "kind": "person"},  # no name: refused
        {"id": "c6", "first_name": "After", "company_id": "c2"},  # not plain
        {"id": "c7", "first_name": "Seventh"},
    ]
)
# A constraint refuses the second (its id exists), so the run goes one by one.
REFUSED = _creations(
    [
        {"id": "d1", "first_name": "First"},
        {"id": "taken", "first_name": "Again"},
        {"id": "d3", "first_name": "Third", "responsible_ids": ["nobody"]},
        {"id": "d4", "first_name": "Fourth"},
    ]
)


def _state(conn: Connection, pg: bool) -> dict[str, Any]:
    found = {
        t: conn.execute(text(f"SELECT * FROM {t} ORDER BY {k}")).all() for t, k in _ROWS.items()
    }
    found["log"] = conn.execute(text(f"{_LOG} ORDER BY id")).all()
    if not pg:  # the search index the triggers keep
        found["search"] = conn.execute(text(f"{_SEARCH} ORDER BY contact_id")).all()
    return found


def _begun(session: Session, mutations: list[MutationIn]) -> push.Start:
    """What gate.py reads: the ids of the creations are free unless one is taken."""
    ids = frozenset(str(m.args["id"]) for m in mutations)
    return replace(push.start(session, ANN, "laptop", NOW), fresh=frozenset(ids - {"taken"}))


def _pushed(db: Database, mutations: list[MutationIn]) -> tuple[list[Any], dict[str, Any]]:
    """Results and database after the push, rolled back afterwards."""
    req = PushRequest(client_id="laptop", mutations=mutations, viewed=[("contact", "taken")])
    with Session(db.snapshot_engine) as session:
        answer, _ = push.push(session, ANN, req, NOW, _begun(session, mutations))
        session.flush()
        state = _state(session.connection(), db.is_pg)
        session.rollback()
    return [(r.id, r.status, r.reason) for r in answer.results], state


@pytest.mark.parametrize("mutations", [PLAIN, REFUSED], ids=["plain", "refused"])
def test_setwise_creations_equal_one_by_one(
    db: Database, mutations: list[MutationIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[tuple[bool, bool]] = []  # (under a savepoint, written)
    write = creations.Creations.write

    def spy(self: creations.Creations, conn: Connection, *, guarded: bool = True) -> bool:
        written.append((guarded, write(self, conn, guarded=guarded)))
        return written[-1][1]

    monkeypatch.setattr(creations.Creations, "write", spy)
    setwise = _pushed(db, mutations)
    monkeypatch.setattr(creations, "plain", lambda m: None)
    one_by_one = _pushed(db, mutations)
    assert setwise == one_by_one
    # The first run of PLAIN goes without a savepoint (its ids free), later ones with.
    runs = [(False, True), (True, True), (True, True)]
    assert written == (runs if mutations is PLAIN else [(True, False)])
    statuses = [status for _, status, _ in setwise[0]]
    if mutations is PLAIN:
        assert statuses == ["applied"] * 4 + ["rejected", "applied", "applied"]
        logged = [row.row_id for row in setwise[1]["log"] if row.tbl == "contact"]
        assert logged == ["c1", "c2", "c3", "c4", "c6", "c7"]
        assert len(setwise[1]["contact_phone"]) == 2
    else:
        assert statuses == ["applied", "rejected", "rejected", "applied"]


def test_a_first_run_without_savepoint_raises_if_a_constraint_refuses_it(db: Database) -> None:
    """Only a concurrent push can make an id gate.py found free taken: the
    push raises, its transaction is rolled back and the server runs it again."""
    req = PushRequest(client_id="laptop", mutations=REFUSED[:2])
    with Session(db.snapshot_engine) as session:
        lied = replace(push.start(session, ANN, "laptop", NOW), fresh=frozenset({"d1", "taken"}))
        with pytest.raises(IntegrityError):
            push.push(session, ANN, req, NOW, lied)
