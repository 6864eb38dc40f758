"""The threaded page reader gives exactly the lines a plain row-by-row read gives."""

from __future__ import annotations

from collections.abc import Generator
from typing import cast

import pytest

from crmtui.exchange import contact_pages
from crmtui.exchange import export_rows as rows
from crmtui.store import Store


def _plain(store: Store) -> list[list[str]]:
    """The lines read row by row, as before the page reader existed."""
    out = []
    with store.read() as session:
        cur = rows._cursor(session)
        for kind in rows.KINDS:
            for r in cur.execute(rows.LINES, (kind, 0, 1_000_000)).fetchall():
                out.append(rows.line(r, rows.addresses(cur, [r[0]] if r[17] else [])))
    return out


def _paged(store: Store) -> list[list[str]]:
    with store.read() as session:
        return list(contact_pages.contact_lines(session))


def _fill(store: Store, odd: str) -> None:
    store.mutate(
        "contact.create",
        {"id": "c-acme", "kind": "company", "company_name": "Acme & Fils", "tags": ["VIP"]},
    )
    for i in range(7):
        store.mutate(
            "contact.create",
            {
                "id": f"c-{i}",
                "first_name": f"Zoé{i}",
                "last_name": "Lefèvre" if i != 3 else f"Le{odd}fèvre",
                "company_id": "c-acme" if i % 2 else None,
                "social": {"linkedin": f"zoé{i}"} if i == 2 else {},
                "description": "  padded\nline " if i == 4 else "",
                "phones": [
                    {"raw": f"06 12 34 56 7{i}"},
                    {"raw": "01 02 03 04 05", "label": "home"},
                ],
                "emails": [{"address": f"z{i}@acme.example"}, {"address": f"zoe{i}@home.example"}],
                "addresses": [{"city": "Lyon"}, {"label": "home", "city": "Nice"}] if i < 3 else [],
                "tags": ["b", "a"] if i == 5 else [],
            },
        )


@pytest.mark.parametrize("odd", ["", "\x1e", "\x1f"])
@pytest.mark.parametrize("page", [2, 1000])
def test_pages_read_as_rows(
    store: Store, odd: str, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A separator inside a value sends its page down the row-by-row path.
    monkeypatch.setattr(contact_pages, "PAGE", page)
    _fill(store, odd)
    paged = _paged(store)
    assert paged == _plain(store)
    assert [line[0] for line in paged] == ["c-acme", *(f"c-{i}" for i in range(7))]
    assert paged[2][15] == "work: 06 12 34 56 71\nhome: 01 02 03 04 05"


def test_reader_error_reaches_the_caller(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(store, "")
    monkeypatch.setattr(contact_pages, "_PAGE_SQL", "SELECT no_such_function()")
    with pytest.raises(Exception, match="no_such_function"):
        _paged(store)


def test_stopping_early_ends_the_reader(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contact_pages, "PAGE", 1)
    _fill(store, "")
    with store.read() as session:
        lines = cast(Generator[list[str], None, None], contact_pages.contact_lines(session))
        assert next(lines)[0] == "c-acme"
        lines.close()  # the reader, blocked on a full queue, must finish
