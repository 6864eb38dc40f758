"""Activities: log one with one key from the contact card and see it on the
timeline; the Activities screen lists and filters them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from textual.widgets import Input

from crmtui.screens.activity_form import ActivityForm
from crmtui.screens.contact_screen import ContactScreen

from .conftest import SIZE, list_text, settle, type_text


async def test_log_an_activity_from_the_card_and_see_it_on_the_timeline(make_app, store):
    store.mutate("contact.create", {"first_name": "Tim", "last_name": "Line"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ActivityForm)
        assert app.screen.query_one("#starts", Input).value == "2030-06-12 10:00"
        await type_text(pilot, "Quarterly review")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ContactScreen)
        with store.read() as session:
            row = session.execute(text("SELECT subject, type, starts_at FROM activity")).one()
        assert row[0] == "Quarterly review" and row[1] == "call"
        assert row[2].startswith("2030-06-12 10:00")
        timeline = list_text(app, "#timeline")
        assert "Quarterly review" in timeline and "2030-06-12 10:00" in timeline


async def test_activity_form_refuses_an_end_before_the_start(make_app, store):
    store.mutate("contact.create", {"first_name": "Tim", "last_name": "Line"})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "Bad times")
        app.screen.query_one("#ends", Input).value = "2030-06-11 09:00"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, ActivityForm)
        assert app.screen.query_one("#f-ends").has_class("-invalid")
        with store.read() as session:
            assert session.execute(text("SELECT count(*) FROM activity")).scalar_one() == 0


async def test_activities_screen_filters_by_type(make_app, store):
    cid = store.mutate("contact.create", {"first_name": "Ann", "last_name": "Other"})
    at = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
    store.mutate(
        "activity.create",
        {"subject": "Met at fair", "type": "meeting", "contact_id": cid, "starts_at": at},
    )
    store.mutate(
        "activity.create",
        {"subject": "Sent brochure", "type": "mail", "contact_id": cid, "starts_at": at},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        shown = list_text(app)
        assert "Met at fair" in shown and "Sent brochure" in shown and "Ann Other" in shown
        await pilot.press("f", "enter")
        await pilot.press(*["down"] * 3, "enter")  # blank, todo, call, mail
        await settle(pilot)
        shown = list_text(app)
        assert "Sent brochure" in shown and "Met at fair" not in shown
