"""People and companies: one virtual list, search as you type, filters, sort.

A keystroke after a pause searches at once; keystrokes in quick succession
(under 100 ms apart) are debounced, so fast typing runs one search when it
stops. The list's loader is an exclusive worker: a newer search cancels the
one in flight and stale results are never shown. A search looks
through every contact (names, companies, e-mails, tags, phone digits) and
ignores the filters, which apply to the browsing list.
"""

from __future__ import annotations

from time import monotonic

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Select, Static

from .. import commands
from ..store.queries.contact_list import SORTS, ContactListing, SearchListing
from ..store.queries.contacts import ContactFilter, ContactRow
from ..store.queries.lookups import Choices, choices
from ..widgets.columns import Column
from ..widgets.form import options, selected
from ..widgets.format import phone
from ..widgets.virtual_list import VirtualList
from .contact_actions import ContactActions
from .context import UiContext

SEARCH_DELAY = 0.1
SORT_NAMES = {
    "name": "name A→Z",
    "name_desc": "name Z→A",
    "newest": "newest first",
    "oldest": "oldest first",
}


def contact_columns(ctx: UiContext) -> list[Column[ContactRow]]:
    return [
        Column("Name", 18, lambda r: r.display_name, grow=3),
        Column("Company", 12, lambda r: r.company if r.kind == "person" else "(company)", grow=2),
        Column("Type", 9, lambda r: r.type_name),
        Column("Phone", 16, lambda r: phone(r.phone_raw, r.phone_e164, ctx.region)),
        Column("E-mail", 16, lambda r: r.email, grow=2),
        Column("Tags", 10, lambda r: r.tags, grow=1),
        Column("Responsible", 11, lambda r: r.responsible),
    ]


class ContactsScreen(ContactActions):
    SCOPE = "contacts"
    TITLE_TEXT = "Contacts"
    BINDINGS = commands.bindings("contacts")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.filters = ContactFilter()
        self.sort = "name"
        self._debounce: Timer | None = None
        self._last_key = 0.0
        self._search_text = ""

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Input(
                placeholder="/ search names, companies, e-mails, tags, phone digits",
                id="search",
                compact=True,
            )
            yield Static("", id="count", classes="toolbar-info")
        with Horizontal(id="filters", classes="filters -hidden"):
            yield Select([], prompt="any type", compact=True, id="f-type")
            yield Select([], prompt="any tag", compact=True, id="f-tag")
            yield Select([], prompt="any temperature", compact=True, id="f-temperature")
            yield Select([], prompt="anyone responsible", compact=True, id="f-user")
        yield VirtualList(self.store, contact_columns(self.ctx), markable=True, id="list")

    @property
    def list(self) -> VirtualList[ContactRow]:
        return self.query_one("#list", VirtualList)

    def on_mount(self) -> None:
        super().on_mount()
        self.list.focus()
        self._load_choices()

    def refresh_data(self) -> None:
        if self.list.listing is None:
            self._show_list()
        else:
            self.list.reload()

    def _show_list(self) -> None:
        if self._search_text:
            self.list.show(SearchListing(self._search_text))
        else:
            self.list.show(ContactListing(self.filters, self.sort))
        self.show_detail(
            "search results, newest first"
            if self._search_text
            else f"sorted by {SORT_NAMES[self.sort]}"
        )

    # -- search -------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        now = monotonic()
        if self._debounce is not None:
            self._debounce.stop()
        if now - self._last_key >= SEARCH_DELAY:
            self._run_search(event.value)
        else:
            self._debounce = self.set_timer(SEARCH_DELAY, lambda: self._run_search(event.value))
        self._last_key = now

    def _run_search(self, text: str) -> None:
        self._search_text = text.strip()
        self._show_list()

    @on(Input.Submitted, "#search")
    def _to_list(self) -> None:
        self.list.focus()

    def key_down(self) -> None:
        if self.focused is self.query_one("#search", Input):
            self.list.focus()

    def key_escape(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search and search.value:
            search.value = ""
        else:
            self.list.focus()

    # -- the list -----------------------------------------------------------------

    @on(VirtualList.Counted)
    def _counted(self, event: VirtualList.Counted) -> None:
        noun = "contact" if event.exact else "match"
        # Search results are read a page at a time: "+" while there are more to read.
        more = "+" if not event.exact and event.list.total > event.total else ""
        plural = "" if event.total == 1 else ("es" if noun == "match" else "s")
        marked = f" · {len(self.list.marked)} marked" if self.list.marked else ""
        count = self.query_one("#count", Static)
        text = f"{event.total:,}{more} {noun}{plural}{marked}"
        # The label is as wide as its text: only a change of width needs a layout
        # (of the whole screen), not each "50+ matches" while typing a search.
        shown = str(count.content)
        if text != shown:  # "50+ matches" again at each keystroke: nothing to repaint
            count.update(Text(text), layout=len(text) != len(shown))

    @on(VirtualList.Selected)
    def _open(self, event: VirtualList.Selected) -> None:
        from .contact_screen import ContactScreen  # not needed for the list's first paint

        self.app.push_screen(ContactScreen(self.ctx, event.row.id))

    def contact_in_view(self) -> tuple[str, str] | None:
        row = self.list.current
        return (row.id, row.display_name) if row else None

    def contacts_for_task(self) -> list[tuple[str, str]]:
        if self.list.marked:
            return [(r.id, r.display_name) for r in self.list.marked.values()]
        return super().contacts_for_task()

    def _tasks_made(self, count: int | None) -> None:
        if count and self.list.marked:
            self.list.marked.clear()
        super()._tasks_made(count)

    def action_clear_marks(self) -> None:
        self.list.marked.clear()
        self.list.refresh()

    def action_next_sort(self) -> None:
        names = list(SORTS)
        self.sort = names[(names.index(self.sort) + 1) % len(names)]
        self._show_list()

    # -- filters ------------------------------------------------------------------

    def action_toggle_filters(self) -> None:
        bar = self.query_one("#filters")
        bar.toggle_class("-hidden")
        if not bar.has_class("-hidden"):
            self.query_one("#f-type", Select).focus()

    @work(thread=True, exclusive=True, group="contacts-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.store.snapshot() as db:
            found = choices(db)
        self.app.call_from_thread(self._fill_filters, found)

    def _fill_filters(self, found: Choices) -> None:
        self.query_one("#f-type", Select).set_options(options(found.contact_types))
        self.query_one("#f-tag", Select).set_options(options(found.tags))
        temperatures = [c.name for c in found.temperatures] or ["cold", "warm", "hot"]
        self.query_one("#f-temperature", Select).set_options([(t, t) for t in temperatures])
        self.query_one("#f-user", Select).set_options(options(found.users))

    @on(Select.Changed, "#filters Select")
    def _filter(self) -> None:
        chosen = ContactFilter(
            type_id=selected(self.query_one("#f-type", Select)),
            tag_id=selected(self.query_one("#f-tag", Select)),
            temperature=selected(self.query_one("#f-temperature", Select)),
            responsible_id=selected(self.query_one("#f-user", Select)),
        )
        if chosen != self.filters:  # filling the choices fires Changed too
            self.filters = chosen
            self._show_list()
