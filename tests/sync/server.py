"""A real sync server on a free loopback port, in a thread, for tests."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from crmtui.store import Store, migrate, open_store
from crmtui.sync import accounts
from crmtui.sync.app import create_app
from crmtui.sync.client import Client
from crmtui.sync.serverdb import Database, open_database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving the sync app; stop() and start() again on the same port."""

    def __init__(self, db_url: str, *, migrated: bool = False) -> None:
        self.db: Database = open_database(db_url, run_migrations=not migrated)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LiveServer:
        config = uvicorn.Config(
            create_app(self.db),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._server = None

    def add_user(self, name: str, role: str = "user", scope: str = "subset") -> tuple[str, str]:
        with self.db.write() as session:
            return accounts.add_user(session, name, role, scope)

    def close(self) -> None:
        self.stop()
        self.db.dispose()


_TEMPLATE: list[Path] = []


def migrated_copy(path: Path) -> Path:
    """A migrated, empty database file at ``path``, copied from one migrated once
    per test run (migrating each one would cost a second or two)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="crmtui-sync-template-"))
        migrate.upgrade(folder / "template.db")
        _TEMPLATE.append(folder / "template.db")
    shutil.copyfile(_TEMPLATE[0], path)
    return path


def fresh_store(path: Path) -> Store:
    return open_store(migrated_copy(path))  # gives the copy its own client id and user


class Laptop:
    """One user's store and client, as a laptop would hold them."""

    def __init__(
        self, path: Path, server: LiveServer, token: str, *, fresh: bool = True, **client_kw: object
    ) -> None:
        self.path, self.server, self.token = path, server, token
        self.store: Store = fresh_store(path) if fresh else open_store(path)
        self.client = Client(server.url, token, **client_kw)  # type: ignore[arg-type]

    def reopen(self) -> None:
        """As if the process died and started again on the same file."""
        self.close()
        self.store = open_store(self.path)
        self.client = Client(self.server.url, self.token)

    def close(self) -> None:
        self.client.close()
        self.store.close()


def server_view(server: LiveServer, user_id: str) -> dict[tuple[str, str], dict[str, object]]:
    """What the server says this user's store must hold: every record, as sent."""
    from crmtui.store.models import SyncAccount, User
    from crmtui.sync import pull, subset

    with server.db.snapshot() as session:
        role = session.get(User, user_id).role  # type: ignore[union-attr]
        scope = session.get(SyncAccount, user_id).scope  # type: ignore[union-attr]
        conn = session.connection()
        keys = subset.versions(conn, subset.Viewer(user_id=user_id, role=role, scope=scope))
        patch = pull.patch_for(conn, sorted(keys), keys)
    return {(p["tbl"], p["id"]): _canon(p) for p in patch}


def store_view(store: Store) -> dict[tuple[str, str], dict[str, object]]:
    """Every synced record in a client's store, in the same shape."""
    from crmtui.sync import pull, schema

    with store.read() as session:
        conn = session.connection()
        keys = {}
        for name, root in schema.roots().items():
            for rid, version in conn.execute(
                root.table.select().with_only_columns(root.pk, root.table.c.version)
            ):
                keys[(name, str(rid))] = version
        patch = pull.patch_for(conn, sorted(keys), keys)
    return {(p["tbl"], p["id"]): _canon(p) for p in patch}


def _canon(entry: dict[str, Any]) -> dict[str, object]:
    data = dict(entry)
    data["children"] = {
        k: sorted(v, key=lambda r: sorted((a, str(b)) for a, b in r.items()))
        for k, v in data["children"].items()
    }
    return data
