"""Sync fixtures: real servers (uvicorn on loopback) on SQLite and PostgreSQL.

PostgreSQL: one template database migrated once per test session, and a
fresh copy of it per test, all named after this process and dropped at the
end, so that several test runs can share the machine's server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from crmtui.store.migrate import upgrade_url

from .server import LiveServer, migrated_copy


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _with_db(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template(pg_url: str) -> Iterator[str]:
    name = f"crmtui_sync_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(_admin_dsn(pg_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade_url(_with_db(pg_url, name))
        yield name
    finally:
        with psycopg.connect(_admin_dsn(pg_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_db(pg_url: str, pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test."""
    name = f"crmtui_sync_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_dsn(pg_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    try:
        yield _with_db(pg_url, name)
    finally:
        with psycopg.connect(_admin_dsn(pg_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{migrated_copy(tmp_path / 'server.db')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: Any, tmp_path: Path) -> Iterator[LiveServer]:
    """A running sync server on each backend."""
    sqlite = request.param == "sqlite"
    url = _sqlite_url(tmp_path) if sqlite else request.getfixturevalue("pg_db")
    live = LiveServer(url, migrated=True).start()
    yield live
    live.close()


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A running sync server on its embedded default, SQLite."""
    live = LiveServer(_sqlite_url(tmp_path), migrated=True).start()
    yield live
    live.close()
