"""Loading many records at once, as base state (like a sync pull), not as edits.

``crmtui demo`` and the store benchmark write a million contacts; one
``Store.mutate()`` per record would take hours, so :class:`BulkLoad` writes
plain rows with ``executemany`` inside one transaction. The rows are the ones
the mutations would have written: phones come from
:func:`~crmtui.store.mutations.contacts.phone_row`, names from ``display_name``
/ ``sort_key``, child ids from ``child_id`` and values are encoded as the
columns' own SQLAlchemy types encode them (see :mod:`crmtui.store.bulk_rows`).
Nothing goes to the outbox: this is state the store starts from, not local
changes waiting to be pushed.

Search is kept right without the per-row triggers of migration 0002, which
recompute a contact's search document once per phone, e-mail and tag. In the
load transaction the search triggers are saved from ``sqlite_master`` and
dropped, the rows are inserted, each new record's search row is computed once,
set-wise, and the triggers are re-created from the saved SQL. All of it is one
transaction, so a crash leaves the store as it was.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection
from sqlmodel import Session

from .bulk_rows import PhoneRows, contact_names
from .db import Store
from .table_specs import PHONE, TableSpec

__all__ = ["PHONE", "BulkLoad", "PhoneRows", "TableSpec", "contact_names"]

BATCH = 20_000
Progress = Callable[[str, int], None]  # (table, rows just written)

# Triggers that keep contact_search / activity_search (and their FTS tables) in
# step, row by row. Those are exactly what finish() redoes set-wise.
SEARCH_TRIGGERS = (
    "contact_search_on_*",
    "contact_phone_search_*",
    "contact_email_search_*",
    "contact_tag_search_*",
    "tag_search_on_rename",
    "activity_search_on_*",
    "contact_search_a[idu]",
    "activity_search_a[idu]",
)

# The contact's search document is defined once, in this trigger's UPDATE
# (migration 0002); the loader runs that very statement for all new rows.
_DOC_UPDATE = re.compile(
    r"UPDATE contact_search SET \(name, company, emails, phones, tags\) = .*?"
    r"WHERE contact_id = new\.id;",
    re.DOTALL,
)


@contextmanager
def _merged_once(raw: sqlite3.Connection, fts: str) -> Iterator[None]:
    """Fill ``fts`` without its merges along the way, then merge it once.

    FTS5 writes a segment per megabyte of new terms and, by default, merges
    segments four at a time as they pile up, so a million documents are
    rewritten level after level. Holding that off and merging everything once
    at the end ("optimize") writes each entry far fewer times and leaves one
    segment, the fastest to search. The default (4) is put back after.
    """
    raw.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', 0)")
    yield
    raw.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
    raw.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('automerge', 4)")


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


class BulkLoad:
    """One transaction that writes rows fast and leaves search consistent.

    Use as a context manager on an open store. ``session`` is a SQLModel
    session in the same transaction, for the few reference rows worth writing
    through the ORM or a mutation's :func:`~crmtui.store.mutations.apply`.
    On leaving without error the search rows of every new contact and activity
    are built and the transaction commits; on an error it rolls back.

    ``defer_indexes`` names indexes whose keys will arrive in random order
    (names, numbers): they are dropped and rebuilt at the end, inside the same
    transaction, since one sort is much faster than a million random B-tree
    inserts. Indexes whose keys arrive in order (a new contact's id, a handful
    of users) are cheaper kept. Names the store does not have are ignored.

    When no one else has the file open, the load also runs with a
    rollback journal instead of the WAL, so that each page is written once
    rather than to the WAL and then again by the checkpoint.
    """

    def __init__(
        self, store: Store, progress: Progress | None = None, defer_indexes: Sequence[str] = ()
    ) -> None:
        self.store = store
        self.progress = progress
        self.defer_indexes = tuple(defer_indexes)
        self._conn: Connection | None = None
        self._triggers: list[tuple[str, str]] = []
        self._indexes: list[tuple[str, str]] = []
        self._before: dict[str, int] = {}
        self._journal = ""
        self.session: Session
        self.cpu: dict[str, float] = {}  # CPU seconds this process spent, by table or step

    def __enter__(self) -> BulkLoad:
        self.store.engine.dispose()  # our own idle readers would keep the WAL in use
        self._conn = self.store.write_engine.connect()
        self.raw = cast(sqlite3.Connection, self._conn.connection.driver_connection)
        self._journal = self.raw.execute("PRAGMA journal_mode").fetchone()[0]
        if self._journal == "wal":
            # Refused (stays "wal") while another connection has the file open.
            self.raw.execute("PRAGMA journal_mode=DELETE")
        self._txn = self._conn.begin()  # BEGIN IMMEDIATE: no other writer meanwhile
        self.session = Session(bind=self._conn)
        try:
            self.raw.execute("PRAGMA cache_size=-1048576")  # 1 GiB: indexes grow at random
            self._before = {t: self._max_rowid(t) for t in ("contact", "activity")}
            self._drop_search_triggers()
            self._drop_indexes()
        except BaseException as exc:
            self.__exit__(type(exc))  # roll back, restore the connection
            raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        assert self._conn is not None
        try:
            if exc_type is None:
                self.session.flush()
                self._finish()
                started = time.process_time()
                self._txn.commit()
                self._spent("commit", started)
            else:
                self._txn.rollback()
        finally:
            self.session.close()
            self.raw.execute("PRAGMA cache_size=-65536")
            if self._journal == "wal":
                self.raw.execute("PRAGMA journal_mode=WAL")
            self._conn.close()

    def _max_rowid(self, table: str) -> int:
        return int(self.raw.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}").fetchone()[0])

    def insert(
        self, spec: TableSpec, rows: Iterable[Sequence[Any]], *, encoded: bool = False
    ) -> int:
        """Write ``rows`` (values in ``spec.columns`` order); returns how many.

        ``encoded`` rows were already passed through ``spec.encoder()`` (by a
        worker process, say) and go to SQLite as they are.
        """
        self.session.flush()  # ORM rows first: bulk rows may refer to them
        encode = spec.encoder()
        prepared = rows if encoded else (encode(r) for r in rows)
        total = 0
        for batch in _batches(cast(Iterable[tuple[Any, ...]], prepared), BATCH):
            started = time.process_time()
            self.raw.executemany(spec.sql, batch)
            self._spent(spec.table, started)
            total += len(batch)
            if self.progress:
                self.progress(spec.table, len(batch))
        return total

    def _spent(self, what: str, started: float) -> float:
        """Add the CPU seconds since ``started`` to ``what``; returns now, to chain."""
        now = time.process_time()
        self.cpu[what] = self.cpu.get(what, 0.0) + now - started
        return now

    def _drop_search_triggers(self) -> None:
        where = " OR ".join("name GLOB ?" for _ in SEARCH_TRIGGERS) or "0"
        self._triggers = self.raw.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND ({where}) "
            "ORDER BY rowid",
            SEARCH_TRIGGERS,
        ).fetchall()
        for name, _sql in self._triggers:
            self.raw.execute(f'DROP TRIGGER "{name}"')

    def _drop_indexes(self) -> None:
        if not self.defer_indexes:
            return
        marks = ", ".join("?" * len(self.defer_indexes))
        # sql is NULL for the indexes behind PRIMARY KEY / UNIQUE: those stay.
        self._indexes = self.raw.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND name IN ({marks}) ORDER BY rowid",
            self.defer_indexes,
        ).fetchall()
        for name, _sql in self._indexes:
            self.raw.execute(f'DROP INDEX "{name}"')

    def _finish(self) -> None:
        """Rebuild deferred indexes, index the new contacts and activities once
        each for search, then restore the triggers."""
        self.session.flush()
        if self.progress:
            self.progress("indexes", 0)
        started = time.process_time()
        # Sorting the keys of a rebuilt index is what takes time; SQLite's sorter
        # can share it out to helper threads (off by default).
        self.raw.execute(f"PRAGMA threads={min(4, os.cpu_count() or 1)}")
        for _name, sql in self._indexes:
            self.raw.execute(sql)
        self.raw.execute("PRAGMA threads=0")
        self._spent("indexes", started)
        if self.progress:
            self.progress("search", 0)
        saved = dict(self._triggers)
        if "contact_search_on_insert" in saved:
            self._index_contacts(saved["contact_search_on_insert"])
        started = time.process_time()
        if "activity_search_on_insert" in saved:
            self._index_activities()
        self._spent("activity search", started)
        for _name, sql in self._triggers:
            self.raw.execute(sql)

    def _index_contacts(self, trigger_sql: str) -> None:
        found = _DOC_UPDATE.search(trigger_sql)
        if found is None:
            raise RuntimeError("contact_search_on_insert changed shape; update bulk.py to match")
        lo = self._max_rowid("contact_search")
        started = time.process_time()
        self.raw.execute(
            "INSERT INTO contact_search(contact_id) SELECT id FROM contact WHERE rowid > ? "
            "ORDER BY rowid",
            (self._before["contact"],),
        )
        started = self._spent("search rows", started)
        # The trigger's own UPDATE, for every new row instead of one: the same
        # rewrite migration 0002 uses to index contacts that predate it.
        update = found.group(0).replace("new.id", "contact_search.contact_id")
        update = update.replace(
            "WHERE contact_id = contact_search.contact_id;", "WHERE contact_search.rowid > ?"
        )
        self.raw.execute(update, (lo,))
        started = self._spent("search documents", started)
        with _merged_once(self.raw, "contact_fts"):
            self.raw.execute(
                "INSERT INTO contact_fts(rowid, name, company, emails, phones, tags) "
                "SELECT rowid, name, company, emails, phones, tags FROM contact_search "
                "WHERE rowid > ? ORDER BY rowid",
                (lo,),
            )
        self._spent("search FTS", started)

    def _index_activities(self) -> None:
        lo = self._max_rowid("activity_search")
        self.raw.execute(
            "INSERT INTO activity_search(activity_id, subject, details) "
            "SELECT id, subject, details FROM activity WHERE rowid > ? ORDER BY rowid",
            (self._before["activity"],),
        )
        with _merged_once(self.raw, "activity_fts"):
            self.raw.execute(
                "INSERT INTO activity_fts(rowid, subject, details) "
                "SELECT rowid, subject, details FROM activity_search WHERE rowid > ? "
                "ORDER BY rowid",
                (lo,),
            )
