"""One contact: its card (fields, phones, e-mails, addresses, tags, custom
fields, its company or its people) above its timeline, newest first.

Enter on a timeline entry opens it: an activity or a task in its form, an
opportunity on its own screen, an invoice in the invoice editor."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from .. import commands
from ..store.phones import normalise
from ..store.queries.activity_edit import ActivityEdit, activity_for_edit
from ..store.queries.calls import CallStats, contact_call_stats
from ..store.queries.contact_detail import ContactDetail, contact_detail
from ..store.queries.tasks import TaskRow, task_row
from ..store.queries.timeline import Timeline, TimelineEntry, timeline
from ..widgets.columns import Column
from ..widgets.format import duration, money, phone, when
from ..widgets.virtual_list import VirtualList
from .activity_form import ActivityForm
from .base import DataChanged
from .contact_actions import ContactActions
from .context import UiContext
from .following import Following
from .invoices import InvoiceEditor
from .opportunities.deal_screen import DealScreen
from .task_form import TaskForm

ACCESS_NAMES = {
    "private": "private",
    "public_ro": "public, read-only",
    "public_rw": "public, read/write",
}


def timeline_columns(ctx: UiContext) -> list[Column[TimelineEntry]]:
    def detail(e: TimelineEntry) -> str:
        amount = money(e.amount_minor, e.currency, ctx.locale)
        return " · ".join(p for p in (amount, e.detail) if p)

    def title(e: TimelineEntry) -> str:
        if e.kind != "call":
            return e.title
        number = normalise(e.title, ctx.region)  # a name stays as it is: it does not parse
        return phone(number.raw, number.e164, ctx.region)

    return [
        Column("When", 16, lambda e: when(e.at, ctx.tz)),
        Column("Kind", 11, lambda e: e.kind),
        Column("Title", 20, title, grow=3),
        Column("Status", 9, lambda e: e.status),
        Column("Details", 12, detail, grow=2),
    ]


def call_summary(stats: CallStats | None) -> str:
    """``3 calls (1 missed) · talk 5:12``: how much this contact is on the phone."""
    if not stats or not stats.calls:
        return ""
    missed = f" ({stats.missed} missed)" if stats.missed else ""
    noun = "call" if stats.calls == 1 else "calls"
    return f"{stats.calls} {noun}{missed} · talk {duration(stats.talk_s)}"


def card(d: ContactDetail, region: str, calls: CallStats | None = None) -> Table:
    """The contact's fields as a two-column grid, empty ones left out."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    rows: list[tuple[str, str]] = [
        ("Kind", d.kind + (f" · {d.title}" if d.title else "")),
        ("Company", d.company.name if d.company else ""),
        ("Type", d.type_name),
        ("Temperature", d.temperature),
        ("Access", ACCESS_NAMES.get(d.access, d.access)),
        ("Responsible", ", ".join(u.name for u in d.responsible)),
        *[
            (
                f"Phone ({p.label})",
                phone(p.raw, p.e164, region) + ("" if p.valid else " (unchecked)"),
            )
            for p in d.phones
        ],
        *[(f"E-mail ({e.label})", e.address) for e in d.emails],
        *[(f"Address ({a.label})", a.one_line()) for a in d.addresses],
        ("Tags", ", ".join(d.tags)),
        ("Calls", call_summary(calls)),
        ("Website", d.website),
        ("Currency", d.currency),
        *[(c.name, c.value) for c in d.custom],
        ("Description", d.description),
    ]
    if d.kind == "company":
        more = (
            f" (and {d.people_count - len(d.people)} more)"
            if d.people_count > len(d.people)
            else ""
        )
        rows.append(("People", ", ".join(p.name for p in d.people) + more))
    for label, value in rows:
        if value:
            grid.add_row(label, Text(value))
    return grid


