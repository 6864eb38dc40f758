"""The import loop every kind of record shares: batches, rejects, dry runs.

Records are applied in batches, one write transaction each, every record
inside its own SAVEPOINT: a record that fails is rolled back alone and
reported, the others of the batch land together. A crash loses at most the
batch in flight, never half a record, and because imported ids are derived
from the file (or come from it), running the same file again finds every
record already there and changes nothing.

A handler that can plan a whole batch (contacts: see ``contact_batch``)
rejects bad records itself and writes the rest with one mutation; should the
store refuse that mutation, the batch is rolled back and applied again record
by record, as above.

A dry run does the very same work in one transaction and rolls it back, so
what it reports (duplicates found among the file's own rows included) is
exactly what the real run would do.
"""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import IO, cast

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..store.db import Store
from ..store.gc_pause import few_collections
from ..store.mutations import Context, MutationError
from ..store.mutations.args import uuid5_text
from .contact_data import RowRejected
from .source import Record

_IMPORT_NS = uuid.UUID("6d1c7f0e-2f5b-4c39-8a8e-3e2b1f0a9d47").bytes
TICK = 50  # records between progress reports
KEEP = 1000  # messages kept for the summary; the rejects file holds every row
ACTIONS = ("created", "updated", "unchanged", "skipped", "rejected")


def imported_id(digest: str, line: int, kind: str = "contact") -> str:
    """The id of the record imported from ``line`` of the file with ``digest``.

    A UUID (version 8, RFC 9562) whose first 76 bits name the file and the kind
    of record and whose last 48 bits are the line: the same on every run, and
    consecutive within a file. Consecutive matters: a million random ids land
    on random pages of every index keyed by a contact id (the contact's own,
    its phones', e-mails', search row's...), which on a large store made each
    imported row rewrite a dozen pages; in line order they are appended.
    """
    if not 0 <= line < 1 << 48:
        raise ValueError(f"line {line} out of range")
    return f"{_file_prefix(digest, kind)}{line:012x}"


@lru_cache(maxsize=64)
def _file_prefix(digest: str, kind: str) -> str:
    h = uuid5_text(_IMPORT_NS, f"{digest}:{kind}").replace("-", "")
    return f"{h[:8]}-{h[8:12]}-8{h[13:16]}-{h[16:20]}-"  # the variant bits stay uuid5's


@dataclass
class Outcome:
    action: str  # one of ACTIONS
    record_id: str | None = None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # side records, e.g. "company created"


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    extra: Counter[str] = field(default_factory=Counter)  # e.g. companies created
    warned: int = 0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# A handler applies one record and says what happened.
Handler = Callable[[Session, Context, Record], Outcome]
Progress = Callable[[Summary], None]


class BatchRefused(Exception):
    """The store refused a batch planned as a whole after writing part of it."""


