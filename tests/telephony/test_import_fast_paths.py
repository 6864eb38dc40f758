"""The import's fast paths write exactly what the plain ones do: the phone map
against the indexed lookups, multi-row inserts, foreign keys checked on write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crmtui.store import Store, open_store
from crmtui.store.mutations import MutationError, call_rows
from crmtui.telephony import processing
from crmtui.telephony.events import CallEvent
from crmtui.telephony.phone_map import PhoneMap
from crmtui.telephony.processing import CallProcessor

from .helpers import contact, event, rows

CALLERS = (
    "06 12 34 56 78",  # one contact, exact
    "0033612345678",
    "+48 512 345 678",  # two contacts share it: the oldest, flagged ambiguous
    "512 345 679",  # the default region
    "+33 6 99 88 77 66",  # unknown: one new contact, across batches
    "06 99 88 77 66",
    "anonymous",
    "201",
)


def _people(store: Store) -> None:
    contact(store, "Martin", "06 12 34 56 78")
    contact(store, "Nowak", "+48 512 345 678")
    contact(store, "Kowalski", "+48 512 345 678")
    contact(store, "Bez Kraju", "512 345 679")


def _events() -> list[CallEvent]:
    return [event(f"k{i}", CALLERS[i % len(CALLERS)], minutes=i) for i in range(40)]


def _calls(store: Store) -> list[tuple[Any, ...]]:
    return rows(
        store,
        "SELECT c.source_call_id, c.status, c.remote_e164, ct.display_name, ct.origin "
        "FROM call c LEFT JOIN contact ct ON ct.id = c.contact_id ORDER BY c.source_call_id",
    )


def _import(tmp_path: Path, name: str, ratio: int, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(processing, "MAP_RATIO", ratio)
    store = open_store(tmp_path / name)
    _people(store)
    CallProcessor(store, region="FR", batch_size=3).run(_events())
    return store


def test_the_phone_map_matches_as_the_indexed_lookups_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[PhoneMap] = []
    monkeypatch.setattr(processing, "PhoneMap", lambda s: built.append(PhoneMap(s)) or built[-1])
    indexed = _import(tmp_path, "indexed.db", 0, monkeypatch)
    assert built == []
    mapped = _import(tmp_path, "mapped.db", 10**9, monkeypatch)
    assert len(built) == 1
    assert _calls(mapped) == _calls(indexed)
    assert {r[3] for r in _calls(mapped)} >= {"Martin", "Nowak", "Bez Kraju", None}
    created = "SELECT count(*) FROM contact WHERE origin = 'call'"
    assert rows(mapped, created) == rows(indexed, created) == [(1,)]
    for store in (indexed, mapped):
        store.close()


def test_multi_row_inserts_write_every_row_and_every_null(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(call_rows, "ROWS_PER_STATEMENT", 2)
    events = [
        event(f"m{i}", "06 12 34 56 78" if i % 2 else "anonymous", minutes=i) for i in range(5)
    ]
    CallProcessor(store, region="FR", create_contacts=False).run(events)
    assert rows(
        store, "SELECT source_call_id, remote_e164, contact_id IS NULL FROM call ORDER BY 1"
    ) == [
        ("m0", None, 1),
        ("m1", "+33612345678", 1),
        ("m2", None, 1),
        ("m3", "+33612345678", 1),
        ("m4", None, 1),
    ]


def test_a_missing_contact_is_named_and_nothing_is_written(store: Store) -> None:
    call = event("x1", "06 12 34 56 78")
    fields = {
        "id": "call-1",
        "source": call.source,
        "source_call_id": call.source_call_id,
        "started_at": call.started_at,
        "contact_id": "no-such-contact",
    }
    with pytest.raises(MutationError, match="no such contact no-such-contact"):
        store.mutate("call.log", fields)
    assert rows(store, "SELECT count(*) FROM call") == [(0,)]
