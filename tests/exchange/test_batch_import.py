"""The batch importer (one ``contact.import_batch`` per batch) against the
row-by-row one: the same decisions, the same store, the same search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from crmtui.exchange.contact_batch import BatchPlanner
from crmtui.exchange.contact_import import ContactImporter
from crmtui.exchange.csv_import import import_opened, open_contacts
from crmtui.exchange.importer import Summary
from crmtui.store import Store
from crmtui.store.queries.contacts import search_contacts

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
            assert name in {r.display_name for r in search_contacts(s, query).rows}, query
        assert s.execute(text("SELECT count(*) FROM contact_search_hold")).scalar() == 0
    # the triggers work again for ordinary edits
    store.mutate("contact.create", {"id": "c-new", "last_name": "Brandnew"})
    with store.read() as s:
        assert [r.id for r in search_contacts(s, "brandnew").rows] == ["c-new"]


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
