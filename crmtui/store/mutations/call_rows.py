"""Fast writes for the call-log mutations: a batch of calls, their keys, and
the contacts of unknown callers, written with one ``executemany`` per table.

An import logs thousands of calls per mutation; one ORM flush per row would
cap it at a few thousand rows a second. Values are encoded by the columns' own
SQLAlchemy types, so a row written here reads back exactly like one the ORM
wrote, and everything runs on the session's connection, inside the mutation's
transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache, partial
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, func
from sqlalchemy.dialects import sqlite
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from ..models import Call, CallKey, Contact, ContactPhone, ContactResponsible
from ..phones import format_for_display
from ..sqlite_sets import json_list, one_json, sqlite_connection
from .contacts import display_name, phone_row, sort_key
from .registry import Context

_CHUNK = 500
ROWS_PER_STATEMENT = 500
_DIALECT = sqlite.dialect()


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


# Per column: name, default, encoder, and whether leaving it out of an INSERT
# stores NULL (nullable, no SQL default).
Encoder = tuple[str, Any, Callable[[Any], Any] | None, bool]


def stored_time(value: datetime | None) -> str | None:
    """What SQLAlchemy's SQLite DATETIME writes for an aware UTC instant (the
    same text, several times faster than its generic bind processors)."""
    if value is None:
        return None
    if value.tzinfo is UTC:  # already UTC: only drop the "+00:00"
        return value.isoformat(" ", "microseconds")[:26]
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def stored_times(values: list[Any]) -> list[Any]:
    """:func:`stored_time` over a column; rows stamped at one instant (created_at,
    updated_at) share the datetime object, encoded once."""
    out: list[Any] = []
    last: Any = object()
    encoded: Any = None
    for value in values:
        if value is not last:
            last, encoded = value, stored_time(value)
        out.append(encoded)
    return out


@cache
def _writer(model: Any) -> tuple[str, tuple[Encoder, ...]]:
    """Table name of a model, and its columns' encoders."""
    table = _table(model)
    defaults = _defaults(model)
    encoders: list[Encoder] = []
    for column in table.columns:
        if isinstance(column.type, UTCDateTime):
            encode: Callable[[Any], Any] | None = stored_times
        else:
            single = column.type._cached_bind_processor(_DIALECT)
            encode = None if single is None else partial(_each, single)
        omittable = bool(column.nullable) and column.server_default is None
        encoders.append((column.name, defaults.get(column.name), encode, omittable))
    return table.name, tuple(encoders)


@cache
def _values(width: int, rows: int) -> str:
    return ", ".join(["(" + ", ".join("?" * width) + ")"] * rows)