class ContactScreen(Following, ContactActions):
    SCOPE = "contact"
    FOLLOWED_KIND = "contact"
    BINDINGS = commands.bindings("contact")

    def __init__(self, ctx: UiContext, contact_id: str) -> None:
        super().__init__(ctx)
        self.contact_id = contact_id
        self.detail: ContactDetail | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="card-box"):
            yield Static("…", id="card")
        yield Static("Timeline", classes="section-title")
        yield VirtualList(self.store, timeline_columns(self.ctx), id="timeline")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#timeline", VirtualList).focus()

    def refresh_data(self) -> None:
        self._read(self.contact_id)
        self.read_following(self.contact_id)

    @work(thread=True, exclusive=True, group="contact-card", exit_on_error=False)
    def _read(self, contact_id: str) -> None:
        with self.store.read() as session:
            detail = contact_detail(session, contact_id)
            calls = contact_call_stats(session, contact_id) if detail else None
            viewer = self.store.context(session)  # the timeline hides deals I may not see
        self.app.call_from_thread(self._show, detail, calls, timeline(contact_id, viewer))

    def _show(
        self, detail: ContactDetail | None, calls: CallStats | None, history: Timeline
    ) -> None:
        if detail is None:
            self.notify("That contact no longer exists", severity="warning")
            self.dismiss()
            return
        self.query_one("#timeline", VirtualList).show(history, keep_cursor=True)
        self.detail = detail
        self._show_title()
        self.query_one("#card", Static).update(card(detail, self.ctx.region, calls))
        self.refresh_bindings()

    def _show_title(self) -> None:
        if self.detail is not None:
            following = " · following" if self.following else ""
            self.show_detail(f"{self.detail.display_name} ({self.detail.kind}){following}")

    def followed_id(self) -> str:
        return self.contact_id

    def show_following(self) -> None:
        self._show_title()

    @on(VirtualList.Counted)
    def _counted(self, event: VirtualList.Counted) -> None:
        title = self.query_one(".section-title", Static)
        title.update(Text(f"Timeline · {event.total:,} entries"))

    def contact_in_view(self) -> tuple[str, str] | None:
        return (self.detail.id, self.detail.display_name) if self.detail else None

    @on(VirtualList.Selected)
    def _open_entry(self, event: VirtualList.Selected) -> None:
        entry: TimelineEntry = event.row  # the timeline is the screen's only list
        if entry.kind == "opportunity":
            self.app.push_screen(DealScreen(self.ctx, entry.id))
        elif entry.kind in ("activity", "task"):
            self._read_entry(entry.kind, entry.id)
        elif entry.kind == "invoice":
            self.app.push_screen(InvoiceEditor.for_invoice(self.ctx, entry.id), self._entry_saved)

    @work(thread=True, exclusive=True, group="timeline-entry", exit_on_error=False)
    def _read_entry(self, kind: str, entry_id: str) -> None:
        found: ActivityEdit | TaskRow | None
        if kind == "activity":
            with self.store.read() as session:
                found = activity_for_edit(session, entry_id)
        else:
            with self.store.snapshot() as db:
                found = task_row(db, entry_id)
        self.app.call_from_thread(self._edit_entry, found)

    def _edit_entry(self, found: ActivityEdit | TaskRow | None) -> None:
        if isinstance(found, ActivityEdit):
            form = ActivityForm(self.ctx, found.contact_id, found.contact_name, editing=found)
            self.app.push_screen(form, self._entry_saved)
        elif isinstance(found, TaskRow):
            contacts = [found.contact_id] if found.contact_id else []
            self.app.push_screen(
                TaskForm(self.ctx, contacts, found.contact, editing=found), self._entry_saved
            )
        else:
            self.notify("That entry no longer exists", severity="warning")
            self.post_message(DataChanged())

    def _entry_saved(self, result: object) -> None:
        if result:
            self.post_message(DataChanged())

    def contact_deleted(self, name: str) -> None:
        super().contact_deleted(name)
        self.dismiss()

    def action_new_invoice(self) -> None:
        if self.detail is not None:
            editor = InvoiceEditor.for_contact(self.ctx, self.detail.id, self.detail.display_name)
            self.app.push_screen(editor, self._entry_saved)

    def action_back(self) -> None:
        self.dismiss()
