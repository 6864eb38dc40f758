"""The telephony panel: the app runs the ring-only SIP agent of its config
file, and real UDP INVITEs pop the caller's card, offer to create an unknown
caller, and end in the wrap-up (or just a missed call)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from rich.console import Console
from sqlalchemy import text
from textual.widgets import Static

from crmtui.screens.calls.wrapup_form import WrapupForm
from crmtui.screens.telephony.panel import TelephonyPanel

from .conftest import NOW, SIZE, notifications, settle, type_text
from .pbx import Pbx


def seed(store) -> dict[str, str]:
    acme = store.mutate("contact.create", {"kind": "company", "company_name": "Acme SA"})
    zoe = store.mutate(
        "contact.create",
        {
            "first_name": "Zoé",
            "last_name": "Martin",
            "title": "Buyer",
            "company_id": acme,
            "phones": [{"raw": "06 12 34 56 78"}],
        },
    )
    store.mutate(
        "activity.create",
        {"subject": "Visit at the plant", "type": "meeting", "contact_id": zoe, "starts_at": NOW},
    )
    store.mutate("stage.create", {"name": "Proposal", "probability": 40})
    store.mutate(
        "opportunity.create",
        {"title": "Fleet renewal", "contact_id": acme, "budget_minor": 1250000, "currency": "EUR"},
    )
    store.mutate(
        "task.create",
        {"title": "Send the contract", "contact_id": zoe, "due_at": NOW + timedelta(days=1)},
    )
    return {"zoe": zoe, "acme": acme}


@pytest.fixture
def sip_config(config_file):
    config_file.write_text('[telephony]\nsip = "udp://127.0.0.1:0"\nregion = "FR"\n')
    return config_file


async def until(pilot, condition: Callable[[], bool], timeout: float = 10) -> None:
    async def poll() -> None:
        while not condition():
            await pilot.pause(0.02)

    await asyncio.wait_for(poll(), timeout)


def panel_text(app) -> str:
    """What the panel shows, as plain lines."""
    panel = app.screen.query_one(TelephonyPanel)
    console = Console(width=44, file=io.StringIO(), record=True)
    for part in panel.query(Static):
        console.print(part.content)
    return console.export_text()


async def listening(pilot) -> Pbx:
    await settle(pilot)
    desk = pilot.app.telephony
    await until(pilot, lambda: desk.listening)
    return Pbx(desk.addresses["sip"])


def calls(store) -> list[tuple]:
    with store.read() as session:
        return [
            tuple(r)
            for r in session.execute(
                text(
                    "SELECT source, status, contact_id, wrapup_description FROM call "
                    "ORDER BY started_at"
                )
            )
        ]


async def test_an_invite_pops_the_card_and_the_answer_opens_the_wrapup(make_app, store, sip_config):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pbx = await listening(pilot)
        panel = app.screen.query_one(TelephonyPanel)
        assert not panel.display
        pbx.ring("c1", "+33612345678", "Zoe M")
        await until(pilot, lambda: "Zoé Martin" in panel_text(app))
        assert panel.display and panel.has_focus
        shown = panel_text(app)
        for expected in ("RINGING", "Buyer · Acme SA", "Visit at the plant", "Fleet renewal"):
            assert expected in shown
        assert "Send the contract" in shown
        pbx.cancel("c1", answered_elsewhere=True)  # the desk phone took the call
        await until(pilot, lambda: isinstance(app.screen, WrapupForm) and app.screen.detail)
        await type_text(pilot, "Wants a quote")
        await pilot.press("f2")
        await settle(pilot)
        assert not isinstance(app.screen, WrapupForm)
        assert "Wrap-up saved" in notifications(app)
        assert "ANSWERED" in panel_text(app)
        pbx.close()
    assert calls(store) == [("sip", "answered", ids["zoe"], "Wants a quote")]


async def test_escape_skips_the_wrapup(make_app, store, sip_config):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pbx = await listening(pilot)
        pbx.ring("c2", "0612345678")
        await until(pilot, lambda: "Zoé Martin" in panel_text(app))
        pbx.cancel("c2", answered_elsewhere=True)
        await until(pilot, lambda: isinstance(app.screen, WrapupForm))
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, WrapupForm)
        pbx.close()
    assert [c[3] for c in calls(store)] == [""]


async def test_an_unknown_caller_is_created_with_one_key(make_app, store, sip_config):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pbx = await listening(pilot)
        pbx.ring("c3", "+33699887766", "Alice Dupont")
        await until(pilot, lambda: "New caller" in panel_text(app))
        assert "Alice Dupont (caller ID)" in panel_text(app)
        await pilot.press("n")
        await until(pilot, lambda: "n: create" not in panel_text(app))
        await settle(pilot)
        assert "Alice Dupont" in panel_text(app).splitlines()[3]
        assert any("Created Alice Dupont" in n for n in notifications(app))
        pbx.cancel("c3")  # the caller gave up: missed, and no wrap-up to fill
        await until(pilot, lambda: "MISSED" in panel_text(app))
        await settle(pilot)
        assert not isinstance(app.screen, WrapupForm)
        pbx.close()
    with store.read() as session:
        contact = session.execute(
            text(
                "SELECT ct.first_name, ct.last_name, ct.origin, c.status FROM call c "
                "JOIN contact ct ON ct.id = c.contact_id WHERE c.source = 'sip'"
            )
        ).one()
    assert tuple(contact) == ("Alice", "Dupont", "call", "missed")


async def test_without_sources_the_panel_says_how_to_set_them(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        panel = app.screen.query_one(TelephonyPanel)
        assert panel.display and panel.has_focus
        assert "Telephony is off" in panel_text(app)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert not panel.display
