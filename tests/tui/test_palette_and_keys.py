"""The command palette runs registry commands and finds records; the config
file remaps keys by command id and picks the theme; ? shows every binding."""

from __future__ import annotations

from datetime import date

from textual.command import CommandPalette
from textual.widgets import HelpPanel

from crmtui.config import load_config
from crmtui.screens.contact_form import ContactForm
from crmtui.screens.contact_screen import ContactScreen
from crmtui.screens.contacts import ContactsScreen
from crmtui.screens.invoices import InvoiceEditor
from crmtui.screens.tasks import TasksScreen
from crmtui.widgets.keys_footer import KeysFooter

from .conftest import SIZE, settle, type_text


async def palette(pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await type_text(pilot, query)
    await pilot.pause(0.5)  # the palette searches as you type, in the background
    await settle(pilot)


async def test_palette_finds_a_contact_by_name_and_opens_it(make_app, store):
    store.mutate("contact.create", {"first_name": "Zora", "last_name": "Quintero"})
    store.mutate("contact.create", {"first_name": "Other", "last_name": "Person"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "quinte")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        assert app.screen.detail.display_name == "Zora Quintero"


async def test_palette_finds_an_invoice_by_number_and_opens_the_editor(make_app, store):
    client = store.mutate("contact.create", {"kind": "company", "company_name": "Billed SA"})
    store.mutate(
        "invoice.create",
        {"client_id": client, "number": "INV0000777", "issue_date": date(2030, 1, 2)},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "INV00007")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)
        assert "Billed SA" in str(app.screen.query_one("#client").label)


async def test_palette_runs_a_command_from_the_registry(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "create a person")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)


async def test_keymap_in_the_config_file_remaps_by_command_id(make_app, store, config_file):
    config_file.write_text(
        'theme = "nord"\n[keymap]\n"contacts.new_person" = "ctrl+n"\n"app.tasks" = "f3"\n'
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)  # n no longer opens the form
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm)
        await pilot.press("escape", "3")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, TasksScreen)


async def test_a_theme_chosen_in_the_app_is_saved_to_the_config(make_app, store, config_file):
    config_file.write_text('[keymap]\n"contacts.sort" = "o"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "gruvbox"
        await settle(pilot)
    assert load_config(config_file) == {"keymap": {"contacts.sort": "o"}, "theme": "gruvbox"}


async def test_question_mark_shows_every_binding(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.query(HelpPanel)
        await pilot.press("question_mark")
        await settle(pilot)
        assert not app.screen.query(HelpPanel)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(make_app, store, monkeypatch):
    store.mutate("contact.create", {"first_name": "Zora", "last_name": "Quintero"})
    app = make_app()
    rebuilds: list[str] = []
    rebuild = KeysFooter.recompose

    async def counted(self: KeysFooter) -> None:
        rebuilds.append(type(self.screen).__name__)
        await rebuild(self)

    monkeypatch.setattr(KeysFooter, "recompose", counted)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rebuilds.clear()
        app.screen.refresh_bindings()
        app.screen.refresh_bindings()
        await settle(pilot)
        assert rebuilds == []  # asked twice, nothing changed
        footer = app.screen.query_one(KeysFooter)
        before = [str(k.render()) for k in footer.query("FooterKey")]
        await pilot.press("slash")  # into the search field: the list's keys go
        await settle(pilot)
        assert rebuilds == ["ContactsScreen"]
        assert [str(k.render()) for k in footer.query("FooterKey")] != before
