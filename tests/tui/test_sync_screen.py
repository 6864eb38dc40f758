"""Sync inside the TUI, against a real sync server (uvicorn on loopback).

The app syncs by itself (at start, after a local write, when the server's
long-poll says something changed); the status bar tells how it went; the
Sync screen lists the outbox, refusals and conflicts, and re-applies my
value; followed records changed by someone else become notifications.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from sqlalchemy import text
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from crmtui.app import CrmApp
from crmtui.screens.contact_form import ContactForm
from crmtui.screens.contact_screen import ContactScreen
from crmtui.screens.notifications import NotificationsScreen
from crmtui.screens.sync import SyncScreen
from crmtui.store import Store
from crmtui.store.models import OutboxEntry, SyncConflict, SyncRejected
from crmtui.sync import review
from crmtui.sync.cycle import run_cycle
from crmtui.widgets.status_bar import StatusBar

from ..sync.server import Laptop, LiveServer, migrated_copy
from .conftest import SIZE, notifications, settle, type_text


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """A sync server on SQLite, not started yet."""
    server = LiveServer(f"sqlite:///{migrated_copy(tmp_path / 'server.db')}", migrated=True)
    yield server
    server.close()


def connect(config_file: Path, server: LiveServer, name: str) -> None:
    """Point the app's config at ``server`` as a new user who sees every record."""
    _uid, token = server.add_user(name, "user", scope="all")
    sync = {"server": server.url, "token": token, "interval": 3600}  # only pokes and signals
    config_file.write_text(tomli_w.dumps({"sync": sync}))


def other(server: LiveServer, tmp_path: Path, name: str) -> Laptop:
    _uid, token = server.add_user(name, "user", scope="all")
    return Laptop(tmp_path / f"{name}.db", server, token)


def synced(lap: Laptop) -> None:
    outcome = run_cycle(lap.store, lap.client)
    assert outcome.ok, outcome.error


