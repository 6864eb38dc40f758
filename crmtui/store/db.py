"""Opening a store: check the file, upgrade it, and hand out sessions.

The checks run on a read-only connection first, so a file that is not a
crmtui store, or one written by a newer crmtui, is refused before anything
(not even WAL mode) touches it. Only then is the file opened for writing and
upgraded with Alembic; nothing calls ``create_all`` at run time.

Opening a store that is up to date (every launch of the app) imports neither
SQLAlchemy, the ORM models nor the mutations: they cost a good part of a
second, and the first screen only reads, through :meth:`Store.snapshot` (plain
sqlite3). They are imported when something first asks for a session.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import migrate

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy import Engine
    from sqlmodel import Session

    from .mutations.registry import Context

SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(Exception):
    """A store that cannot be opened; the message says why and what to do."""


def _inspect(path: Path) -> tuple[str | None, bool]:
    """Return the store's Alembic revision (None for a new file) and whether it
    has its local identity yet, or refuse."""
    if not path.exists() or path.stat().st_size == 0:
        return None, False
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise StoreError(
                f"{path} is not a crmtui store (not an SQLite database); left untouched"
            )
    # A read-only connection to a WAL file still creates its -wal and -shm files;
    # ``immutable`` does not, so a file we refuse is left exactly as it was. A
    # store in use (its -wal exists) is read normally, to see its latest state.
    in_use = path.with_name(path.name + "-wal").exists()
    query = "mode=ro" if in_use else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise StoreError(
                    f"{path} is an SQLite database but not a crmtui store; left untouched"
                )
            return None, False
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        identified = "_sync_state" in tables and bool(
            conn.execute("SELECT 1 FROM _sync_state LIMIT 1").fetchone()
        )
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} cannot be read as a crmtui store ({exc}); left untouched"
        ) from exc
    finally:
        conn.close()
    revision = row[0] if row else None
    if revision is not None and revision not in migrate.known_revisions():
        raise StoreError(
            f"{path} was written by a newer crmtui (schema revision {revision}); "
            "upgrade crmtui to open it. The file was left untouched."
        )
    return revision, identified


# Every connection, reading or writing, waits for a lock rather than failing,
# and keeps a 64 MB page cache.
_SHARED_PRAGMAS = ("busy_timeout=10000", "cache_size=-65536", "temp_store=MEMORY")


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # The driver must not open transactions itself: the "begin" listener does,
    # so that writers can take the lock up front (BEGIN IMMEDIATE).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # the outbox must survive a power cut
    for pragma in _SHARED_PRAGMAS:
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def make_engine(path: Path, *, immediate: bool = False) -> Engine:
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


class Store:
    """One user's SQLite store: a reading engine and a writing engine.

    Writers begin with ``BEGIN IMMEDIATE`` so that two writers (the TUI, the
    telephony listener, the sync loop) queue on the lock instead of failing
    when a read transaction tries to upgrade.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._readers = _ReaderPool(path)
        self._engines: tuple[Engine, Engine] | None = None
        self._engines_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._sessions()[0]

    @property
    def write_engine(self) -> Engine:
        return self._sessions()[1]

    def _sessions(self) -> tuple[Engine, Engine]:
        with self._engines_lock:  # made on first use (importing SQLAlchemy), once
            if self._engines is None:
                self._engines = make_engine(self.path), make_engine(self.path, immediate=True)
            return self._engines

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read-only sqlite3 connection in a read transaction: every query in
        the block sees the same state of the store."""
        with self._readers.lent() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlmodel import Session

        with Session(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success, rolls back on error."""
        from sqlmodel import Session

        with Session(self.write_engine) as session, session.begin():
            yield session

    def context(self, session: Session) -> Context:
        """The mutation context of this store's own user."""
        from . import settings
        from .models import User
        from .mutations.registry import Context

        state = settings.local_identity(session)
        user = session.get(User, state.user_id) if state.user_id else None
        return Context(
            user_id=state.user_id,
            role=user.role if user else "admin",
            region=str(settings.get(session, "default_region")),
        )

    def mutate(self, name: str, args: dict[str, Any] | BaseModel) -> Any:
        """Run one named mutation in its own transaction; returns its result."""
        from .mutations.registry import run_in

        with self.write() as session:
            return run_in(session, self.context(session), name, args)

    def mutate_many(self, batch: list[tuple[str, dict[str, Any] | BaseModel]]) -> list[Any]:
        """Run several mutations in one transaction: all land or none do."""
        from .mutations.registry import run_in

        with self.write() as session:
            ctx = self.context(session)
            return [run_in(session, ctx, name, args) for name, args in batch]

    def close(self) -> None:
        self._readers.close()
        if self._engines is not None:
            for engine in self._engines:
                engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _ReaderPool:
    """The snapshots' connections, kept open (each with its page cache) and lent
    to one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA query_only=ON")  # a snapshot never writes
        for pragma in _SHARED_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        return conn

    @contextmanager
    def lent(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        conn = conn or self._connect()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("ROLLBACK")  # nothing to keep: it only read
            with self._lock:
                if self._closed:  # the store closed while this one was out
                    conn.close()
                else:
                    self._idle.append(conn)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in self._idle:
                conn.close()
            self._idle.clear()


def open_store(path: str | Path, *, create: bool = True) -> Store:
    """Open (creating or upgrading as needed) the store at ``path``."""
    path = Path(path).expanduser()
    revision, identified = _inspect(path)
    if revision is None and not create:
        raise StoreError(f"{path} does not exist; run `crmtui demo` or create contacts first")
    path.parent.mkdir(parents=True, exist_ok=True)
    if revision != migrate.head_revision():
        migrate.upgrade(path)
    store = Store(path)
    if not identified:  # a new store: it gets its local user now
        from . import settings

        with store.write() as session:
            settings.local_identity(session)
    return store
