"""The writer a bulk call import uses: its own engine, commits without fsync.

A million-row import commits a batch every 20,000 calls; with
``synchronous=FULL`` each commit waits for the disk. The import's engine uses
``synchronous=NORMAL`` instead (WAL: never corrupt, but a power cut may undo
the last batches), which is safe because an import is idempotent: running it
again restores them. :func:`sync_and_dispose` makes everything durable when
the import ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from ..store.db import Store, make_engine


def _normal_sync(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA synchronous=NORMAL")
    # A batch inserts at random places in the call indexes, so every commit
    # appends thousands of pages to the WAL. Checkpointing after each (the
    # default, every 1000 pages) copies each page back (and syncs) once per
    # batch; every 50,000 pages, a page rewritten by several batches is copied
    # once. The WAL shrinks back to 64 MiB after each checkpoint.
    dbapi_conn.execute("PRAGMA wal_autocheckpoint=50000")
    dbapi_conn.execute("PRAGMA journal_size_limit=67108864")
    # A million calls' indexes and a million contacts' phone index outgrow the
    # store's usual 64 MiB page cache; every miss is a read from the OS.
    dbapi_conn.execute("PRAGMA cache_size=-262144")


def bulk_engine(store: Store) -> Engine:
    """A writing engine on ``store``'s file whose commits skip the fsync."""
    engine = make_engine(store.path, immediate=True)
    event.listen(engine, "connect", _normal_sync)
    return engine


def sync_and_dispose(engine: Engine) -> None:
    # A checkpoint syncs the WAL first, so every batch committed above is durable.
    raw = engine.raw_connection()  # outside a transaction, which a checkpoint needs
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
    finally:
        raw.close()
    engine.dispose()


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session, session.begin():
        yield session