def status(app: CrmApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def until(pilot: Pilot[Any], check: Callable[[], object], timeout: float = 60) -> None:
    """Wait for the background sync (threads, not workers) to get somewhere."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.1)


def on_server(server: LiveServer, sql: str) -> list[Any]:
    with server.db.snapshot() as session:
        return list(session.execute(text(sql)).scalars())


def title_of(store: Store, contact_id: str) -> str:
    with store.read() as session:
        return str(
            session.execute(
                text("SELECT title FROM contact WHERE id = :id"), {"id": contact_id}
            ).scalar_one()
        )


async def new_person(pilot: Pilot[Any], first: str) -> None:
    await pilot.press("1", "n")
    assert isinstance(pilot.app.screen, ContactForm)
    await pilot.click("#first")
    await type_text(pilot, first)
    await pilot.press("f2")
    await settle(pilot)


async def test_status_bar_shows_offline_and_pending_then_synced(make_app, store, config_file, live):
    connect(config_file, live, "bob")  # the server is not running yet
    store.mutate("contact.create", {"first_name": "Early", "last_name": "Bird"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "offline since" in status(app))
        assert "1 pending" in status(app)
        await pilot.press("7")
        assert isinstance(app.screen, SyncScreen)
        await until(pilot, lambda: app.screen.query_one("#outbox", DataTable).row_count == 1)
        # Started only now: the loop's retry would otherwise empty the outbox first.
        live.start()
        await pilot.press("s")  # sync now, without waiting for the backoff
        await until(pilot, lambda: "synced" in status(app) and "nothing pending" in status(app))
        # The screen reads again in its own worker when the desk says so.
        await until(pilot, lambda: app.screen.query_one("#outbox", DataTable).row_count == 0)
    assert on_server(live, "SELECT display_name FROM contact") == ["Early Bird"]


async def test_a_local_write_syncs_and_an_outage_shows_offline_since(
    make_app, store, config_file, live
):
    connect(config_file, live, "bob")
    live.start()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "synced" in status(app))
        await new_person(pilot, "Written")
        await until(pilot, lambda: on_server(live, "SELECT first_name FROM contact") == ["Written"])
        await until(pilot, lambda: "nothing pending" in status(app))
        live.stop()
        await new_person(pilot, "Unsent")
        await until(pilot, lambda: "offline since" in status(app))
        now = datetime.now().astimezone()
        assert f"offline since {now:%H:}" in status(app) and "1 pending" in status(app)


async def test_a_conflict_shows_on_the_sync_screen_and_mine_can_be_reapplied(
    make_app, store, config_file, live, tmp_path
):
    live.start()
    ann = other(live, tmp_path, "ann")
    synced(ann)
    cid = str(ann.store.mutate("contact.create", {"first_name": "Disputed", "last_name": "X"}))
    synced(ann)
    connect(config_file, live, "bob")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "synced" in status(app))
        with store.read() as session:
            base = session.execute(
                text("SELECT version FROM contact WHERE id = :id"), {"id": cid}
            ).scalar_one()
        ann.store.mutate("contact.update", {"id": cid, "title": "from ann", "base_version": base})
        synced(ann)
        store.mutate("contact.update", {"id": cid, "title": "from bob", "base_version": base})
        await pilot.press("7", "s")
        table = app.screen.query_one("#conflicts", DataTable)
        await until(pilot, lambda: table.row_count == 1)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[1:5] == ["contact Disputed X", "title", "'from bob'", "'from ann'"]
        assert row[5] == "ann"
        await pilot.press("r")
        await until(pilot, lambda: table.row_count == 0)
        await until(pilot, lambda: on_server(live, "SELECT title FROM contact") == ["from bob"])
        assert review.conflicts(store) == []
    synced(ann)
    assert title_of(ann.store, cid) == "from bob"
    ann.close()


async def test_a_followed_contact_changed_by_another_user_is_notified(
    make_app, store, config_file, live, tmp_path
):
    live.start()
    ann = other(live, tmp_path, "ann")
    synced(ann)
    cid = str(ann.store.mutate("contact.create", {"first_name": "Watched", "last_name": "One"}))
    synced(ann)
    connect(config_file, live, "bob")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "synced" in status(app))
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")  # the only contact
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("f")
        await settle(pilot)
        assert "Following" in notifications(app)[-1]
        await until(pilot, lambda: on_server(live, "SELECT entity_id FROM follow") == [cid])
        await until(pilot, lambda: "nothing pending" in status(app))
        with ann.store.read() as session:
            version = session.execute(
                text("SELECT version FROM contact WHERE id = :id"), {"id": cid}
            ).scalar_one()
        ann.store.mutate("contact.update", {"id": cid, "title": "CEO", "base_version": version})
        synced(ann)  # bob's long-poll hears of it and pulls
        await until(pilot, lambda: any("ann" in n for n in notifications(app)))
        await pilot.press("escape", "8")
        assert isinstance(app.screen, NotificationsScreen)
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 1)
        assert "ann" in str(table.get_row_at(0)[3]) and str(table.get_row_at(0)[0]) == "●"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == cid
        assert review.notifications(store, unread_only=True) == []
    ann.close()


def seed_sync_log(store: Store) -> None:
    """Pending changes, a refusal and a conflict, as a sync would have left them."""
    at = datetime(2030, 6, 12, 9, 30, tzinfo=UTC)
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "last_name": "Martin"})
    store.mutate("contact.update", {"id": zoe, "title": "Buyer", "website": "https://zoe.example"})
    with store.write() as session:
        for entry in session.exec(select(OutboxEntry)):
            entry.created_at = at
            session.add(entry)
        session.add(
            SyncRejected(
                seq=7,
                mutation_id=1,
                name="contact.delete",
                args={"id": zoe},
                reason="contact.delete: read-only users cannot change anything",
                at=at,
            )
        )
        session.add(
            SyncConflict(
                seq=8,
                mutation_id=2,
                name="contact.update",
                tbl="contact",
                row_id=zoe,
                field="title",
                mine="Buyer",
                theirs="Head of purchasing",
                by_user="ann",
                at=at,
            )
        )


def test_sync_screen_snapshot(snap_compare, make_app, store):
    seed_sync_log(store)

    async def show(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=show)
