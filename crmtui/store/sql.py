"""Plain SQL reads on the store's own sqlite3 connection.

The screens' reads (lists, search, lookups) are hand-written SQL. Running them
on the driver's connection instead of through SQLAlchemy saves its per-query
overhead and, above all, lets the app paint its first screen before importing
SQLAlchemy and SQLModel at all (they cost a good part of a second). Writes
and ORM reads keep using sessions; :func:`connection_of` lends a session's
connection to these functions, inside that session's transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Db = sqlite3.Connection
Params = Mapping[str, Any] | Sequence[Any]


def rows(db: Db, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    """Every row, each readable by column name (``row["id"]``) or position."""
    cursor = db.cursor()
    cursor.row_factory = sqlite3.Row
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def tuples(db: Db, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
    return db.execute(sql, params).fetchall()


def column(db: Db, sql: str, params: Params = ()) -> list[Any]:
    """The first column of every row."""
    return [r[0] for r in db.execute(sql, params)]


def scalar(db: Db, sql: str, params: Params = ()) -> Any:
    """The first column of the first row (None when there is no row)."""
    row = db.execute(sql, params).fetchone()
    return None if row is None else row[0]


def marks(values: Sequence[Any], prefix: str = "v") -> tuple[str, dict[str, Any]]:
    """``:v0, :v1, ...`` for an ``IN (...)`` list, and their parameters."""
    params = {f"{prefix}{n}": v for n, v in enumerate(values)}
    return ", ".join(f":{name}" for name in params), params


def connection_of(session: Session) -> Db:
    """The sqlite3 connection under ``session``, in the session's transaction."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)  # the local store is SQLite
    return driver
