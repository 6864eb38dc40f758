"""The Duplicates screen (``0``): groups found in a worker, each with why it
was grouped and its records; the kept one chosen with ``k``; merged with ``m``
(one group) or ``M`` (all) after a confirmation, then the groups are found again."""

from __future__ import annotations

from sqlalchemy import text
from textual.widgets import DataTable, Static

from crmtui.screens.confirm import Confirm
from crmtui.screens.duplicates import DuplicatesScreen
from crmtui.store import Store

from .conftest import SIZE, notifications, settle


def seed(store: Store) -> dict[str, str]:
    """Two groups: Zoé Martin twice (one e-mail), Jean Dupont twice at Acme."""
    with store.read() as session:  # named, not the OS account's name, for the snapshot
        me = store.context(session).user_id
    store.mutate("user.update", {"id": me, "name": "Ada Admin"})
    acme = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    old = store.mutate(
        "contact.create",
        {
            "first_name": "Zoé",
            "last_name": "Martin",
            "emails": [{"address": "zoe@acme.example"}],
            "phones": [{"raw": "01 42 68 53 00"}],
        },
    )
    new = store.mutate(
        "contact.create",
        {
            "first_name": "Zoe",
            "last_name": "Martin",
            "emails": [{"address": "ZOE@acme.example"}, {"address": "zm@home.example"}],
            "phones": [{"raw": "06 12 34 56 78", "label": "mobile"}],
        },
    )
    stage = store.mutate("stage.create", {"name": "Lead", "probability": 10})
    store.mutate("opportunity.create", {"title": "Fleet", "contact_id": old, "stage_id": stage})
    store.mutate("activity.create", {"subject": "Met at the fair", "contact_id": old})
    store.mutate(
        "invoice.create",
        {
            "client_id": old,
            "number": "INV0000001",
            "lines": [{"description": "Work", "unit_price_minor": 100}],
        },
    )
    for first in ("Jean", "jean"):
        store.mutate(
            "contact.create", {"first_name": first, "last_name": "Dupont", "company_id": acme}
        )
    return {"acme": acme, "old": old, "new": new}


def contacts(store: Store) -> list[str]:
    with store.read() as session:
        return list(
            session.execute(
                text("SELECT display_name FROM contact ORDER BY sort_key, id")
            ).scalars()
        )


def linked_to(store: Store, contact_id: str) -> tuple[int, int, int, int]:
    """(activities, deals, invoices, e-mails) of a contact."""
    with store.read() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(text(sql), {"c": contact_id}).scalar_one()
            for sql in (
                "SELECT count(*) FROM activity WHERE contact_id = :c",
                "SELECT count(*) FROM opportunity WHERE contact_id = :c",
                "SELECT count(*) FROM invoice WHERE client_id = :c",
                "SELECT count(*) FROM contact_email WHERE contact_id = :c",
            )
        )


def table_text(app, selector: str) -> str:
    table = app.screen.query_one(selector, DataTable)
    return "\n".join(
        " | ".join(str(c) for c in table.get_row_at(r)) for r in range(table.row_count)
    )


async def open_duplicates(pilot) -> DuplicatesScreen:
    await settle(pilot)
    await pilot.press("0")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DuplicatesScreen)
    return screen


async def test_groups_show_why_and_records_with_what_points_at_them(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_duplicates(pilot)
        groups = table_text(app, "#dup-groups")
        assert "same name Jean Dupont at the same company" in groups
        assert "same e-mail zoe@acme.example" in groups
        assert "2 group(s) of likely duplicates" in str(
            app.screen.query_one("#dup-status", Static).render()
        )
        await pilot.press("down")  # the Zoé Martin group
        await settle(pilot)
        records = table_text(app, "#dup-records").splitlines()
        assert records[0].startswith("✔ | Zoé Martin")  # the oldest is kept by default
        # acts, deals, invoices, phones, e-mails
        assert records[0].endswith("| 1 | 1 | 1 | 01 42 68 53 00 | zoe@acme.example")
        assert records[1].endswith(
            "| 0 | 0 | 0 | 06 12 34 56 78 | zoe@acme.example, zm@home.example"
        )


async def test_merge_a_group_after_confirming_moves_the_records(make_app, store):
    ids = seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_duplicates(pilot)
        await pilot.press("down", "tab", "down", "k")  # keep the newer Zoe Martin
        await settle(pilot)
        assert table_text(app, "#dup-records").splitlines()[1].startswith("✔ | Zoe Martin")
        await pilot.press("m")
        assert isinstance(app.screen, Confirm)
        assert "Keep Zoe Martin" in app.screen.question and "Zoé Martin" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DuplicatesScreen)
        assert "Merged 1 group(s)" in notifications(app)
        assert linked_to(store, ids["new"]) == (1, 1, 1, 2)  # zoe@ and ZOE@ are one address
        assert "Zoé Martin" not in contacts(store)
        assert app.screen.query_one("#dup-groups", DataTable).row_count == 1
        assert "Zoe Martin" not in table_text(app, "#dup-groups")


async def test_cancel_leaves_the_group_as_it_was(make_app, store):
    ids = seed(store)
    before = contacts(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_duplicates(pilot)
        await pilot.press("down", "m")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await settle(pilot)
        assert contacts(store) == before
        assert linked_to(store, ids["old"]) == (1, 1, 1, 1)
        assert app.screen.query_one("#dup-groups", DataTable).row_count == 2


async def test_merge_all_after_confirming(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_duplicates(pilot)
        await pilot.press("M")
        assert "Merge all 2 group(s)" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert contacts(store) == ["Acme", "Jean Dupont", "Zoé Martin"]
        status = str(app.screen.query_one("#dup-status", Static).render())
        assert status.startswith("No duplicates found")
        assert app.screen.check_action("merge_all", ()) is None  # greyed out: nothing to merge
        await pilot.press("escape")
        assert not isinstance(app.screen, DuplicatesScreen)


def test_duplicates_snapshot(snap_compare, make_app, store):
    seed(store)

    async def show(pilot) -> None:
        await open_duplicates(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=show)
