"""A realistic demo store: French, Polish and British contacts with a year of work.

``build(store, contacts=2000, seed=7)`` fills an empty store. The same seed
on the same day builds the same store (ids included). The data is base state,
like a sync pull, not local changes waiting to be pushed: nothing goes to the
outbox, and everything lands in one transaction (:class:`~crmtui.store.bulk.BulkLoad`).

Volumes: every contact of a store up to 20,000 contacts has a history; past
that, the history covers 20,000 contacts plus one in fifty of the rest.
A sales team works a few thousand contacts a year each; a base of a million is
mostly imported leads nobody has called yet.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from typing import Any

from sqlalchemy import text

from .. import settings
from ..bulk import BulkLoad, PhoneRows
from ..db import Store
from ..invoicing import format_number
from ..mutations import Context, apply
from . import reference
from .calls import Calls
from .chunk import HISTORY, Chunk, Plan
from .history import History
from .invoices import Invoices, PendingInvoice
from .numbers import NumberMaker
from .people import People
from .specs import INVOICE, INVOICE_LINE, ORDER

__all__ = ["DemoError", "build", "worked_share"]

CHUNK = 5_000
# Indexes whose keys the demo writes in random order (names, numbers, e-mail
# addresses): rebuilt once at the end. The others grow in key order (ids are
# time-ordered, a few users and tags) and are cheaper kept.
RANDOM_ORDER_INDEXES = (
    "ix_contact_sort",
    "ix_contact_kind_sort",
    "ix_contact_company_id",
    "ix_contact_phone_digits_rev",
    "ix_contact_phone_e164",
    "ix_contact_email_address",
    "ix_activity_start",
    "ix_call_started",
    "ix_call_remote_started",
)
FULL_HISTORY = 20_000
Progress = Callable[[str, int], None]
ChunkResult = tuple[dict[str, list[tuple[Any, ...]]], list[PendingInvoice]]


class DemoError(Exception):
    """The demo cannot be built here (the store already holds data)."""


def worked_share(contacts: int) -> float:
    """The share of contacts that get a history (see the module doc)."""
    if contacts <= FULL_HISTORY:
        return 1.0
    return (FULL_HISTORY + 0.02 * (contacts - FULL_HISTORY)) / contacts


@dataclass
class _Caches:
    """Per-process memo of normalised number blocks and number blocks to draw from."""

    phones: PhoneRows
    numbers: NumberMaker


_caches: _Caches | None = None


def _init_worker(seed: int, region: str) -> None:
    global _caches
    _caches = _Caches(PhoneRows(region), NumberMaker(str(seed), region))


def make_chunk(plan: Plan, index: int) -> ChunkResult:
    """Every row of chunk ``index``: its contacts, then their history."""
    if _caches is None:
        _init_worker(plan.seed, plan.region)
    assert _caches is not None
    chunk = Chunk(plan, index, _caches.phones, _caches.numbers)
    first = index * plan.chunk_size
    People(chunk).make(first, min(plan.chunk_size, plan.contacts - first))
    history, calls, invoices = History(chunk), Calls(chunk), Invoices(chunk)
    for who in chunk.worked:
        history.make(who)
        calls.make(who)
        invoices.make(who, history.won_deal(who))
    return chunk.rows, invoices.pending


def _chunks(plan: Plan, workers: int) -> Iterator[ChunkResult]:
    """Chunk results in order, made here or by ``workers`` processes."""
    if workers <= 0:
        for index in range(plan.chunks):
            yield make_chunk(plan, index)
        return
    # spawn, not fork: the parent holds an SQLite transaction and maybe a
    # progress-bar thread, neither of which a forked child should inherit.
    with ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(plan.seed, plan.region),
    ) as pool:
        ahead: list[Future[ChunkResult]] = []
        following = 0
        while following < plan.chunks or ahead:
            while following < plan.chunks and len(ahead) < workers * 2:
                ahead.append(pool.submit(make_chunk, plan, following))
                following += 1
            yield ahead.pop(0).result()


def _check_empty(store: Store) -> None:
    with store.read() as session:
        used = session.execute(
            text("SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM category)")
        ).scalar()
    if used:
        raise DemoError(
            f"{store.path} already holds data; build the demo in a new store "
            "(crmtui --db demo.db demo)"
        )


def build(
    store: Store,
    *,
    contacts: int = 2000,
    seed: int = 7,
    now: datetime | None = None,
    region: str = "FR",
    workers: int | None = None,
    progress: Progress | None = None,
    cpu: dict[str, float] | None = None,
) -> dict[str, int]:
    """Fill the empty ``store`` with a demo; returns the row count of each table.

    ``cpu``, if given, receives this process's CPU seconds per table and step
    of the load (:attr:`BulkLoad.cpu`), for the benchmark."""
    _check_empty(store)
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    if workers is None:
        # As many generators as CPUs: the loader here mostly waits on them, and
        # on two CPUs two generators finish sooner than one even though they
        # share a CPU with the loader's inserts.
        workers = min(4, os.cpu_count() or 1) if contacts >= 50_000 else 0
    with BulkLoad(store, progress, defer_indexes=RANDOM_ORDER_INDEXES) as load:
        ref = reference.create(
            load.session,
            random.Random(f"{seed}:reference"),
            now - HISTORY - timedelta(days=1),
            region,
        )
        plan = Plan(seed, contacts, now, region, CHUNK, worked_share(contacts), ref)
        pending: list[PendingInvoice] = []
        lines: list[tuple[Any, ...]] = []
        for rows, invoices in _chunks(plan, workers):
            for table, spec in ORDER.items():
                load.insert(spec, rows[table], encoded=True)
            pending.extend(invoices)
            lines.extend(rows["invoice_line"])
        _write_invoices(load, plan, pending, lines)
    if cpu is not None:
        cpu.update(load.cpu)
    return _counts(store)


def _write_invoices(
    load: BulkLoad, plan: Plan, pending: list[PendingInvoice], lines: list[tuple[Any, ...]]
) -> None:
    """Number the invoices in issue order, as they would have been billed."""
    session = load.session
    prefix = str(settings.get(session, "invoice_prefix"))
    digits = int(settings.get(session, "invoice_digits"))
    counter = int(settings.get(session, "invoice_next_number"))
    encode = INVOICE.encoder()
    numbered = []
    for n, invoice in enumerate(sorted(pending, key=lambda p: (p.issue, p.id))):
        values = list(invoice.values)
        values[INVOICE.columns.index("number")] = format_number(prefix, digits, counter + n)
        numbered.append(encode(values))
    load.insert(INVOICE, numbered, encoded=True)
    load.insert(INVOICE_LINE, lines, encoded=True)
    admin = settings.local_identity(session).user_id
    ctx = Context(user_id=admin, role="admin", region=plan.region, now=plan.now)
    apply(
        session,
        ctx,
        "setting.set",
        {"key": "invoice_next_number", "value": counter + len(numbered)},
    )


def _counts(store: Store) -> dict[str, int]:
    tables = [
        "user_account",
        "category",
        "tag",
        "stage",
        "tax",
        "product",
        "exchange_rate",
        *ORDER,
        "invoice",
        "invoice_line",
        "_outbox",
    ]
    with store.read() as session:
        return {
            t: int(session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
            for t in tables
        }
