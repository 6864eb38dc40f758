"""One contact: its card (fields, phones, e-mails, addresses, tags, custom
fields, its company or its people) above its timeline, newest first."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from .. import commands
from ..store.phones import normalise
from ..store.queries.contact_detail import ContactDetail, contact_detail
from ..store.queries.timeline import TimelineEntry, timeline
from ..widgets.columns import Column
from ..widgets.format import money, phone, when
from ..widgets.virtual_list import VirtualList
from .contact_actions import ContactActions
from .context import UiContext

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


def card(d: ContactDetail, region: str) -> Table:
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


class ContactScreen(ContactActions):
    SCOPE = "contact"
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
        self.query_one("#timeline", VirtualList).show(timeline(self.contact_id), keep_cursor=True)

    @work(thread=True, exclusive=True, group="contact-card", exit_on_error=False)
    def _read(self, contact_id: str) -> None:
        with self.store.read() as session:
            detail = contact_detail(session, contact_id)
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: ContactDetail | None) -> None:
        if detail is None:
            self.notify("That contact no longer exists", severity="warning")
            self.dismiss()
            return
        self.detail = detail
        self.show_detail(f"{detail.display_name} ({detail.kind})")
        self.query_one("#card", Static).update(card(detail, self.ctx.region))
        self.refresh_bindings()

    @on(VirtualList.Counted)
    def _counted(self, event: VirtualList.Counted) -> None:
        title = self.query_one(".section-title", Static)
        title.update(Text(f"Timeline · {event.total:,} entries"))

    def contact_in_view(self) -> tuple[str, str] | None:
        return (self.detail.id, self.detail.display_name) if self.detail else None

    def contact_deleted(self, name: str) -> None:
        super().contact_deleted(name)
        self.dismiss()

    def action_back(self) -> None:
        self.dismiss()
