"""Consecutive plain ``contact.create`` mutations of a push, applied set-wise.

Run one by one, each creation costs the server an ORM flush, a lookup of its
id and of its responsible user, and the tracker's bookkeeping: about 2 ms,
so a push of a hundred new contacts took over 200 ms. Here the rows are built
by the mutation's own code (``new_contact``, ``phone_row``...) and written
with one ``executemany`` per table; the changes are the ones the tracker
reports for a creation (version 1, the child tables written as its fields).
tests/sync/test_creations.py checks both against the one-by-one path.

Only plain creations qualify: no tags, custom fields, company, contact type
or currency (those need lookups the mutation makes). What the mutation
checks with a query (the id is new, the responsible users exist), the
database checks here with its constraints: a violation rolls the batch back
to its savepoint and the caller runs the mutations one by one as usual.
A push's first run goes without the savepoint (two statements) when gate.py
found its ids free and its only responsible user is the pusher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Connection, Table
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from ..store.models import Contact, ContactAddress, ContactEmail, ContactPhone, ContactResponsible
from ..store.mutations.contacts import (
    ContactCreate,
    address_row,
    contact_values,
    email_row,
    phone_row,
)
from ..store.mutations.registry import Context
from .protocol import MutationIn
from .tracking import Change

NAME = "contact.create"
_TABLES = (Contact, ContactPhone, ContactEmail, ContactAddress, ContactResponsible)


def plain(m: MutationIn) -> ContactCreate | None:
    """The validated arguments of ``m`` if it is a creation this module can run."""
    if m.name != NAME:
        return None
    try:
        args = ContactCreate.model_validate(m.args)
    except ValidationError:
        return None  # refused with its reason by the one-by-one path
    if args.tags or args.custom or args.company_id or args.type_id or args.currency:
        return None
    return args


@cache
def _columns(model: type[SQLModel]) -> tuple[str, ...]:
    return tuple(c.key for c in cast(Table, model.__table__).columns)  # type: ignore[attr-defined]


@cache
def _defaults() -> dict[str, Any]:
    """The contact row's defaults for the columns ``contact_values`` leaves out
    (building a ``Contact`` costs half a millisecond: these are its values)."""
    fields = Contact.model_fields
    return {
        key: fields[key].get_default(call_default_factory=True)
        for key in _columns(Contact)
        if fields[key].default_factory is None
    }


def _values(row: SQLModel) -> dict[str, Any]:
    return {key: getattr(row, key) for key in _columns(type(row))}


@dataclass
class Creations:
    """The rows of a run of creations, table by table, and their changes."""

    rows: dict[type[SQLModel], list[dict[str, Any]]] = field(
        default_factory=lambda: {model: [] for model in _TABLES}
    )
    changes: list[Change] = field(default_factory=list)

    def add(self, ctx: Context, args: ContactCreate) -> None:
        cid = args.id
        children: list[SQLModel] = [
            *(phone_row(cid, i, p.raw, p.label, ctx.region) for i, p in enumerate(args.phones)),
            *(email_row(cid, i, e) for i, e in enumerate(args.emails)),
            *(address_row(cid, i, a) for i, a in enumerate(args.addresses)),
        ]
        for child in children:
            self.rows[type(child)].append(_values(child))
        fields = {cast(Table, type(x).__table__).name for x in children}  # type: ignore[attr-defined]
        users = args.responsible_ids or ([ctx.user_id] if ctx.user_id else [])
        for user_id in dict.fromkeys(users):  # the row's only columns: no ORM row built
            self.rows[ContactResponsible].append({"contact_id": cid, "user_id": user_id})
            fields.add("contact_responsible")
        row = {**_defaults(), **contact_values(ctx, args)}
        self.rows[Contact].append(row)
        self.changes.append(Change(("contact", cid), "put", row["version"], sorted(fields), True))

    def safe(self, fresh: frozenset[str], user_id: str | None) -> bool:
        """True if the constraints cannot refuse these rows: every id was checked
        free (``fresh``) and the only responsible user is the pusher."""
        ids = {row["id"] for row in self.rows[Contact]}
        users = {row["user_id"] for row in self.rows[ContactResponsible]}
        return ids <= fresh and users <= {user_id}

    def write(self, conn: Connection, *, guarded: bool = True) -> bool:
        """Insert every row under a savepoint; False (and nothing written) if a
        constraint refused one. Unguarded (after :meth:`safe`), a violation,
        which only a concurrent push can cause, raises IntegrityError."""
        if not guarded:
            self._insert(conn)
            return True
        try:
            with conn.begin_nested():
                self._insert(conn)
        except IntegrityError:
            return False
        return True

    def _insert(self, conn: Connection) -> None:
        for model, rows in self.rows.items():
            if rows:
                conn.execute(cast(Table, model.__table__).insert(), rows)  # type: ignore[attr-defined]
