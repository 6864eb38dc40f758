"""The deal form: create and edit an opportunity, refusals that name the field;
the deal's screen; and enter on a contact's timeline opening the right editor."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from textual.widgets import Checkbox, Input, Select, SelectionList, TextArea

from crmtui.screens.activity_form import ActivityForm
from crmtui.screens.contact_screen import ContactScreen
from crmtui.screens.opportunities import OpportunitiesScreen
from crmtui.screens.opportunities.deal_form import DealForm
from crmtui.screens.opportunities.deal_screen import DealScreen
from crmtui.screens.task_form import TaskForm
from crmtui.store import Store

from .conftest import SIZE, settle, type_text


def seed(store: Store) -> dict[str, str]:
    ids = {
        "lead": store.mutate("stage.create", {"name": "Lead", "probability": 10}),
        "offer": store.mutate("stage.create", {"name": "Offer", "probability": 40}),
        "acme": store.mutate("contact.create", {"kind": "company", "company_name": "Acme SA"}),
    }
    ids["zoe"] = store.mutate(
        "contact.create", {"first_name": "Zoé", "last_name": "Martin", "company_id": ids["acme"]}
    )
    return ids


def deals(store: Store) -> list[tuple]:
    with store.read() as session:
        return list(
            session.execute(
                text(
                    "SELECT title, contact_id, budget_minor, currency, budget_type, budget_count, "
                    "expected_close, stage_id FROM opportunity ORDER BY title"
                )
            )
        )


def linked(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.execute(text("SELECT contact_id FROM opportunity_contact")).scalars())


def fill(form: DealForm, **values: str) -> None:
    for widget_id, value in values.items():
        form.query_one(f"#{widget_id}", Input).value = value


async def test_create_a_deal_after_a_refusal_that_names_the_fields(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DealForm)
        assert form.query_one("#currency", Input).value == "EUR"  # the default currency
        fill(form, amount="12,345", close="30/09/2030")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is form and deals(store) == []
        for field in ("f-title", "f-amount", "f-close"):
            assert form.query_one(f"#{field}").has_class("-invalid")
        error = str(form.query_one("#form-error").render())
        assert "Title" in error and "Budget" in error and "Expected close" in error
        await type_text(pilot, "Fleet renewal")
        fill(form, contact="Acme SA", amount="12 500,50", close="2030-09-30", count="12")
        form.query_one("#budget-type", Select).value = "month"
        form.query_one("#stage", Select).value = ids["offer"]
        form.query_one("#contacts", TextArea).text = "zoe martin\n"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, OpportunitiesScreen)
        [row] = deals(store)
        assert row[:6] == ("Fleet renewal", ids["acme"], 1_250_050, "EUR", "month", 12)
        assert (row[6], row[7]) == ("2030-09-30", ids["offer"])
        assert linked(store) == [ids["zoe"]]
        assert app.screen.current.title == "Fleet renewal"  # the cursor is on the new deal


async def test_an_unknown_contact_is_refused_under_its_field(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        await type_text(pilot, "Ghost deal")
        fill(form, contact="Nobody Known")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is form and deals(store) == []
        assert form.query_one("#f-contact").has_class("-invalid")
        assert "no contact is named 'Nobody Known'" in str(
            form.query_one("#f-contact .form-field--note").render()
        )


async def test_edit_a_deal_keeps_its_links_and_changes_what_is_typed(make_app, store):
    ids = seed(store)
    bob = store.mutate("user.create", {"name": "Bob"})
    store.mutate(
        "opportunity.create",
        {"title": "Old title", "contact_id": ids["acme"], "contact_ids": [ids["zoe"]],
         "budget_minor": 100, "currency": "USD"},
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DealForm)
        assert form.query_one("#contact", Input).value == "Acme SA"
        assert form.query_one("#amount", Input).value == "1.00"
        fill(form, title="New title", currency="usd ")
        form.query_one("#restricted", Checkbox).value = True
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen is form  # restricted to nobody: refused
        assert form.query_one("#f-users").has_class("-invalid")
        assert "Users who may see it" in str(form.query_one("#form-error").render())
        form.query_one("#users", SelectionList).select(bob)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, OpportunitiesScreen)
        [row] = deals(store)
        assert row[:4] == ("New title", ids["acme"], 100, "USD")
        assert linked(store) == [ids["zoe"]]
        with store.read() as session:
            granted = session.execute(text("SELECT user_id FROM opportunity_user")).scalars()
            assert list(granted) == [bob]


async def test_the_deal_screen_logs_an_activity_and_a_task_on_the_deal(make_app, store):
    ids = seed(store)
    deal = store.mutate("opportunity.create", {"title": "Fleet renewal", "contact_id": ids["acme"]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ActivityForm)
        await type_text(pilot, "Demo given")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TaskForm)
        await type_text(pilot, "Send the quote")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen)
        page = str(app.screen.query_one("#deal-activities").render()) + str(
            app.screen.query_one("#deal-tasks").render()
        )
        with store.read() as session:
            activity = session.execute(
                text("SELECT opportunity_id FROM activity_opportunity")
            ).scalar_one()
            task = session.execute(text("SELECT opportunity_id, contact_id FROM task")).one()
        assert activity == deal and tuple(task) == (deal, ids["acme"])
        assert "Tasks · 1" in str(app.screen.query_one("#tasks-title").render())
        assert "Activities · 1" in str(app.screen.query_one("#activities-title").render())
        assert page  # both sections drew their rows


async def test_enter_on_the_timeline_opens_the_right_editor(make_app, store):
    ids = seed(store)
    deal = store.mutate("opportunity.create", {"title": "Fleet renewal", "contact_id": ids["acme"]})
    store.mutate(
        "activity.create",
        {"subject": "Site visit", "contact_id": ids["acme"], "type": "meeting",
         "starts_at": datetime(2030, 6, 1, 9, 0, tzinfo=UTC), "opportunity_ids": [deal]},
    )  # fmt: skip
    store.mutate(
        "task.create",
        {"title": "Chase the PO", "contact_id": ids["acme"],
         "due_at": datetime(2030, 5, 1, 9, 0, tzinfo=UTC)},
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # Acme SA, first in the contacts list
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        # newest first: the visit (2030-06-01), the task (due 2030-05-01), then the
        # deal (created by the store's real clock, years before the frozen "now")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ActivityForm)
        assert form.query_one("#subject", Input).value == "Site visit"
        assert form.query_one("#starts", Input).value == "2030-06-01 09:00"
        form.query_one("#subject", Input).value = "Site visit, with the buyer"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        with store.read() as session:
            subject, links = session.execute(
                text("SELECT subject, (SELECT count(*) FROM activity_opportunity) FROM activity")
            ).one()
        assert (subject, links) == ("Site visit, with the buyer", 1)  # still on its deal
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskForm)
        assert app.screen.query_one("#title", Input).value == "Chase the PO"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DealScreen) and app.screen.deal_id == deal
