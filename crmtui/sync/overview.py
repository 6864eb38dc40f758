"""What the Sync screen shows, in words a user reads: each pending change,
refused change and conflict with the name of the record it is about.

Outbox entries and refusals hold a mutation's name and arguments; the record
they address is told from the name (``contact.update`` → a contact) and the
``id`` argument (a follow names its record in ``entity``/``entity_id``).
Labels come from the record's first naming column; a record this store does
not hold (deleted, or outside the user's subset) shows as its kind alone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ..store.db import Store
from ..store.models import SyncConflict, SyncRejected
from . import review, schema

LABEL_COLUMNS = ("display_name", "title", "subject", "name", "number", "remote_e164")
TABLE_OF_PREFIX = {"user": "user_account", "deal": "opportunity"}
HIDDEN_ARGS = {"id", "base_version"}
VALUE_WIDTH = 40


@dataclass(frozen=True, slots=True)
class Change:
    """A pending or refused mutation, readable."""

    mutation_id: int
    name: str
    record: str  # "contact Zoé Martin"
    fields: str  # "title='VP', website='…'"
    at: datetime
    reason: str = ""  # why the server refused it


@dataclass(frozen=True, slots=True)
class Conflict:
    seq: int
    name: str
    record: str
    field: str  # "*" when the record was deleted meanwhile
    mine: str
    theirs: str
    by_user: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Overview:
    outbox: tuple[Change, ...]
    rejected: tuple[Change, ...]
    conflicts: tuple[Conflict, ...]


def target(name: str, args: Mapping[str, Any]) -> schema.Key | None:
    """The record a mutation addresses, if it names one."""
    if "entity" in args and "entity_id" in args:
        return str(args["entity"]), str(args["entity_id"])
    prefix = name.split(".", 1)[0]
    table = TABLE_OF_PREFIX.get(prefix, prefix)
    if table in schema.roots() and args.get("id"):
        return table, str(args["id"])
    return None


def show_value(value: object, width: int = VALUE_WIDTH) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= width else text[: width - 1] + "…"


def show_args(args: Mapping[str, Any]) -> str:
    shown = (
        f"{k}={show_value(v)}" for k, v in args.items() if k not in HIDDEN_ARGS and v is not None
    )
    return ", ".join(shown)


def labels(session: Session, keys: Iterable[schema.Key]) -> dict[schema.Key, str]:
    """``{(table, id): "contact Zoé Martin"}``, one query per table."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for table, row_id in keys:
        wanted[table].add(row_id)
    roots = schema.roots()
    found: dict[schema.Key, str] = {}
    for table, ids in wanted.items():
        kind = table.replace("_", " ")
        found.update({(table, i): kind for i in ids})
        root = roots.get(table)
        column = next((c for c in LABEL_COLUMNS if root is not None and c in root.table.c), None)
        if root is None or column is None:
            continue
        query = select(root.pk, root.table.c[column]).where(root.pk.in_(sorted(ids)))
        for row_id, label in session.connection().execute(query):
            found[(table, str(row_id))] = f"{kind} {label}"
    return found


def _change(entry: review.Pending | SyncRejected, names: Mapping[schema.Key, str]) -> Change:
    key = target(entry.name, entry.args)
    record = names.get(key, "") if key else ""
    if isinstance(entry, SyncRejected):
        return Change(
            entry.mutation_id, entry.name, record, show_args(entry.args), entry.at, entry.reason
        )
    return Change(entry.mutation_id, entry.name, record, show_args(entry.args), entry.created_at)


def _conflict(c: SyncConflict, names: Mapping[schema.Key, str]) -> Conflict:
    mine = "(the whole change)" if c.field == "*" else show_value(c.mine)
    theirs = "(deleted)" if c.field == "*" else show_value(c.theirs)
    record = names.get((c.tbl, c.row_id), c.tbl)
    return Conflict(c.seq, c.name, record, c.field, mine, theirs, c.by_user, c.at)


def overview(store: Store, limit: int = 500) -> Overview:
    """The outbox (oldest first), refusals and unresolved conflicts (newest first)."""
    pending = review.outbox(store, limit)
    refused = review.rejected(store, limit)
    conflicts = review.conflicts(store, limit=limit)
    changes: list[review.Pending | SyncRejected] = [*pending, *refused]
    keys = [k for e in changes if (k := target(e.name, e.args))]
    keys += [(c.tbl, c.row_id) for c in conflicts]
    with store.read() as session:
        names = labels(session, keys)
    return Overview(
        tuple(_change(e, names) for e in pending),
        tuple(_change(e, names) for e in refused),
        tuple(_conflict(c, names) for c in conflicts),
    )
