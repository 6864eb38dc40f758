"""The server's database: SQLite by default, PostgreSQL for a team.

SQLite has one writer at a time (every transaction begins IMMEDIATE), so a
push numbers its own change-log rows and events before it commits.

On PostgreSQL pushes run concurrently, in REPEATABLE READ: two pushes that
change the same record both write its row, so the second fails with a
serialisation error and is run again on the new state (versions never fork).
They leave their change-log rows and events unnumbered (``seq`` NULL). After
a push commits, :meth:`Database.sequence` numbers every committed row in one
short transaction that holds the ``sync_clock`` row lock; so numbers follow
commit order and a snapshot that sees clock value n sees every row numbered
up to n. The pull's "nothing changed since" shortcut, the event cursor and
the long-poll rely on that (docs/SYNC.md, *Ordering*). The pushes' own
commits are not serialised, so PostgreSQL flushes them to disk in groups.
Pulls read one REPEATABLE READ snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from platformdirs import user_data_dir
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from ..config import APP
from ..store import migrate
from ..store.db import make_engine
from ..store.models import SyncChange, SyncClock, SyncEvent

CHANNEL = "crmtui_sync"
COPY_FROM = 500  # rows: from here on PostgreSQL, COPY beats a pipelined executemany
# Connections per server process: one per request thread (app.THREADS), the
# sequencer's, and a few spare. Each instance holds at most this many.
POOL_SIZE, POOL_OVERFLOW = 12, 24


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
            # No pre-ping (a round trip per request): a connection the database
            # dropped fails once, is invalidated, and app._retrying runs again.
            self.engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
            self.snapshot_engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
            self.autocommit: Engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        else:
            path = _sqlite_path(url)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = make_engine(path, immediate=True)
            self.snapshot_engine = self.engine.execution_options()
            self.autocommit = self.engine

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
        """A REPEATABLE READ transaction on PostgreSQL: pulls, and pushes (a
        concurrent change to a row the push writes aborts it with 40001)."""
        with Session(self.snapshot_engine) as session, session.begin():
            yield session

    def sequence(self) -> int | None:
        """Number the committed, unnumbered change-log rows and events (PostgreSQL;
        on SQLite pushes number their own). Returns the new clock, or None."""
        if not self.is_pg:
            return None
        with self.engine.connect() as conn, conn.begin():
            # The lock: sequencers run one at a time, in order. No tick (and
            # no lock) when nothing was unnumbered as this statement began.
            seq = conn.execute(_TICK_IF_UNNUMBERED).scalar()
            if seq is None:
                return None  # another caller numbered them (or nothing was written)
            # READ COMMITTED: this statement sees every row committed so far,
            # including the numbers earlier sequencers gave.
            changed, numbered, _ = conn.execute(
                _NUMBER_PG, {"s": seq, "c": CHANNEL, "n": str(seq)}
            ).one()
            if not changed and not numbered:
                conn.rollback()  # keep the clock (and send no signal)
                return None
            return seq

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(db: str | None, *, run_migrations: bool = True) -> Database:
    database = Database(normalise_url(db))
    if run_migrations:
        database.migrate()
    return database


def _clock_table() -> Table:
    return cast(Table, SyncClock.__table__)  # type: ignore[attr-defined]


def _tick(conn: Connection) -> int:
    """Take the next clock value; the row stays locked until commit."""
    t = _clock_table()
    seq = conn.execute(
        update(t).where(t.c.id == 1).values(seq=t.c.seq + 1).returning(t.c.seq)
    ).scalar()
    if seq is None:
        raise RuntimeError("sync_clock is empty: the database was not migrated")
    return int(seq)


_TICK_IF_UNNUMBERED = text(
    "UPDATE sync_clock SET seq = seq + 1 WHERE id = 1 AND ("
    "EXISTS (SELECT 1 FROM sync_change WHERE seq IS NULL) "
    "OR EXISTS (SELECT 1 FROM sync_event WHERE seq IS NULL)) RETURNING seq"
)
# PostgreSQL's sequencer in one statement: change-log rows take the clock
# value; events take the next numbers after the highest one, in id order.
_NUMBER_PG = text(
    """
    WITH ch AS (UPDATE sync_change SET seq = :s WHERE seq IS NULL RETURNING 1),
    todo AS (
        SELECT id, row_number() OVER (ORDER BY id) AS rn FROM sync_event WHERE seq IS NULL
    ),
    base AS (SELECT COALESCE(max(seq), 0) AS b FROM sync_event),
    ev AS (
        UPDATE sync_event e SET seq = base.b + todo.rn FROM todo, base
        WHERE e.id = todo.id RETURNING 1
    )
    SELECT (SELECT count(*) FROM ch), (SELECT count(*) FROM ev), pg_notify(:c, :n)
    """
)


def sequence(conn: Connection) -> int | None:
    """Number every unnumbered change-log row and event of a push, in the push's
    own transaction (SQLite: one writer at a time, so that is commit order).
    Change-log rows take the new clock value; events take consecutive numbers
    in id order. Returns the clock value, or None (and takes nothing) when
    there was nothing to do. PostgreSQL: :meth:`Database.sequence`."""
    ch, ev = _t(SyncChange), _t(SyncEvent)
    with conn.begin_nested() as attempt:
        seq = _tick(conn)
        changed = conn.execute(update(ch).where(ch.c.seq.is_(None)).values(seq=seq)).rowcount
        ids = conn.execute(select(ev.c.id).where(ev.c.seq.is_(None)).order_by(ev.c.id)).scalars()
        todo = list(ids)
        if not changed and not todo:
            attempt.rollback()  # another caller numbered them: keep the clock as it is
            return None
        if todo:
            base = conn.execute(select(func.max(ev.c.seq))).scalar() or 0
            conn.execute(
                update(ev).where(ev.c.id == bindparam("eid")).values(seq=bindparam("num")),
                [{"eid": eid, "num": base + i} for i, eid in enumerate(todo, start=1)],
            )
    return seq


def _t(model: object) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


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
    conn.execute(_upsert_statement(conn.dialect.name, table, tuple(keys), tuple(changing)), rows)


@lru_cache(maxsize=64)
def _upsert_statement(
    dialect_name: str, table: Table, keys: tuple[str, ...], changing: tuple[str, ...]
) -> Any:
    """Built once: a statement used again skips SQLAlchemy's cache-key walk."""
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in changing}
    )


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys): with COPY on PostgreSQL."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        conn.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


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
