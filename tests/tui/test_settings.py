"""The admin settings screen, driven with the keyboard on a real store."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from textual.widgets import DataTable, OptionList, Select

from crmtui.screens.settings import SettingsScreen
from crmtui.store import Store
from crmtui.store.queries.contact_detail import contact_detail

from .conftest import list_text, settle, type_text


def table_rows(app: Any) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#settings-table", DataTable)
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def open_section(pilot: Any, title: str) -> None:
    """Open the settings and the section called ``title``; focus its table."""
    await pilot.press("comma")
    await settle(pilot)
    sections = pilot.app.screen.query_one("#settings-sections", OptionList)
    titles = [sections.get_option_at_index(i).prompt for i in range(sections.option_count)]
    sections.highlighted = titles.index(title)
    await settle(pilot)
    await pilot.press("enter")  # into the table
    await settle(pilot)


async def new_in(pilot: Any, title: str) -> None:
    """Open the section called ``title`` and its form for a new record."""
    await open_section(pilot, title)
    await pilot.press("n")
    await settle(pilot)


def scalar(store: Store, sql: str) -> Any:
    with store.read() as session:
        return session.execute(text(sql)).scalar()


async def test_edit_a_stage_probability_and_see_it(make_app, store: Store) -> None:
    store.mutate("stage.create", {"name": "Lead", "probability": 10})
    store.mutate("stage.create", {"name": "Proposal", "probability": 40})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_section(pilot, "Stages")
        assert table_rows(app)[1][:2] == ("Proposal", "40 %")
        await pilot.press("down", "e")
        await settle(pilot)
        await pilot.press("tab")  # name -> probability (its text selected)
        await type_text(pilot, "55")
        await pilot.press("f2")
        await settle(pilot)
        assert table_rows(app)[1][:2] == ("Proposal", "55 %")
    assert scalar(store, "SELECT probability FROM stage WHERE name = 'Proposal'") == 55


async def test_add_a_tax_then_a_product_using_it(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await new_in(pilot, "Taxes")
        await type_text(pilot, "VAT 20%")
        await pilot.press("tab")
        await type_text(pilot, "20")
        await pilot.press("f2")
        await settle(pilot)
        assert table_rows(app) == [("VAT 20%", "20 %", "yes")]
        await pilot.press("escape")  # close the settings
        await settle(pilot)
        await new_in(pilot, "Products")
        await type_text(pilot, "Consulting day")
        await pilot.press("tab")
        await type_text(pilot, "CONS")
        await pilot.press("tab", "tab")  # past the kind (product)
        await type_text(pilot, "650,50")
        await pilot.press("tab", "tab")  # past the currency (EUR, the default)
        await pilot.press("enter", "down", "enter")  # default tax: VAT 20%
        await pilot.press("f2")
        await settle(pilot)
        assert table_rows(app) == [
            ("Consulting day", "CONS", "product", "650,50\xa0€", "VAT 20%", "yes")
        ]
    with store.read() as session:
        row = session.execute(
            text(
                "SELECT p.price_minor, p.currency, t.name "
                "FROM product p JOIN tax t ON t.id = p.tax_id"
            )
        ).one()
    assert tuple(row) == (65050, "EUR", "VAT 20%")


async def test_a_bad_value_is_named_under_its_field(make_app, store: Store) -> None:
    store.mutate("stage.create", {"name": "Lead", "probability": 10})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await new_in(pilot, "Stages")
        await type_text(pilot, "Lead")  # taken: the store refuses it
        await pilot.press("tab")
        await type_text(pilot, "150")  # out of range: the form refuses it
        await pilot.press("f2")
        await settle(pilot)
        form = app.screen
        assert "Probability of success (%): 150 is not a whole number from 0 to 100" in str(
            form.query_one("#form-error").render()
        )
        assert form.query_one("#f-probability").has_class("-invalid")
        assert form.focused is form.query_one("#v-probability")  # the field in error
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "50")
        await pilot.press("f2")
        await settle(pilot)
        assert form.query_one("#f-name").has_class("-invalid")
        assert "Name: 'Lead' already exists" in str(form.query_one("#form-error").render())
    assert scalar(store, "SELECT count(*) FROM stage") == 1


async def test_a_choice_field_is_filled_in_the_contact_form(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await new_in(pilot, "Contact fields")
        await type_text(pilot, "Size")
        await pilot.press("tab", "enter", "down", "down", "down", "enter")  # kind: choice
        await pilot.press("tab")
        await type_text(pilot, "S, M, L")
        await pilot.press("f2")
        await settle(pilot)
        assert table_rows(app) == [("Size", "choice", "S, M, L")]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("n")  # a new person
        await settle(pilot)
        await type_text(pilot, "Zoé")
        app.screen.query_one("#custom-0", Select).focus()
        await pilot.press("enter", "down", "down", "enter")  # (none), S, M
        await pilot.press("f2")
        await settle(pilot)
    with store.read() as session:
        contact_id = session.execute(text("SELECT id FROM contact")).scalar_one()
        detail = contact_detail(session, contact_id)
    assert detail is not None
    assert [(c.name, c.value) for c in detail.custom] == [("Size", "M")]


async def test_a_non_admin_sees_settings_read_only(make_app, store: Store) -> None:
    store.mutate("tax.create", {"name": "VAT 20%", "rate": "20"})
    with store.read() as session:
        me = store.context(session).user_id
    store.mutate("user.update", {"id": me, "role": "user"})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_section(pilot, "Taxes")
        note = app.screen.query_one("#settings-readonly")
        assert "only an admin can change settings (you are a user)" in str(note.render())
        assert note.display
        for key in ("n", "e", "enter", "d"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, SettingsScreen)  # no form, no question
        assert table_rows(app) == [("VAT 20%", "20 %", "yes")]
    assert scalar(store, "SELECT count(*) FROM tax") == 1


async def test_stages_reorder_and_delete_after_confirming(make_app, store: Store) -> None:
    store.mutate("stage.create", {"name": "Lead", "probability": 10})
    store.mutate("stage.create", {"name": "Proposal", "probability": 40})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_section(pilot, "Stages")
        await pilot.press("shift+down")  # Lead goes after Proposal; the cursor follows it
        await settle(pilot)
        assert [r[0] for r in table_rows(app)] == ["Proposal", "Lead"]
        assert app.screen.query_one("#settings-table", DataTable).cursor_row == 1
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("n")  # keep it
        await settle(pilot)
        assert [r[0] for r in table_rows(app)] == ["Proposal", "Lead"]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert [r[0] for r in table_rows(app)] == ["Proposal"]


async def test_a_tag_is_merged_into_another(make_app, store: Store) -> None:
    store.mutate("contact.create", {"first_name": "Zoé", "tags": ["vip"]})
    store.mutate("contact.create", {"first_name": "Ann", "tags": ["VIP client"]})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_section(pilot, "Tags")
        assert table_rows(app) == [("VIP client", "1"), ("vip", "1")]
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter", "down", "enter", "f2")  # into: vip
        await settle(pilot)
        assert table_rows(app) == [("vip", "2")]


async def test_custom_values_are_checked_in_the_form_and_shown_on_the_card(
    make_app, store: Store
) -> None:
    store.mutate(
        "custom_field.create", {"entity": "contact", "name": "Employees", "kind": "number"}
    )
    zoe = store.mutate("contact.create", {"first_name": "Zoé"})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "e")  # open Zoé, edit her
        await settle(pilot)
        app.screen.query_one("#custom-0").focus()
        await type_text(pilot, "lots")
        await pilot.press("f2")
        await settle(pilot)
        field = app.screen.query_one("#f-custom-0")
        assert field.has_class("-invalid")
        assert "Employees: 'lots' is not a number" in str(
            field.query_one(".form-field--note").render()
        )
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "1 200")
        await pilot.press("f2")
        await settle(pilot)
        assert re.search(r"Employees +1200", list_text(app, "#card"))
    with store.read() as session:
        detail = contact_detail(session, zoe)
    assert detail is not None and [(c.name, c.value) for c in detail.custom] == [
        ("Employees", "1200")
    ]


async def test_the_palette_opens_the_settings(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "admin settings")
        await pilot.pause(0.5)  # the palette searches as you type, in the background
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SettingsScreen)


async def test_deleting_a_stage_with_deals_asks_where_they_go(make_app, store: Store) -> None:
    lead = store.mutate("stage.create", {"name": "Lead", "probability": 10})
    store.mutate("stage.create", {"name": "Proposal", "probability": 40})
    store.mutate("opportunity.create", {"title": "Fleet renewal", "stage_id": lead})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_section(pilot, "Stages")
        assert table_rows(app)[0] == ("Lead", "10 %", "open", "1")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter", "down", "enter", "f2")  # move it to Proposal
        await settle(pilot)
        assert table_rows(app) == [("Proposal", "40 %", "open", "1")]
    assert scalar(store, "SELECT s.name FROM opportunity o JOIN stage s ON s.id = o.stage_id") == (
        "Proposal"
    )


async def test_a_new_locale_applies_at_once(make_app, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_section(pilot, "Region and locale")
        assert table_rows(app) == [("Default region", "FR"), ("Locale", "fr_FR")]
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab")
        await type_text(pilot, "xx")
        await pilot.press("f2")
        await settle(pilot)
        assert "Locale: 'xx' is not a locale" in str(app.screen.query_one("#form-error").render())
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "en-GB")
        await pilot.press("f2")
        await settle(pilot)
        assert table_rows(app)[1] == ("Locale", "en_GB")
        assert app.ctx.locale == "en_GB"
