"""Two laptops numbering invoices offline, then replayed on the server.

Automatic numbers are proposals: the server keeps a free one and renumbers a
taken one; a number typed by hand is never changed, so a clash is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from crmtui.store import Store, open_store
from crmtui.store.models import Invoice, OutboxEntry
from crmtui.store.mutations import MutationError, run_in


def outbox(store: Store, after: int = 0) -> list[tuple[str, dict[str, Any]]]:
    with store.read() as session:
        rows = session.exec(
            select(OutboxEntry)
            .where(col(OutboxEntry.mutation_id) > after)
            .order_by(col(OutboxEntry.mutation_id))
        ).all()
        return [(r.name, dict(r.args)) for r in rows]


def replay(target: Store, batch: list[tuple[str, dict[str, Any]]]) -> None:
    with target.write() as session:
        ctx = target.context(session)
        for name, args in batch:
            run_in(session, ctx, name, args)


def last_id(store: Store) -> int:
    with store.read() as session:
        return max((r.mutation_id for r in session.exec(select(OutboxEntry))), default=0)


def numbers(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {i.id: i.number for i in session.exec(select(Invoice))}


@pytest.fixture
def replicas(tmp_path: Path) -> tuple[Store, Store, Store]:
    """Laptop A, laptop B and the server, sharing one client from A."""
    open_store(tmp_path / "a.db").close()
    for name in ("b.db", "server.db"):
        shutil.copy(tmp_path / "a.db", tmp_path / name)
    a, b, server = (open_store(tmp_path / n) for n in ("a.db", "b.db", "server.db"))
    a.mutate("contact.create", {"id": "c-1", "kind": "company", "company_name": "Acme"})
    for other in (b, server):
        replay(other, outbox(a))
    yield a, b, server
    for s in (a, b, server):
        s.close()


def test_automatic_numbers_are_settled_by_the_server(replicas: tuple[Store, Store, Store]) -> None:
    a, b, server = replicas
    start_a, start_b = last_id(a), last_id(b)
    from_a = a.mutate("invoice.create", {"client_id": "c-1"})
    from_b = b.mutate("invoice.create", {"client_id": "c-1"})
    assert numbers(a)[from_a] == numbers(b)[from_b] == "INV0000001"
    replay(server, outbox(a, start_a))
    replay(server, outbox(b, start_b))
    assert numbers(server) == {from_a: "INV0000001", from_b: "INV0000002"}
    assert server.mutate("invoice.create", {"client_id": "c-1"}) in numbers(server)
    assert sorted(numbers(server).values())[-1] == "INV0000003"


def test_a_typed_number_that_clashes_is_refused_at_replay(
    replicas: tuple[Store, Store, Store],
) -> None:
    a, b, server = replicas
    start_a, start_b = last_id(a), last_id(b)
    a.mutate("invoice.create", {"client_id": "c-1", "number": "2026-001"})
    b.mutate("invoice.create", {"client_id": "c-1", "number": "2026-001"})
    replay(server, outbox(a, start_a))
    with pytest.raises(MutationError, match="2026-001 already exists"):
        replay(server, outbox(b, start_b))
    assert sorted(numbers(server).values()) == ["2026-001"]
