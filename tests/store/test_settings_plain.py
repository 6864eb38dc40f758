"""The app reads its settings with plain SQL at launch (no ORM models loaded):
the values must be those the ORM reads, whatever JSON type they hold, and an
up-to-date store opens without writing anything."""

from __future__ import annotations

from pathlib import Path

from crmtui.store import open_store, settings
from crmtui.store.sql import connection_of


def test_plain_values_match_what_the_orm_reads(store):
    store.mutate("setting.set", {"key": "default_region", "value": "PL"})
    store.mutate("setting.set", {"key": "invoice_next_number", "value": 42})
    store.mutate(
        "setting.set", {"key": "company_profile", "value": {"name": "Ąćme", "address": "1 rue X"}}
    )
    keys = ("default_region", "locale", "invoice_next_number", "company_profile")
    with store.read() as session:
        plain = settings.plain_values(connection_of(session), *keys)
        orm = settings.all_settings(session)
    assert plain == {key: orm[key] for key in keys}
    assert plain["default_region"] == "PL"
    assert plain["locale"] == settings.DEFAULTS["locale"]  # never set: the default


def test_reopening_a_store_keeps_its_identity_without_a_write(store_path: Path):
    with open_store(store_path) as first, first.read() as session:
        identity = settings.local_identity(session).client_id
    before = store_path.stat().st_mtime_ns
    with open_store(store_path) as again, again.read() as session:
        assert settings.local_identity(session).client_id == identity
    assert store_path.stat().st_mtime_ns == before
