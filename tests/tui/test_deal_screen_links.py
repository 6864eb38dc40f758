"""What a deal links to: its custom fields in the form and on its screen, an
invoice made from it (``i``), following it (``f``), the palette opening deals
and invoices themselves; and the board opening from one read, with a column
far longer than a screenful."""

from __future__ import annotations

import io
from datetime import date, timedelta

from rich.console import Console
from sqlalchemy import text
from textual.command import CommandPalette
from textual.widgets import Input, Select, Static

from crmtui.screens.contacts import ContactsScreen
from crmtui.screens.invoices import InvoiceEditor
from crmtui.screens.opportunities import OpportunitiesScreen
from crmtui.screens.opportunities.board import PipelineBoard
from crmtui.screens.opportunities.deal_form import DealForm
from crmtui.screens.opportunities.deal_screen import DealScreen
from crmtui.screens.palette import CrmCommands
from crmtui.store import Store
from crmtui.store.ids import new_id
from crmtui.store.queries.board import StageCards

from .conftest import SIZE, notifications, settle, type_text


def seed(store: Store) -> dict[str, str]:
    ids = {
        "lead": store.mutate("stage.create", {"name": "Lead", "probability": 10}),
        "acme": store.mutate("contact.create", {"kind": "company", "company_name": "Acme SA"}),
    }
    ids["deal"] = store.mutate(
        "opportunity.create",
        {"title": "Fleet renewal", "contact_id": ids["acme"], "budget_minor": 120_000,
         "currency": "EUR", "budget_type": "month", "budget_count": 2},
    )  # fmt: skip
    return ids


def custom_values(store: Store, deal_id: str) -> dict[str, str]:
    with store.read() as session:
        rows = session.execute(
            text(
                "SELECT f.name, v.value FROM custom_value v JOIN custom_field f "
                "ON f.id = v.field_id WHERE v.entity_id = :id"
            ),
            {"id": deal_id},
        )
        return {name: value for name, value in rows}


