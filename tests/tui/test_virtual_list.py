"""The virtual list reads only blocks it shows, and lands on the right rows when
it jumps (anchor + short walk) as well as when it scrolls (previous block's key).
Small blocks and anchor strides make both paths run on a few dozen rows."""

from __future__ import annotations

import threading
from typing import Any

from textual.app import App, ComposeResult

from crmtui.store import Store
from crmtui.store.queries.contact_list import ContactListing, SearchListing
from crmtui.store.queries.contacts import ContactRow
from crmtui.widgets.columns import Column
from crmtui.widgets.virtual_list import STALE_S, VirtualList

from .conftest import settle

N = 63


class ListApp(App[None]):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield VirtualList[ContactRow](
            self.store, [Column("Name", 20, lambda r: r.display_name)], block=5, step=20
        )

    def on_mount(self) -> None:
        self.query_one(VirtualList).show(ContactListing())


def expected(n: int) -> str:
    return f"Person {n:03d}"


def seed(store: Store) -> None:
    store.mutate_many(
        [
            ("contact.create", {"first_name": "Person", "last_name": f"{i:03d}"})
            for i in reversed(range(N))
        ]
    )


async def visible(pilot: Any) -> list[str]:
    await settle(pilot)
    widget = pilot.app.query_one(VirtualList)
    return [widget.render_line(y).text.strip() for y in range(1, widget.size.height)]


async def test_jumping_and_paging_land_on_the_right_rows(store):
    seed(store)
    app = ListApp(store)
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(VirtualList)
        rows = await visible(pilot)
        assert widget.total == N
        assert rows[:3] == [expected(0), expected(1), expected(2)]

        await pilot.press("end")
        rows = await visible(pilot)
        assert widget.current.display_name == expected(N - 1)
        assert rows[-1] == expected(N - 1)
        # The middle (over two pages below the top, a page above the end) was never read.
        assert widget.row_at(37) is None

        widget.cursor = 41  # a jump into blocks never read: anchors, then a walk
        rows = await visible(pilot)
        assert widget.current.display_name == expected(41)

        await pilot.press("pagedown")
        rows = await visible(pilot)
        assert widget.current.display_name == expected(41 + widget.size.height - 1)
        assert rows == sorted(rows)


async def test_a_search_listing_grows_as_the_cursor_nears_its_end(store):
    seed(store)
    app = ListApp(store)
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(VirtualList)
        widget.show(SearchListing("person"))
        await visible(pilot)
        first = widget.total
        assert first < N  # what the screen shows, a page ahead, and a "more" row
        await pilot.press("pagedown", "pagedown")
        await visible(pilot)
        assert widget.total > first
        for _ in range(20):
            await pilot.press("end")
            await visible(pilot)
        assert widget.total == N


async def test_going_back_to_a_listing_reuses_its_count_until_the_data_changes(store):
    """From a search back to the browsing list: no recount of the whole store;
    after reload() (a change), the new count shows."""
    seed(store)
    counts: list[int] = []

    class Counting(ContactListing):
        def count(self, session: Any) -> int:
            found = super().count(session)
            counts.append(found)
            return found

    browse = Counting()
    app = ListApp(store)
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(VirtualList)
        widget.show(browse)
        await visible(pilot)
        assert counts == [N] and widget.total == N

        widget.show(SearchListing("Person 01"))
        await visible(pilot)
        widget.show(browse)
        rows = await visible(pilot)
        assert counts == [N] and widget.total == N  # remembered, not counted again
        assert rows[0] == expected(0)

        store.mutate("contact.create", {"first_name": "Person", "last_name": "999"})
        widget.reload()
        await visible(pilot)
        assert counts == [N, N + 1] and widget.total == N + 1


class HeldSearch(SearchListing):
    """A search whose first page waits until the test lets it through."""

    gate = threading.Event()

    def page(self, db: Any, after: Any, limit: int) -> Any:
        assert self.gate.wait(10), "the test never let the page through"
        return super().page(db, after, limit)


async def test_old_rows_stand_in_for_a_new_listing_for_a_moment_only(store):
    """While a search's first page is read, the rows shown before stay on screen
    (no repaint with placeholders) but are not the list's rows; after STALE_S
    without an answer, placeholders show; then the answer does."""
    seed(store)
    app = ListApp(store)
    async with app.run_test(size=(40, 12)) as pilot:
        widget = app.query_one(VirtualList)
        before = await visible(pilot)
        HeldSearch.gate.clear()
        widget.show(HeldSearch("person 05"))
        await pilot.pause()
        assert widget.standing_in and widget.current is None
        assert [widget.render_line(y).text.strip() for y in range(1, 4)] == before[:3]
        await pilot.pause(STALE_S * 2)
        assert not widget.standing_in
        assert widget.render_line(1).text.strip() == "…"
        HeldSearch.gate.set()
        rows = await visible(pilot)
        assert rows[:3] == [expected(50), expected(51), expected(52)]  # newest first
        assert widget.current.display_name == expected(50)
