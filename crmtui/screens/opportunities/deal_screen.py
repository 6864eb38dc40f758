"""One opportunity: its fields, linked contacts, tasks, activities and invoices.

``a`` logs an activity on it (with the deal ticked, on its contact), ``t``
creates a task on it, ``i`` an invoice for it (its contact, currency and
budget filled in), ``e`` edits, ``d`` deletes, ``w`` / ``x`` mark it won or
lost, ``o`` opens its contact, ``f`` follows or unfollows it (others' changes
then show in the notifications).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ... import commands
from ...store.queries.board import DealEdit, deal_for_edit
from ...store.queries.common import as_utc
from ...store.queries.deals import DealDetail, Linked
from ...store.queries.lookups import Choice
from ...widgets.format import day, when
from ..activity_form import ActivityForm
from ..base import CrmScreen, DataChanged
from ..confirm import Confirm
from ..following import Following
from ..invoices import InvoiceEditor
from ..task_form import TaskForm
from .deal_form import DealForm
from .values import budget, value


def fields(d: DealDetail, locale: str) -> Table:
    """The deal's fields as a two-column grid, empty ones left out."""
    r = d.row
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    access = "restricted to " + ", ".join(u.label for u in d.users) if r.restricted else "everyone"
    rows = [
        ("Stage", f"{r.stage_name} · {r.probability} % ({r.stage_state})"),
        ("Budget", budget(r, locale)),
        ("Value", value(r, locale) if r.budget_type != "fixed" else ""),
        ("Expected close", day(r.expected_close)),
        ("Contact", r.contact_name),
        ("Linked contacts", ", ".join(c.label for c in d.contacts)),
        ("Responsible", r.responsible),
        ("Access", access),
        *[(c.label, c.note) for c in d.custom],
        ("Description", d.description),
    ]
    for label, text in rows:
        if text:
            grid.add_row(label, Text(text))
    return grid


def _at(stored: str) -> datetime | None:
    """An instant as the detail query gives it (stored text, or blank)."""
    return as_utc(stored) if stored else None


def linked(items: tuple[Linked, ...], note: Any, empty: str) -> Table | Text:
    if not items:
        return Text(empty, style="dim")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column()
    for item in items:
        grid.add_row(note(item.note), Text(item.label))
    return grid


class DealScreen(Following, CrmScreen):
    SCOPE = "deal"
    FOLLOWED_KIND = "opportunity"
    BINDINGS = commands.bindings("deal")

    def __init__(self, ctx: Any, deal_id: str) -> None:
        super().__init__(ctx)
        self.deal_id = deal_id
        self.found: DealEdit | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="deal-page"):
            yield Static("…", id="deal-fields")
            yield Static("Tasks", id="tasks-title", classes="section-title")
            yield Static("", id="deal-tasks")
            yield Static("Activities", id="activities-title", classes="section-title")
            yield Static("", id="deal-activities")
            yield Static("Invoices", id="invoices-title", classes="section-title")
            yield Static("", id="deal-invoices")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#deal-page").focus()

    def refresh_data(self) -> None:
        self._read(self.deal_id)
        self.read_following(self.deal_id)

    @work(thread=True, exclusive=True, group="deal-page", exit_on_error=False)
    def _read(self, deal_id: str) -> None:
        with self.store.read() as session:
            found = deal_for_edit(session, deal_id, self.store.context(session))
        self.app.call_from_thread(self._show, found)

    def _show(self, found: DealEdit | None) -> None:
        if found is None:
            self.notify("That opportunity no longer exists (or is restricted)", severity="warning")
            self.dismiss()
            return
        self.found = found
        d = found.detail
        self._show_title()
        self.query_one("#deal-fields", Static).update(fields(d, self.ctx.locale))
        tz = self.ctx.tz
        sections = (
            ("tasks", "Tasks", d.tasks, lambda n: n if n == "closed" else when(_at(n), tz)),
            ("activities", "Activities", d.activities, self._activity_note),
            ("invoices", "Invoices", d.invoices, lambda n: n),
        )
        for key, title, items, note in sections:
            self.query_one(f"#{key}-title", Static).update(Text(f"{title} · {len(items)}"))
            self.query_one(f"#deal-{key}", Static).update(
                linked(items, note, f"no {title.lower()} yet")
            )
        self.refresh_bindings()

    def _show_title(self) -> None:
        if self.found is not None:
            following = " · following" if self.following else ""
            self.show_detail(f"{self.found.detail.row.title} (opportunity){following}")

    def followed_id(self) -> str | None:
        return self.deal_id if self.found is not None else None

    def show_following(self) -> None:
        self._show_title()

    def _activity_note(self, note: str) -> str:
        kind, _, at = note.partition(" ")
        return f"{when(_at(at), self.ctx.tz)} {kind}"

    # -- keys -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True
        if self.found is None:
            return None
        if action == "open_contact" and not self.found.detail.row.contact_id:
            return None
        return True

    def _deal(self) -> Choice | None:
        return Choice(self.found.detail.row.id, self.found.detail.row.title) if self.found else None

    def action_log_activity(self) -> None:
        if self.found is None:
            return
        row = self.found.detail.row
        form = ActivityForm(
            self.ctx, row.contact_id, row.contact_name or row.title, deal=self._deal()
        )
        self.app.push_screen(form, self._saved)

    def action_new_task(self) -> None:
        if self.found is None:
            return
        row = self.found.detail.row
        contacts = [row.contact_id] if row.contact_id else []
        form = TaskForm(self.ctx, contacts, row.contact_name or row.title, deal=self._deal())
        self.app.push_screen(form, self._saved)

    def action_new_invoice(self) -> None:
        if self.found is not None:
            self.app.push_screen(InvoiceEditor.for_deal(self.ctx, self.deal_id), self._saved)

    def action_edit(self) -> None:
        if self.found is not None:
            self.app.push_screen(DealForm(self.ctx, editing=self.found), self._saved)

    def _saved(self, result: object) -> None:
        if result:
            self.post_message(DataChanged())

    def action_win(self) -> None:
        self.mutate("opportunity.win", {"id": self.deal_id})

    def action_lose(self) -> None:
        self.mutate("opportunity.lose", {"id": self.deal_id})

    def action_delete(self) -> None:
        if self.found is None:
            return
        title = self.found.detail.row.title
        self.app.push_screen(
            Confirm(f"Delete the opportunity {title!r}? Its tasks, activities and invoices stay."),
            lambda yes: (
                self.mutate("opportunity.delete", {"id": self.deal_id}, then=self._gone)
                if yes
                else None
            ),
        )

    def _gone(self, _: object) -> None:
        self.notify("Opportunity deleted")
        self.dismiss()

    def action_open_contact(self) -> None:
        from ..contact_screen import ContactScreen  # the contact screen opens deals too

        if self.found is not None and self.found.detail.row.contact_id:
            self.app.push_screen(ContactScreen(self.ctx, self.found.detail.row.contact_id))

    def action_back(self) -> None:
        self.dismiss()