def _insert_many(raw: sqlite3.Connection, head: str, rows: list[tuple[Any, ...]]) -> None:
    """Run ``head`` (an ``INSERT ... VALUES``) for ``rows``, many rows per statement.

    ``executemany`` of one row per step releases the GIL around each row's
    step; the import's writer thread then waits for the reading thread at
    every row (up to the switch interval). Stepping ``ROWS_PER_STATEMENT``
    rows at once lets SQLite write them while the reader parses."""
    width = len(rows[0])
    per = max(
        1, min(ROWS_PER_STATEMENT, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    )
    full = len(rows) - len(rows) % per
    if full:
        chunks = ([v for row in rows[i : i + per] for v in row] for i in range(0, full, per))
        raw.executemany(head + _values(width, per), chunks)
    if full < len(rows):
        raw.execute(
            head + _values(width, len(rows) - full), [v for row in rows[full:] for v in row]
        )


def _each(encode: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    return [encode(v) for v in values]


def insert_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (every column given or defaulted) into ``model``'s table.

    On SQLite the values are encoded a column at a time (one list
    comprehension per column, not a call per cell) and written with
    multi-row ``INSERT`` statements (:func:`_insert_many`)."""
    if not rows:
        return
    raw = sqlite_connection(session)
    if raw is None:  # the sync server: through the ORM, which its change tracking sees
        session.add_all([model(**_complete(model, row)) for row in rows])
        session.flush()
        return
    table, encoders = _writer(model)
    names, columns = [], []
    for name, default, encode, omittable in encoders:
        values = [row.get(name, default) for row in rows]
        if omittable and values[0] is None and values.count(None) == len(values):
            continue  # NULL in every row: left out, since binding a None costs a microsecond
        names.append(name)
        columns.append(values if encode is None else encode(values))
    head = f'INSERT INTO "{table}" ({", ".join(names)}) VALUES '
    _insert_many(raw, head, list(zip(*columns, strict=True)))


def _complete(model: Any, row: dict[str, Any]) -> dict[str, Any]:
    defaults = _defaults(model)
    return {c.name: row.get(c.name, defaults.get(c.name)) for c in _table(model).columns}


@cache
def _defaults(model: Any) -> dict[str, Any]:
    """The constant defaults of a model's fields; fields with a factory (times,
    dicts) must be given by the caller, or the NOT NULL constraint says so."""
    return {
        name: info.default
        for name, info in model.model_fields.items()
        if not info.is_required() and info.default_factory is None
    }


def existing_by_e164(session: Session, numbers: Sequence[str]) -> dict[str, str]:
    """``e164 -> contact id`` (the oldest) for numbers some contact already has."""
    raw = sqlite_connection(session)
    if raw is not None:
        sql = (
            "SELECT json_group_array(json_array(e164, cid)) FROM (SELECT e164, min(contact_id) "
            "AS cid FROM contact_phone WHERE e164 IN (SELECT value FROM json_each(?)) "
            "GROUP BY e164)"
        )
        return dict(one_json(raw, sql, (json_list(numbers),))) if numbers else {}
    found: dict[str, str] = {}
    for i in range(0, len(numbers), _CHUNK):
        chunk = list(numbers[i : i + _CHUNK])
        rows = session.execute(
            select(ContactPhone.e164, func.min(ContactPhone.contact_id))
            .where(col(ContactPhone.e164).in_(chunk))
            .group_by(col(ContactPhone.e164))
        )
        found.update({e164: cid for e164, cid in rows})
    return found


Row = dict[str, Any]


def caller_contact_rows(
    ctx: Context, contact_id: str, e164: str, name: str
) -> tuple[Row, Row, Row | None]:
    """The contact, phone and responsible rows ``contact.create`` would write
    for a caller known only by number (and maybe the name the PBX showed)."""
    last = name or format_for_display(e164, e164, ctx.region)
    names = cast(
        Contact, SimpleNamespace(kind="person", first_name="", last_name=last, company_name="")
    )
    contact: Row = {
        "id": contact_id,
        "kind": "person",
        "last_name": last,
        "display_name": display_name(names),
        "sort_key": sort_key(names),
        "origin": "call",
        "owner_id": ctx.user_id,
        "created_by": ctx.user_id,
        "created_at": ctx.now,
        "updated_at": ctx.now,
        "version": 1,
        "social": {},
        "access": "public_rw",
    }
    phone = phone_row(contact_id, 0, e164, "other", ctx.region).model_dump()
    responsible = {"contact_id": contact_id, "user_id": ctx.user_id} if ctx.user_id else None
    return contact, phone, responsible


def create_caller_contacts(
    session: Session, ctx: Context, specs: Sequence[tuple[str, str, str]]
) -> tuple[dict[str, str], int]:
    """Create one contact per ``(id, e164, name)``; a number some contact
    already has reuses that contact. Returns ``id -> contact used`` and how
    many were created."""
    existing = existing_by_e164(session, [e164 for _, e164, _ in specs])
    used: dict[str, str] = {}
    contacts: list[dict[str, Any]] = []
    phones: list[dict[str, Any]] = []
    responsible: list[dict[str, Any]] = []
    for contact_id, e164, name in specs:
        if e164 in existing:
            used[contact_id] = existing[e164]
            continue
        existing[e164] = used[contact_id] = contact_id
        contact, phone, owner = caller_contact_rows(ctx, contact_id, e164, name)
        contacts.append(contact)
        phones.append(phone)
        if owner:
            responsible.append(owner)
    insert_rows(session, Contact, contacts)
    insert_rows(session, ContactPhone, phones)
    insert_rows(session, ContactResponsible, responsible)
    return used, len(contacts)


def insert_calls(
    session: Session, calls: Sequence[dict[str, Any]], keys: Sequence[dict[str, Any]]
) -> None:
    insert_rows(session, Call, calls)
    insert_rows(session, CallKey, keys)
