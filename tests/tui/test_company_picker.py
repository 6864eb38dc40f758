"""A person's company is picked from the companies matching what is typed;
namesakes are marked and told apart, and a bare ambiguous name is refused."""

from __future__ import annotations

from sqlalchemy import text
from textual.widgets import OptionList

from crmtui.screens.contact_form import ContactForm
from crmtui.store import Store
from crmtui.widgets.form import FormField

from .conftest import SIZE, settle, type_text


def company(store: Store, name: str, city: str) -> str:
    address = {"label": "work", "street": "1 rue", "postcode": "1", "city": city, "country": "FR"}
    return str(
        store.mutate(
            "contact.create", {"kind": "company", "company_name": name, "addresses": [address]}
        )
    )


def company_of(store: Store, last_name: str) -> str | None:
    """The company of the person saved as ``last_name``; "unsaved" if none was."""
    with store.read() as session:
        row = session.execute(
            text("SELECT company_id FROM contact WHERE last_name = :n"), {"n": last_name}
        ).first()
    return row[0] if row else "unsaved"


async def test_typing_lists_companies_and_namesakes_must_be_picked(make_app, store):
    company(store, "Acme", "Lyon")
    acme_lille = company(store, "Acme", "Lille")
    company(store, "Acme Tools", "Paris")
    company(store, "Globex", "Nantes")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, ContactForm)
        await pilot.click("#last")
        await type_text(pilot, "Curie")
        await pilot.click("#company")
        await type_text(pilot, "acm")
        await settle(pilot)
        hits = form.query_one("#company-hits", OptionList)
        shown = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert len(shown) == 3 and not any("Globex" in s for s in shown)
        assert sum("same name" in s for s in shown) == 2
        assert any("Lille" in s for s in shown) and any("Lyon" in s for s in shown)

        await type_text(pilot, "e")  # "acme": both namesakes match exactly
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm), "an ambiguous name is not saved"
        error = form.query_one("#f-company", FormField)
        assert error.has_class("-invalid")
        assert company_of(store, "Curie") == "unsaved"

        await pilot.press("down")
        while "Lille" not in str(hits.get_option_at_index(hits.highlighted or 0).prompt):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert not error.has_class("-invalid")
        await pilot.press("f2")
        await settle(pilot)
        assert not isinstance(app.screen, ContactForm)
        assert company_of(store, "Curie") == acme_lille


async def test_a_unique_name_typed_in_full_needs_no_picking(make_app, store):
    globex = company(store, "Globex", "Nantes")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.click("#last")
        await type_text(pilot, "Simpson")
        await pilot.click("#company")
        await type_text(pilot, "GLOBEX")
        await pilot.press("f2")
        await settle(pilot)
        assert company_of(store, "Simpson") == globex

        await pilot.press("n")
        await pilot.click("#last")
        await type_text(pilot, "Nobody")
        await pilot.click("#company")
        await type_text(pilot, "Initech")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ContactForm), "an unknown company is refused"
        assert app.screen.query_one("#f-company", FormField).has_class("-invalid")
