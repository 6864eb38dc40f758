"""Loading many records at once, as base state (like a sync pull), not as edits.

``crmtui demo`` and the store benchmark write a million contacts; one
``Store.mutate()`` per record would take hours, so :class:`BulkLoad` writes
plain rows with ``executemany`` inside one transaction. The rows are the ones
the mutations would have written: phones come from
:func:`~crmtui.store.mutations.contacts.phone_row`, names from ``display_name``
/ ``sort_key``, child ids from ``child_id`` and values are encoded by the
columns' own SQLAlchemy types. Nothing goes to the outbox: this is state the
store starts from, not local changes waiting to be pushed.

Search is kept right without the per-row triggers of migration 0002, which
recompute a contact's search document once per phone, e-mail and tag. In the
load transaction the search triggers are saved from ``sqlite_master`` and
dropped, the rows are inserted, each new record's search row is computed once,
set-wise, and the triggers are re-created from the saved SQL. All of it is one
transaction, so a crash leaves the store as it was.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite
from sqlmodel import Session, SQLModel

from .db import Store
from .models import Contact, ContactPhone
from .mutations.args import child_id
from .mutations.contacts import display_name, phone_row, sort_key

BATCH = 20_000
Progress = Callable[[str, int], None]  # (table, rows just written)

# Triggers that keep contact_search / activity_search (and their FTS tables) in
# step, row by row. Those are exactly what finish() redoes set-wise.
SEARCH_TRIGGERS = (
    "contact_search_on_*", "contact_phone_search_*", "contact_email_search_*",
    "contact_tag_search_*", "tag_search_on_rename", "activity_search_on_*",
    "contact_search_a[idu]", "activity_search_a[idu]",
)

# The contact's search document is defined once, in this trigger's UPDATE
# (migration 0002); the loader runs that very statement for all new rows.
_DOC_UPDATE = re.compile(
    r"UPDATE contact_search SET \(name, company, emails, phones, tags\) = .*?"
    r"WHERE contact_id = new\.id;", re.DOTALL)

_DIALECT = sqlite.dialect()


@dataclass(frozen=True)
class TableSpec:
    """How rows of one table are written: its columns, in the order given.

    ``encode`` turns Python values into what SQLAlchemy itself would bind
    (aware datetimes to UTC text, JSON, exact decimals), so a loaded row reads
    back exactly like one a mutation wrote.
    """

    model: type[SQLModel]
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return str(self.model.__table__.name)  # type: ignore[attr-defined]

    @property
    def sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" * len(self.columns))
        return f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})'

    def processors(self) -> list[tuple[int, Callable[[Any], Any]]]:
        table = self.model.__table__  # type: ignore[attr-defined]
        found = []
        for i, name in enumerate(self.columns):
            proc = table.c[name].type._cached_bind_processor(_DIALECT)
            if proc is not None:
                found.append((i, proc))
        return found

    def encoder(self) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
        procs = self.processors()
        width = len(self.columns)

        def encode(row: Sequence[Any]) -> tuple[Any, ...]:
            if len(row) != width:
                raise ValueError(f"{self.table}: {len(row)} values for {width} columns")
            if not procs:
                return tuple(row)
            out = list(row)
            for i, proc in procs:
                out[i] = proc(out[i])
            return tuple(out)

        return encode


PHONE = TableSpec(ContactPhone, ("id", "contact_id", "label", "raw", "e164", "digits",
                                 "digits_rev", "search_digits", "valid", "position"))


def _phone_tuple(p: ContactPhone) -> tuple[Any, ...]:
    return tuple(getattr(p, c) for c in PHONE.columns)


class PhoneRows:
    """:func:`phone_row`, memoised by number block.

    Parsing a number costs ~100 us, too slow for a million of them. Numbers
    that differ only in their last four digits (one block, like ``06 12 34 ##
    ##``) normalise alike: the same validity, and the same E.164, national and
    search forms except those four digits. So the first number of a block is
    parsed for real, a second one with other last digits checks that the block
    behaves, and the rest of the block is derived; a block that does not
    behave (or a number with fewer than eight digits) is always parsed.
    """

    def __init__(self, region: str) -> None:
        self.region = region
        self._blocks: dict[str, tuple[Any, ...] | None] = {}

    def row(self, contact_id: str, position: int, raw: str, label: str) -> tuple[Any, ...]:
        key, tail = _block(raw)
        template = self._blocks.get(key, ()) if key else None
        if template == ():
            template = self._blocks[key] = self._learn(raw, tail)
        if not template:
            return _phone_tuple(phone_row(contact_id, position, raw, label, self.region))
        return _derive(template, child_id(contact_id, "phone", position), contact_id, label,
                       raw, tail, position)

    def _learn(self, raw: str, tail: str) -> tuple[Any, ...] | None:
        real = _phone_tuple(phone_row("x", 0, raw, "work", self.region))
        if not _ends_with(real, tail):
            return None
        other = f"{(int(tail) + 5173) % 10_000:04d}"
        probe_raw = _retail(raw, other)
        probe = _phone_tuple(phone_row("x", 0, probe_raw, "work", self.region))
        derived = _derive(real, probe[0], "x", "work", probe_raw, other, 0)
        return real if derived == probe else None


def _block(raw: str) -> tuple[str, str]:
    """(the number with its last four digits masked, those digits), or ("", "")."""
    positions = [i for i, ch in enumerate(raw) if "0" <= ch <= "9"]
    if len(positions) < 8:
        return "", ""
    last = positions[-4:]
    chars = list(raw)
    tail = "".join(chars[i] for i in last)
    for i in last:
        chars[i] = "#"
    return "".join(chars), tail


def _retail(raw: str, tail: str) -> str:
    masked, _ = _block(raw)
    for digit in tail:
        masked = masked.replace("#", digit, 1)
    return masked


def _ends_with(row: tuple[Any, ...], tail: str) -> bool:
    _id, _c, _l, _raw, e164, digits, _rev, forms, _valid, _pos = row
    return (digits.endswith(tail) and (e164 is None or e164.endswith(tail))
            and all(f.endswith(tail) for f in forms.split(" ")))


def _derive(t: tuple[Any, ...], row_id: str, contact_id: str, label: str, raw: str, tail: str,
            position: int) -> tuple[Any, ...]:
    _id, _c, _l, _raw, e164, digits, _rev, forms, valid, _pos = t
    digits = digits[:-4] + tail
    return (row_id, contact_id, label, raw, e164 and e164[:-4] + tail, digits, digits[::-1],
            " ".join(f[:-4] + tail for f in forms.split(" ")), valid, position)


@dataclass(frozen=True, slots=True)
class _Names:
    """The fields ``display_name`` and ``sort_key`` read, without an ORM row."""

    kind: str
    first_name: str
    last_name: str
    company_name: str


_names_cache: dict[tuple[str, str, str, str], tuple[str, str]] = {}


def contact_names(kind: str, first: str, last: str, company: str) -> tuple[str, str]:
    """(display_name, sort_key) exactly as ``contact.create`` computes them."""
    key = (kind, first, last, company)
    found = _names_cache.get(key)
    if found is None:
        # A real Contact costs ~0.2 ms to build; the two functions only read
        # these four attributes.
        parts = cast(Contact, _Names(kind, first, last, company))
        found = _names_cache[key] = (display_name(parts), sort_key(parts))
        if len(_names_cache) > 500_000:
            _names_cache.clear()
    return found


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
    """

    def __init__(self, store: Store, progress: Progress | None = None) -> None:
        self.store = store
        self.progress = progress
        self._conn: Connection | None = None
        self._triggers: list[tuple[str, str]] = []
        self._before: dict[str, int] = {}
        self.session: Session
        self.cpu: dict[str, float] = {}  # CPU seconds this process spent, by table or step

    def __enter__(self) -> BulkLoad:
        self._conn = self.store.write_engine.connect()
        self._txn = self._conn.begin()  # BEGIN IMMEDIATE: no other writer meanwhile
        self.raw = self._conn.connection.driver_connection
        assert self.raw is not None
        self.raw.execute("PRAGMA cache_size=-1048576")  # 1 GiB while indexes grow at random
        self._before = {t: self._max_rowid(t) for t in ("contact", "activity")}
        self._drop_search_triggers()
        self.session = Session(bind=self._conn)
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
            self._conn.close()

    def _max_rowid(self, table: str) -> int:
        return int(self.raw.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}").fetchone()[0])

    def insert(self, spec: TableSpec, rows: Iterable[Sequence[Any]], *, encoded: bool = False
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

    def _spent(self, what: str, started: float) -> None:
        self.cpu[what] = self.cpu.get(what, 0.0) + time.process_time() - started

    def _drop_search_triggers(self) -> None:
        where = " OR ".join("name GLOB ?" for _ in SEARCH_TRIGGERS)
        self._triggers = self.raw.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND ({where}) "
            "ORDER BY rowid", SEARCH_TRIGGERS).fetchall()
        for name, _sql in self._triggers:
            self.raw.execute(f'DROP TRIGGER "{name}"')

    def _finish(self) -> None:
        """Index the new contacts and activities once each, then restore the triggers."""
        self.session.flush()
        if self.progress:
            self.progress("search", 0)
        saved = dict(self._triggers)
        started = time.process_time()
        if "contact_search_on_insert" in saved:
            self._index_contacts(saved["contact_search_on_insert"])
        self._spent("contact search", started)
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
        self.raw.execute(
            "INSERT INTO contact_search(contact_id) SELECT id FROM contact WHERE rowid > ? "
            "ORDER BY rowid", (self._before["contact"],))
        # The trigger's own UPDATE, for every new row instead of one: the same
        # rewrite migration 0002 uses to index contacts that predate it.
        update = found.group(0).replace("new.id", "contact_search.contact_id")
        update = update.replace("WHERE contact_id = contact_search.contact_id;",
                                "WHERE contact_search.rowid > ?")
        self.raw.execute(update, (lo,))
        self.raw.execute(
            "INSERT INTO contact_fts(rowid, name, company, emails, phones, tags) "
            "SELECT rowid, name, company, emails, phones, tags FROM contact_search "
            "WHERE rowid > ? ORDER BY rowid", (lo,))

    def _index_activities(self) -> None:
        lo = self._max_rowid("activity_search")
        self.raw.execute(
            "INSERT INTO activity_search(activity_id, subject, details) "
            "SELECT id, subject, details FROM activity WHERE rowid > ? ORDER BY rowid",
            (self._before["activity"],))
        self.raw.execute(
            "INSERT INTO activity_fts(rowid, subject, details) "
            "SELECT rowid, subject, details FROM activity_search WHERE rowid > ? ORDER BY rowid",
            (lo,))