class RejectsFile:
    """The rejected rows, each with its line number and the reason, then the
    row itself as it was read, so it can be fixed and imported again."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self._fh: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(["line", "reason", *header])

    def add(self, record: Record, reason: str) -> None:
        self._writer.writerow([record.line, reason, *record.raw])

    def close(self) -> None:
        self._fh.close()


@contextmanager
def _transaction(store: Store, *, commit: bool) -> Iterator[Session]:
    with Session(store.write_engine) as session:
        tx = session.begin()
        try:
            yield session
        except BaseException:
            tx.rollback()
            raise
        if commit:
            tx.commit()
        else:
            tx.rollback()


@contextmanager
def _dry_run(store: Store) -> Iterator[Session]:
    """One transaction for a whole dry run, its batches in SAVEPOINTs.

    Inside a SAVEPOINT every statement (each row of an executemany) opens and
    closes a statement savepoint nested in the batch's. With the journal of
    those savepoints in memory (temp_store=MEMORY, the store's setting) that
    cost grew with the batch's journal: an import of 200,000 rows done this
    way had not finished after 20 minutes, stuck in sqlite3PagerSavepoint.
    With it in a temporary file (temp_store=FILE, set before BEGIN, which is
    when SQLite chooses) 50,000 rows in one transaction cost what they cost in
    batches.
    """
    with store.write_engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA temp_store=FILE")
        try:
            with Session(bind=conn) as session:
                tx = session.begin()
                try:
                    yield session
                finally:
                    tx.rollback()
        finally:
            raw.execute("PRAGMA temp_store=MEMORY")


def _apply(session: Session, ctx: Context, record: Record, handler: Handler) -> Outcome:
    if record.error:
        return Outcome("rejected", reason=record.error)
    try:
        with session.begin_nested():
            return handler(session, ctx, record)
    except (MutationError, RowRejected) as exc:
        return Outcome("rejected", reason=str(exc))
    except ValidationError as exc:
        return Outcome("rejected", reason="; ".join(e["msg"] for e in exc.errors()))
    except IntegrityError as exc:
        return Outcome("rejected", reason=f"refused by the store ({exc.orig})")


def _planned(
    session: Session, ctx: Context, records: list[Record], handler: Handler, nested: bool
) -> list[Outcome] | None:
    """The outcomes of a handler that plans a whole batch at once (contacts: it
    has a ``batch`` method), or None to go record by record. A refused batch
    propagates (the caller retries it in a new transaction) unless ``nested``:
    then it runs in a SAVEPOINT, which costs some speed, so only dry runs,
    whose one transaction cannot be retried, use it."""
    planned = getattr(handler, "batch", None)
    if planned is None:
        return None
    if not nested:
        return cast(list[Outcome] | None, planned(session, ctx, records))
    try:
        with session.begin_nested():
            return cast(list[Outcome] | None, planned(session, ctx, records))
    except BatchRefused:
        return None


def _batch(
    session: Session,
    ctx: Context,
    records: list[Record],
    handler: Handler,
    summary: Summary,
    rejects: RejectsFile | None,
    progress: Progress | None,
    *,
    whole: bool = True,
    nested: bool = False,
) -> None:
    outcomes = _planned(session, ctx, records, handler, nested) if whole else None
    for at, record in enumerate(records):
        outcome = outcomes[at] if outcomes is not None else _apply(session, ctx, record, handler)
        summary.counts[outcome.action] += 1
        summary.warned += len(outcome.warnings)
        if len(summary.warnings) < KEEP:
            summary.warnings.extend((record.line, w) for w in outcome.warnings)
        summary.extra.update(outcome.also)
        if outcome.action == "rejected":
            if len(summary.rejected) < KEEP:
                summary.rejected.append((record.line, outcome.reason))
            if rejects is not None:
                rejects.add(record, outcome.reason)
        if progress and summary.rows % TICK == 0:
            progress(summary)
    session.expunge_all()  # everything is flushed; keep memory flat


def run_import(
    store: Store,
    records: Iterable[Record],
    handler: Handler,
    *,
    dry_run: bool = False,
    batch_size: int = 200,
    rejects: RejectsFile | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Apply ``handler`` to every record; returns what happened to each kind."""
    with few_collections():
        return _run(store, records, handler, dry_run, batch_size, rejects, progress)


def _run(
    store: Store,
    records: Iterable[Record],
    handler: Handler,
    dry_run: bool,
    batch_size: int,
    rejects: RejectsFile | None,
    progress: Progress | None,
) -> Summary:
    summary = Summary()
    batches = _batches(records, batch_size)
    if dry_run:
        with _dry_run(store) as session:
            ctx = store.context(session)
            for batch in batches:
                _batch(session, ctx, batch, handler, summary, rejects, progress, nested=True)
        if progress:
            progress(summary)
        return summary
    for batch in batches:
        try:
            with _transaction(store, commit=True) as session:
                _batch(session, store.context(session), batch, handler, summary, rejects, progress)
        except BatchRefused:
            with _transaction(store, commit=True) as session:
                ctx = store.context(session)
                _batch(session, ctx, batch, handler, summary, rejects, progress, whole=False)
    if progress:
        progress(summary)
    return summary


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch
