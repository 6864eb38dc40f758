"""Fixtures every test area shares: real store files, the real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmtui.store import Store, open_store

PG_URL = os.environ.get("CRMTUI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "crm.db"


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    """A fresh, migrated SQLite store in a temporary file."""
    opened = open_store(store_path)
    yield opened
    opened.close()


def require_service(name: str, reason: str) -> None:
    """Skip on a user's machine without ``name``; fail loudly in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} not available: {reason}")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The machine's PostgreSQL (trust auth, database ``test``)."""
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3):
            pass
    except Exception as exc:  # any failure to connect means "not available"
        require_service("PostgreSQL", str(exc))
    return PG_URL
