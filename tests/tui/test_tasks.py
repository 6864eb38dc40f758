"""Tasks: create, close and reopen with one key; the same task for several
marked contacts; reminders while the app runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from crmtui.screens.task_form import TaskForm

from .conftest import NOW, SIZE, list_text, notifications, settle, type_text


def tasks(store) -> list[tuple]:
    with store.read() as session:
        return [
            tuple(r)
            for r in session.execute(
                text(
                    "SELECT title, contact_id, due_at, closed_at, reminder_minutes FROM task "
                    "ORDER BY contact_id"
                )
            )
        ]


async def test_create_close_and_reopen_a_task(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, TaskForm)
        await type_text(pilot, "Call the bank")
        await pilot.press("enter")
        await settle(pilot)
        [(title, contact, due, closed, reminder)] = tasks(store)
        assert (title, contact, closed, reminder) == ("Call the bank", None, None, 1440)
        assert due.startswith("2030-06-12 17:00")  # today, at the default hour
        assert "Call the bank" in list_text(app)  # the "today" list

        await pilot.press("x")
        await settle(pilot)
        assert tasks(store)[0][3] is not None
        assert "Call the bank" not in list_text(app)
        await pilot.press("right", "right", "right")  # this week, later, closed
        await settle(pilot)
        assert "Call the bank" in list_text(app)

        await pilot.press("x")
        await settle(pilot)
        assert tasks(store)[0][3] is None
        assert "Call the bank" not in list_text(app)


async def test_the_same_task_for_several_marked_contacts(make_app, store):
    ids = [
        store.mutate("contact.create", {"first_name": n, "last_name": "Group"})
        for n in ("Ann", "Bea", "Cid")
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "down", "space")  # Ann and Cid, not Bea
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TaskForm)
        assert "2 contacts" in app.screen.about
        await type_text(pilot, "Send the invitation")
        await pilot.press("enter")
        await settle(pilot)
        made = tasks(store)
        assert [t[0] for t in made] == ["Send the invitation"] * 2
        assert {t[1] for t in made} == {ids[0], ids[2]}
        assert any("2 tasks created" in m for m in notifications(app))


async def test_a_reminder_shows_once_when_its_time_comes(make_app, store):
    due = NOW + timedelta(minutes=10)
    store.mutate("task.create", {"title": "Prepare demo", "due_at": due, "reminder_minutes": 15})
    store.mutate(
        "task.create",
        {"title": "Not yet", "due_at": NOW + timedelta(hours=3), "reminder_minutes": 60},
    )
    app = make_app(reminders=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = [m for m in notifications(app) if "Prepare demo" in m]
        assert len(shown) == 1 and "2030-06-12 10:10" in shown[0]
        assert not any("Not yet" in m for m in notifications(app))
        with store.read() as session:
            reminded = dict(session.execute(text("SELECT title, reminded_at FROM task")).all())
        assert reminded["Not yet"] is None
        assert datetime.fromisoformat(reminded["Prepare demo"]).replace(tzinfo=UTC) == NOW
        app._check_reminders()
        await settle(pilot)
        assert len([m for m in notifications(app) if "Prepare demo" in m]) == 1
