"""Snapshots of every main screen at 120x40 on a small fixed data set.

Everything shown is fixed: names, dates (2030, around the frozen "now"), the
local user's name, and the store's file name; ids never appear on screen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crmtui.store import Store

from .conftest import NOW, SIZE, settle

T = datetime(2030, 6, 3, 14, 30, tzinfo=UTC)


def seed(store: Store) -> None:
    with store.read() as session:
        me = store.context(session).user_id
    store.mutate("user.update", {"id": me, "name": "Ada Admin"})
    store.mutate("category.create", {"scope": "contact_type", "name": "client"})
    acme = store.mutate(
        "contact.create",
        {
            "kind": "company",
            "company_name": "Acme SA",
            "tags": ["key account"],
            "phones": [{"raw": "01 42 68 53 00"}],
            "emails": [{"address": "hello@acme.example"}],
        },
    )
    zoe = store.mutate(
        "contact.create",
        {
            "first_name": "Zoé",
            "last_name": "Martin",
            "company_id": acme,
            "title": "Buyer",
            "phones": [{"raw": "06 12 34 56 78", "label": "mobile"}],
            "emails": [{"address": "zoe.martin@acme.example"}],
            "tags": ["vip"],
            "temperature": "hot",
        },
    )
    store.mutate(
        "contact.create",
        {"first_name": "Łukasz", "last_name": "Nowak", "phones": [{"raw": "+48 601 234 567"}]},
    )
    store.mutate(
        "contact.create",
        {
            "kind": "company",
            "company_name": "Globex Ltd",
            "addresses": [{"city": "London", "country": "GB"}],
        },
    )
    store.mutate("stage.create", {"name": "Proposal", "probability": 40})
    deal = store.mutate(
        "opportunity.create",
        {
            "title": "Fleet renewal",
            "contact_id": acme,
            "budget_minor": 1250000,
            "currency": "EUR",
            "expected_close": date(2030, 9, 30),
        },
    )
    store.mutate(
        "activity.create",
        {
            "subject": "Visit at the plant",
            "type": "meeting",
            "contact_id": zoe,
            "starts_at": T,
            "outcome": "success",
            "opportunity_ids": [deal],
        },
    )
    store.mutate(
        "activity.create",
        {
            "subject": "Sent the price list",
            "type": "mail",
            "contact_id": acme,
            "starts_at": T - timedelta(days=2),
        },
    )
    store.mutate(
        "task.create",
        {
            "title": "Call back about delivery",
            "contact_id": zoe,
            "due_at": NOW + timedelta(hours=3),
        },
    )
    store.mutate(
        "task.create",
        {"title": "Chase the PO", "contact_id": acme, "due_at": NOW - timedelta(days=1)},
    )
    store.mutate(
        "invoice.create",
        {
            "client_id": acme,
            "number": "INV0000001",
            "issue_date": date(2030, 5, 31),
            "lines": [{"description": "Service", "unit_price_minor": 99000}],
        },
    )
    store.mutate(
        "call.log",
        {
            "source": "snapshot",
            "source_call_id": "1",
            "contact_id": zoe,
            "remote_raw": "0612345678",
            "remote_e164": "+33612345678",
            "started_at": T + timedelta(hours=1),
            "duration_s": 312,
        },
    )


async def _settled(pilot) -> None:
    await settle(pilot)


@pytest.mark.parametrize(
    "key",
    ["1", "2", "3", "4", "5", "6"],
    ids=["contacts", "activities", "tasks", "opportunities", "invoices", "calls"],
)
def test_main_screen(snap_compare, make_app, store, key):
    seed(store)

    async def show(pilot) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=show)


def test_contact_card(snap_compare, make_app, store):
    seed(store)

    async def open_zoe(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # Acme, Łukasz... sorted: Acme, Globex
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_zoe)


def test_invoice_editor(snap_compare, make_app, store):
    seed(store)

    async def open_invoice(pilot) -> None:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("enter")  # INV0000001, a draft: editable
        await settle(pilot)
        for _ in range(40):  # the first line takes the focus once the editor has read it
            if "l-desc" in getattr(pilot.app.focused, "classes", ()):
                break
            await pilot.pause(0.05)
        pilot.app.focused.cursor_blink = False  # the text cursor shows in every run
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_invoice)


def test_settings_screen(snap_compare, make_app, store):
    seed(store)
    store.mutate("stage.create", {"name": "Won", "probability": 100, "state": "won"})
    store.mutate("stage.create", {"name": "Lost", "probability": 0, "state": "lost"})

    async def open_settings(pilot) -> None:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_settings)


def test_telephony_panel(snap_compare, make_app, store):
    """The screen pop of a known caller, over the contacts list."""
    from crmtui.telephony.events import CallEvent

    seed(store)
    ring = CallEvent(
        source="sip",
        source_call_id="snapshot-1",
        kind="ringing",
        direction="inbound",
        status="ringing",
        remote_raw="+33612345678",
        remote_e164="+33612345678",
        local_party="201",
        started_at=NOW - timedelta(seconds=5),
    )

    async def pop(pilot) -> None:
        await settle(pilot)
        pilot.app._desks()  # no telephony source configured: made when first asked for
        desk = pilot.app.telephony
        desk.status, desk.listening = "Listening: sip 127.0.0.1:5060", True
        desk.heard(ring)
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=pop)
