"""Which tables sync, how they group into records, and how rows travel as JSON.

A *record* is a row of a root table (one with a ``version`` column and a
single-column primary key: contacts, activities, settings...) together with
the rows of its child tables (a contact's phones, e-mails, tags...). Records
are the unit of versions, diffs and patches: a change to a child is a change
to its record. The map is derived from the shared metadata, so tables other
engineers add later sync without touching this module; tables whose name
starts with ``_`` (client bookkeeping) or ``sync_`` (the server's) never sync.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import Column, Table
from sqlmodel import SQLModel

import crmtui.store.models  # noqa: F401  (registers every table)

# A child whose parent cannot be told from a foreign key: custom values hang
# on a contact or an opportunity through ``entity_id``.
_POLYMORPHIC_CHILDREN = {"custom_value": ("entity_id", ("contact", "opportunity"))}

Key = tuple[str, str]  # (root table, record id)


@dataclass(frozen=True, slots=True)
class Child:
    table: Table
    parent_col: Column[Any]
    parents: tuple[str, ...]  # the root tables the parent column may point to


@dataclass(frozen=True, slots=True)
class Root:
    table: Table
    pk: Column[Any]
    children: tuple[Child, ...]


def is_synced_name(name: str) -> bool:
    return not (name.startswith("_") or name.startswith("sync_") or name == "alembic_version")


def _root_tables() -> dict[str, Table]:
    roots = {}
    for name, table in SQLModel.metadata.tables.items():
        pks = list(table.primary_key.columns)
        if is_synced_name(name) and "version" in table.c and len(pks) == 1:
            roots[name] = table
    return roots


def _parent_of(table: Table, roots: dict[str, Table]) -> Child | None:
    """A child's parent: its first foreign key to a root, key columns first."""
    if table.name in _POLYMORPHIC_CHILDREN:
        col, parents = _POLYMORPHIC_CHILDREN[table.name]
        return Child(table, table.c[col], parents)
    pk_cols = list(table.primary_key.columns)
    ordered = pk_cols + [c for c in table.columns if c not in pk_cols]
    for column in ordered:
        for fk in column.foreign_keys:
            if fk.column.table.name in roots:
                return Child(table, column, (fk.column.table.name,))
    return None


@lru_cache(maxsize=1)
def roots() -> dict[str, Root]:
    """Every synced root table with its children, in metadata order."""
    tables = _root_tables()
    children: dict[str, list[Child]] = {name: [] for name in tables}
    for name, table in SQLModel.metadata.tables.items():
        if name in tables or not is_synced_name(name):
            continue
        child = _parent_of(table, tables)
        if child is None:
            raise RuntimeError(f"table {name} has no version and no parent record: cannot sync it")
        for parent in child.parents:
            children[parent].append(child)
    return {
        name: Root(table, next(iter(table.primary_key.columns)), tuple(children[name]))
        for name, table in tables.items()
    }


@lru_cache(maxsize=1)
def child_tables() -> dict[str, Child]:
    return {c.table.name: c for r in roots().values() for c in r.children}


def _python_type(column: Column[Any]) -> type | None:
    """The Python type a column holds; decorated types report their impl's."""
    kind = getattr(column.type, "impl_instance", column.type)
    try:
        return cast(type, kind.python_type)
    except NotImplementedError:
        return None


def dump_value(value: Any) -> Any:
    """A column value as JSON: instants and dates as ISO text, decimals as text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def loader(column: Column[Any]) -> Any:
    """How to turn this column's JSON value back into its Python value."""
    kind = _python_type(column)
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    if kind is Decimal:
        return Decimal
    if kind is bytes:
        return base64.b64decode
    return None


@cache
def _loaders(table: Table) -> dict[str, Any]:
    return {c.name: loader(c) for c in table.columns}


def load_value(column: Column[Any], value: Any) -> Any:
    """The inverse of :func:`dump_value`, guided by the column's type."""
    load = _loaders(column.table)[column.name] if isinstance(column.table, Table) else None
    return load(value) if load is not None and isinstance(value, str) else value


def dump_row(row: Any) -> dict[str, Any]:
    return {k: dump_value(v) for k, v in row._mapping.items()}


def _dumper(column: Column[Any]) -> Any:
    kind = _python_type(column)
    if kind in (datetime, date, Decimal, bytes):
        return dump_value
    return None  # JSON as it is: no call per value


@cache
def _dumpers(table: Table) -> tuple[tuple[str, Any], ...]:
    return tuple((c.name, _dumper(c)) for c in table.columns)


def dump_rows(table: Table, rows: Iterable[Any]) -> list[dict[str, Any]]:
    """:func:`dump_row` for many rows of ``select(table)``, converting only the
    columns that need it (a first sync dumps hundreds of thousands of rows)."""
    dumpers = _dumpers(table)
    return [
        {
            key: (dump(value) if dump is not None and value is not None else value)
            for (key, dump), value in zip(dumpers, row, strict=True)
        }
        for row in rows
    ]


def load_row(table: Table, data: dict[str, Any]) -> dict[str, Any]:
    """Column values from JSON; unknown keys (a newer server's columns) are dropped."""
    loaders = _loaders(table)
    row = {}
    for key, value in data.items():
        if key in loaders:
            load = loaders[key]
            row[key] = load(value) if load is not None and isinstance(value, str) else value
    return row
