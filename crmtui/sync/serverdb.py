"""The server's database: SQLite by default, PostgreSQL for a team.

Writers are serialised: on SQLite every transaction begins IMMEDIATE; on
PostgreSQL every push that applies something first increments the one
``sync_clock`` row and holds its lock until commit. So mutations see each
other's effects in a single apply order (versions never fork), and clock
values increase in commit order, which is what the pull's "nothing changed
since" shortcut and the long-poll rely on. Pulls read one REPEATABLE READ
snapshot on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from platformdirs import user_data_dir
from sqlalchemy import Connection, Table, create_engine, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ..config import APP
from ..store import migrate
from ..store.db import make_engine
from ..store.models import SyncClock

CHANNEL = "crmtui_sync"
COPY_FROM = 500  # rows: from here on PostgreSQL, COPY beats a pipelined executemany


def default_url() -> str:
    return f"sqlite:///{Path(user_data_dir(APP)) / 'server.db'}"


def normalise_url(db: str | None) -> str:
    """A database URL from ``--db``: a URL as given, or a path to an SQLite file."""
    if not db:
        return default_url()
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


class Database:
    """Engines for one server database, migrated to the latest schema."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_pg = url.startswith("postgresql")
        if self.is_pg:
            self.engine = create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
            self.snapshot_engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
        else:
            path = _sqlite_path(url)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = make_engine(path, immediate=True)
            self.snapshot_engine = self.engine.execution_options()

    def migrate(self) -> None:
        if self.is_pg:
            migrate.upgrade_url(self.url)
        else:
            migrate.upgrade(_sqlite_path(self.url))

    @contextmanager
    def write(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        with Session(self.snapshot_engine) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(db: str | None, *, run_migrations: bool = True) -> Database:
    database = Database(normalise_url(db))
    if run_migrations:
        database.migrate()
    return database


def _clock_table() -> Table:
    return cast(Table, SyncClock.__table__)  # type: ignore[attr-defined]


def tick(conn: Connection) -> int:
    """Take the next clock value; the row stays locked until commit."""
    t = _clock_table()
    seq = conn.execute(
        update(t).where(t.c.id == 1).values(seq=t.c.seq + 1).returning(t.c.seq)
    ).scalar()
    if seq is None:
        raise RuntimeError("sync_clock is empty: the database was not migrated")
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:c, :s)"), {"c": CHANNEL, "s": str(seq)})
    return int(seq)


def read_clock(conn: Connection) -> int:
    t = _clock_table()
    return int(conn.execute(select(t.c.seq).where(t.c.id == 1)).scalar() or 0)


def upsert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str], changing: list[str]
) -> None:
    """Insert ``rows``, or update ``changing`` where the key already exists."""
    if not rows:
        return
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _upsert_copied(conn, table, rows, keys, changing)
        return
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c: stmt.excluded[c] for c in changing}
    )
    conn.execute(stmt, rows)


def _upsert_copied(
    conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str], changing: list[str]
) -> None:
    """:func:`upsert` of many rows on PostgreSQL: COPY them into a temporary
    table (one per connection, emptied each time), then one INSERT ... SELECT."""
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    scratch = f'"_upsert_{table.name}"'
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in changing)
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS {scratch} (LIKE "{table.name}") ON COMMIT DROP'
        )
        with cur.copy(f"COPY {scratch} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))
        cur.execute(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM {scratch} '
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        )
        cur.execute(f"TRUNCATE {scratch}")
