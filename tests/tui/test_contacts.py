"""Contacts: create through the form, find in the list and by search, edit,
validation next to the fields, filters, confirm before delete, refused delete."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from textual.widgets import Input

from crmtui.screens.confirm import Confirm
from crmtui.screens.contact_form import ContactForm
from crmtui.screens.contact_screen import ContactScreen
from crmtui.store import Store
from crmtui.widgets.form import FormField

from .conftest import SIZE, list_text, notifications, settle, type_text


def names(store: Store) -> list[str]:
    with store.read() as session:
        return list(
            session.execute(text("SELECT display_name FROM contact ORDER BY sort_key")).scalars()
        )


async def fill(pilot, selector: str, value: str) -> None:
    await pilot.click(selector)
    await type_text(pilot, value)


async def test_create_person_then_find_it_in_list_and_by_search(make_app, store):
    store.mutate("contact.create", {"first_name": "Zed", "last_name": "Zimmer"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, ContactForm)
        await fill(pilot, "#first", "Ada")
        await fill(pilot, "#last", "Lovelace")
        await fill(pilot, "#f-phone-0 Input", "0612345678")
        await fill(pilot, "#f-email-0 Input", "ada@example.org")
        assert "06 12 34 56 78" in str(app.screen.query_one("#f-phone-0", FormField).hint)
        await pilot.press("f2")
        await settle(pilot)
        assert not isinstance(app.screen, ContactForm)
        assert names(store) == ["Ada Lovelace", "Zed Zimmer"]
        shown = list_text(app)
        assert "Ada Lovelace" in shown and "06 12 34 56 78" in shown and "ada@example.org" in shown

        await pilot.press("slash")
        await type_text(pilot, "lovel")
        await settle(pilot)
        assert "Ada Lovelace" in list_text(app) and "Zed Zimmer" not in list_text(app)

        app.screen.query_one("#search", Input).value = ""
        await type_text(pilot, "06.12.34")  # the same digits, written another way
        await settle(pilot)
        assert "Ada Lovelace" in list_text(app) and "Zed Zimmer" not in list_text(app)


async def test_form_shows_errors_next_to_fields_and_saves_nothing(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await fill(pilot, "#f-phone-0 Input", "12")
        await fill(pilot, "#f-email-0 Input", "not-an-address")
        await pilot.press("f2")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        assert form.query_one("#f-last", FormField).has_class("-invalid")
        assert form.query_one("#f-phone-0", FormField).has_class("-invalid")
        assert form.query_one("#f-email-0", FormField).has_class("-invalid")
        await pilot.press("escape")
        await settle(pilot)
        assert names(store) == []


async def test_edit_from_the_card_changes_the_store_and_the_card(make_app, store):
    contact_id = store.mutate("contact.create", {"first_name": "Bob", "last_name": "Stone"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#last", Input).value = ""
        await fill(pilot, "#last", "Marble")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        assert names(store) == ["Bob Marble"]
        assert app.screen.detail is not None and app.screen.detail.id == contact_id
        assert app.screen.detail.display_name == "Bob Marble"


async def test_delete_asks_first_and_no_keeps_the_contact(make_app, store):
    store.mutate("contact.create", {"first_name": "Keep", "last_name": "Me"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(pilot)
        assert names(store) == ["Keep Me"]
        await pilot.press("d", "y")
        await settle(pilot)
        assert names(store) == []
        assert "Keep Me" not in list_text(app)


async def test_deleting_a_contact_with_an_invoice_is_refused_with_the_reason(make_app, store):
    client = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    store.mutate(
        "invoice.create",
        {"client_id": client, "number": "INV0000042", "issue_date": date(2030, 1, 2)},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d", "y")
        await settle(pilot, failures_ok=True)
        assert names(store) == ["Acme"]
        refusal = [m for m in notifications(app) if "INV0000042" in m]
        assert refusal and "cannot delete Acme" in refusal[0]


async def test_filter_by_tag_then_sort(make_app, store):
    store.mutate("contact.create", {"first_name": "Vip", "last_name": "Alpha", "tags": ["vip"]})
    store.mutate("contact.create", {"first_name": "Plain", "last_name": "Beta"})
    store.mutate("contact.create", {"first_name": "Vip", "last_name": "Gamma", "tags": ["vip"]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("tab", "enter", "down", "enter")  # type, then tag: its first tag
        await settle(pilot)
        shown = list_text(app)
        assert "Vip Alpha" in shown and "Vip Gamma" in shown and "Plain Beta" not in shown
        assert shown.index("Vip Alpha") < shown.index("Vip Gamma")
        app.screen.query_one("#list").focus()
        await pilot.press("s")  # name Z to A
        await settle(pilot)
        shown = list_text(app)
        assert shown.index("Vip Gamma") < shown.index("Vip Alpha")