def page_text(app) -> str:
    """The deal's fields (a Rich table) as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#deal-fields", Static).content)
    return console.export_text()


async def open_deal(pilot) -> DealScreen:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DealScreen)
    return screen


async def test_deal_custom_fields_are_edited_checked_saved_and_shown(make_app, store):
    ids = seed(store)
    for name, kind in [("Source", "choice"), ("Seats", "number"), ("Signed", "date"),
                       ("Buyer", "text")]:  # fmt: skip
        choices = ["direct", "partner"] if kind == "choice" else []
        store.mutate(
            "custom_field.create",
            {"entity": "opportunity", "name": name, "kind": kind, "choices": choices},
        )
    store.mutate("custom_field.create", {"entity": "contact", "name": "Shoe size"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DealForm)
        labels = [str(label.render()) for label in form.query("#custom-fields Label")]
        assert labels == ["Source", "Seats", "Signed", "Buyer"]  # the deals' fields only
        form.query_one("#custom-1", Input).value = "twelve"
        form.query_one("#custom-2", Input).value = "30/09/2030"
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is form and custom_values(store, ids["deal"]) == {}
        assert form.query_one("#f-custom-1").has_class("-invalid")
        assert form.query_one("#f-custom-2").has_class("-invalid")
        error = str(form.query_one("#form-error").render())
        assert "Seats" in error and "Signed" in error
        assert "'twelve' is not a number" in str(
            form.query_one("#f-custom-1 .form-field--note").render()
        )
        form.query_one("#custom-0", Select).value = "partner"
        form.query_one("#custom-1", Input).value = "1 250,5"
        form.query_one("#custom-2", Input).value = "2030-09-30"
        form.query_one("#custom-3", Input).value = "Ms Dupont"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, OpportunitiesScreen)
        assert custom_values(store, ids["deal"]) == {
            "Source": "partner", "Seats": "1250.5", "Signed": "2030-09-30", "Buyer": "Ms Dupont",
        }  # fmt: skip
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        shown = page_text(app)
        for label, value in [("Source", "partner"), ("Seats", "1250.5"),
                             ("Signed", "2030-09-30"), ("Buyer", "Ms Dupont")]:  # fmt: skip
            assert label in shown and value in shown
        await pilot.press("e")  # the form opens with the values; emptying one removes it
        await settle(pilot)
        form = app.screen
        assert form.query_one("#custom-0", Select).value == "partner"
        assert form.query_one("#custom-1", Input).value == "1250.5"
        form.query_one("#custom-3", Input).value = ""
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert "Buyer" not in custom_values(store, ids["deal"])
        assert "Ms Dupont" not in page_text(app)


async def test_i_on_a_deal_creates_an_invoice_for_it(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_deal(pilot)
        await pilot.press("i")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, InvoiceEditor)
        assert "Acme SA" in str(editor.query_one("#client").label)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        assert "Invoices · 1" in str(app.screen.query_one("#invoices-title").render())
    with store.read() as session:
        invoice = session.execute(
            text("SELECT opportunity_id, client_id, number FROM invoice")
        ).one()
        lines = session.execute(
            text("SELECT description, quantity, unit_price_minor FROM invoice_line")
        ).all()
    assert tuple(invoice) == (ids["deal"], ids["acme"], "INV0000001")
    assert [(d, float(q), p) for d, q, p in lines] == [("Fleet renewal", 2.0, 120_000)]


async def test_f_follows_then_unfollows_the_deal(make_app, store):
    ids = seed(store)

    def follows() -> list[tuple[str, str]]:
        with store.read() as session:
            return [tuple(r) for r in session.execute(text("SELECT entity, entity_id FROM follow"))]

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_deal(pilot)
        assert not screen.following
        await pilot.press("f")
        await settle(pilot)
        assert follows() == [("opportunity", ids["deal"])]
        assert screen.following and "Following" in notifications(app)[-1]
        assert "following" in screen.query_one("ModeBar").detail
        await pilot.press("f")
        await settle(pilot)
        assert follows() == [] and not screen.following
        assert notifications(app)[-1] == "Unfollowed"


async def palette(pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await type_text(pilot, query)
    await pilot.pause(0.5)  # the palette searches as you type, in the background
    await settle(pilot)


async def test_the_palette_opens_a_deal_on_its_own_screen(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "fleet renew")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == ids["deal"]
        assert app.screen.found.detail.row.title == "Fleet renewal"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)  # back where the palette was opened


async def test_the_palette_opens_an_invoice_in_the_editor(make_app, store):
    ids = seed(store)
    store.mutate(
        "invoice.create",
        {"client_id": ids["acme"], "number": "INV0000777", "issue_date": date(2030, 1, 2)},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "INV00007")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)
        assert "INV0000777" in str(app.screen.query_one("#invoice-title").render())


async def test_the_palette_hides_a_restricted_deal_from_others(make_app, store):
    ids = seed(store)
    bob = store.mutate("user.create", {"name": "Bob"})
    store.mutate(
        "opportunity.create",
        {"title": "Fleet secret", "restricted": True, "user_ids": [bob],
         "contact_id": ids["acme"]},
    )  # fmt: skip
    with store.write() as session:  # the local user becomes a plain user
        session.execute(
            text("UPDATE user_account SET role = 'user' WHERE id != :bob"), {"bob": bob}
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        found = CrmCommands._find(app.screen, "fleet")  # what the palette lists
        assert [f.label for f in found if f.kind == "opportunity"] == ["Fleet renewal"]


async def test_a_column_longer_than_a_screen_opens_counted_and_jumps_to_its_end(make_app, store):
    lead = store.mutate("stage.create", {"name": "Lead", "probability": 10})
    store.mutate("stage.create", {"name": "Offer", "probability": 50})
    start = date(2030, 1, 1)
    rows = [{"id": new_id(), "title": f"Deal {n:04d}", "stage": lead,
             "close": (start + timedelta(days=n)).isoformat() if n < 1150 else None}
            for n in range(1200)]  # fmt: skip
    with store.write() as session:  # bulk rows: the board reads them as any others
        session.execute(
            text(
                "INSERT INTO opportunity (id, title, description, budget_minor, currency, "
                "budget_type, budget_count, expected_close, stage_id, restricted, created_at, "
                "updated_at, version) VALUES (:id, :title, '', 1000, 'EUR', 'fixed', 1, :close, "
                ":stage, 0, '2030-01-01 00:00:00', '2030-01-01 00:00:00', 1)"
            ),
            rows,
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        first = screen.query_one(PipelineBoard).columns[0]
        assert "1,200 deals" in str(first.header.render())
        assert first.cards.total == 1200
        painted = [first.cards.render_line(y).text for y in (1, 2)]
        assert "Deal 0000" in painted[0] and "Deal 0001" in painted[1]
        assert screen.current.title == "Deal 0000"
        await pilot.press("end")  # the undated deals come last, by id
        await settle(pilot)
        last = max((r for r in rows if r["close"] is None), key=lambda r: r["id"])
        assert screen.current.title == last["title"]
        await pilot.press("home")
        await settle(pilot)
        assert screen.current.title == "Deal 0000"


async def test_the_board_opens_from_one_read_without_counting_each_column(
    make_app, store, monkeypatch
):
    """The columns' counts come with their totals and their first cards with the
    columns (one worker): no column counts its cards again to open."""
    seed(store)
    store.mutate("stage.create", {"name": "Offer", "probability": 40})
    counted: list[str] = []
    original = StageCards.count
    monkeypatch.setattr(
        StageCards,
        "count",
        lambda self, session: counted.append(self.stage_id) or original(self, session),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        columns = app.screen.query_one(PipelineBoard).columns
        assert [c.cards.total for c in columns] == [1, 0]
        assert columns[0].cards.row_at(0).title == "Fleet renewal"
        assert "Fleet renewal" in columns[0].cards.render_line(1).text
        assert counted == []
        await pilot.press("shift+right")  # a move reads the board again, the same way
        await settle(pilot)
        assert [c.cards.total for c in columns] == [0, 1]
        assert app.screen.current.title == "Fleet renewal"
        assert counted == []
