"""Set-based statements on SQLite: a batch of keys in, one JSON row out.

An import looks thousands of keys up per batch (call keys, phone numbers,
contact ids). Two reasons to do each in one statement rather than one per key
or per row:

- a statement per key pays the statement overhead thousands of times;
- the ``sqlite3`` module releases the GIL around every row it steps through
  (``executemany`` steps once per parameter set, a cursor once per result
  row). An import's writer thread that steps row by row while the reading
  thread parses waits for the GIL at each row, up to the switch interval
  (5 ms) each time. One statement answering one row waits once, and SQLite
  does the whole batch with the GIL released.

So keys go in as one JSON array (read with ``json_each``), and results come
back as one ``json_group_array`` text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session


def sqlite_connection(session: Session) -> sqlite3.Connection | None:
    """The session's own SQLite connection, for statements and writes that
    bypass the ORM. None on another database (the sync server's PostgreSQL),
    and on a session whose ORM events someone listens to (the sync server's
    change tracking, on either database, must see every row written): callers
    then use their portable, ORM path."""
    if session.get_bind().dialect.name != "sqlite" or session.dispatch.before_flush:
        return None
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def json_list(values: Iterable[Any]) -> str:
    """A statement's set parameter, read back with ``json_each``."""
    return json.dumps(list(values), ensure_ascii=False)


def one_json(db: sqlite3.Connection, sql: str, params: Sequence[Any]) -> Any:
    """Run ``sql``, which answers one row holding one JSON text, and parse it
    (an empty aggregate or no row is an empty list)."""
    row = db.execute(sql, params).fetchone()
    return json.loads(row[0]) if row and row[0] else []
