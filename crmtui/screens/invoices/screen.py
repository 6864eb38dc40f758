"""The invoices, highest number first, in six lists: all, draft, billed,
overdue (billed and past due), paid and rejected.

Left/right (or h/l) switch lists. ``n`` starts an invoice, enter or ``e`` opens
the highlighted one in the editor (read-only unless a draft), ``c`` copies it
into a new draft, ``d`` deletes it, ``b`` ``p`` ``r`` mark it billed, paid or
rejected, ``w`` writes its PDF and ``m`` e-mails it. The store decides what is
allowed (only a draft is edited or deleted...) and its refusals are shown as
they are. PDF and e-mail run in workers: rendering and SMTP never block keys.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Tab, Tabs

from ... import commands
from ...reports.invoice_files import PdfError, write_invoice_pdf
from ...reports.mailer import MailError, SmtpSettings, send_invoice
from ...store.queries.invoice_list import FILTERS, ListedInvoice, filter_counts, invoice_listing
from ...widgets.columns import Column
from ...widgets.format import day, money
from ...widgets.virtual_list import VirtualList
from ..base import CrmScreen, DataChanged
from ..confirm import Confirm
from ..context import UiContext
from .editor import InvoiceEditor

LABELS = {
    "all": "All",
    "draft": "Draft",
    "billed": "Billed",
    "overdue": "Overdue",
    "paid": "Paid",
    "rejected": "Rejected",
}
ROW_ACTIONS = {"edit", "duplicate", "delete", "set_status", "pdf", "send"}
STATUS_WORDS = {"billed": "Billed", "paid": "Marked paid:", "rejected": "Marked rejected:"}


def invoice_columns(ctx: UiContext) -> list[Column[ListedInvoice]]:
    def status(r: ListedInvoice) -> str:
        late = r.status == "billed" and r.due_date is not None and r.due_date < ctx.now().date()
        return "overdue" if late else r.status

    return [
        Column("Number", 11, lambda r: r.number),
        Column("Client", 20, lambda r: r.client, grow=3),
        Column("Status", 8, status),
        Column("Total", 14, lambda r: money(r.total_minor, r.currency, ctx.locale)),
        Column("Due", 10, lambda r: day(r.due_date)),
        Column("Issued", 10, lambda r: day(r.issue_date)),
    ]


class InvoicesScreen(CrmScreen):
    SCOPE = "invoices"
    TITLE_TEXT = "Invoices"
    BINDINGS = commands.bindings("invoices")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.filter = "all"
        self._had_row = False

    def compose_body(self) -> ComposeResult:
        yield Tabs(*[Tab(LABELS[f], id=f) for f in FILTERS], active=self.filter, id="filters")
        yield VirtualList(self.store, invoice_columns(self.ctx), id="list")

    @property
    def list(self) -> VirtualList[ListedInvoice]:
        return self.query_one("#list", VirtualList)

    @property
    def today(self) -> date:
        return self.ctx.now().astimezone(self.ctx.tz).date()

    def on_mount(self) -> None:
        super().on_mount()
        self.list.focus()

    # -- reading ------------------------------------------------------------------

    def refresh_data(self) -> None:
        keep = self.list.listing is not None
        self.list.show(invoice_listing(self.filter, self.today), keep_cursor=keep)
        self._read_counts(self.today)

    @work(thread=True, exclusive=True, group="invoice-counts", exit_on_error=False)
    def _read_counts(self, today: date) -> None:
        with self.store.read() as session:
            counts = filter_counts(session, today)
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        tabs = self.query_one(Tabs)
        for name, count in counts.items():
            tabs.query_one(f"#{name}", Tab).label = Text(f"{LABELS[name]} ({count:,})")
        self.show_detail(f"{LABELS[self.filter].lower()}, highest number first")

    @on(Tabs.TabActivated)
    def _switched(self, event: Tabs.TabActivated) -> None:
        if event.tab.id and event.tab.id != self.filter:
            self.filter = event.tab.id
            self.list.show(invoice_listing(self.filter, self.today))
            self.list.focus()
            self.show_detail(f"{LABELS[self.filter].lower()}, highest number first")

    def action_next_list(self, step: int) -> None:
        index = (FILTERS.index(self.filter) + step) % len(FILTERS)
        self.query_one(Tabs).active = FILTERS[index]

    @on(VirtualList.Highlighted)
    @on(VirtualList.Counted)
    def _recheck_actions(self) -> None:
        has_row = self.list.current is not None
        if has_row != self._had_row:  # only then: a footer refresh per move would cost more
            self._had_row = has_row
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ROW_ACTIONS and self.list.current is None:
            return None  # greyed out: no invoice to act on
        return True

    # -- editing ------------------------------------------------------------------

    def action_new_invoice(self) -> None:
        self.app.push_screen(InvoiceEditor(self.ctx), self._saved)

    @on(VirtualList.Selected)
    def action_edit(self) -> None:
        row = self.list.current
        if row is not None:
            self.app.push_screen(InvoiceEditor.for_invoice(self.ctx, row.id), self._saved)

    def _saved(self, invoice_id: str | None) -> None:
        if invoice_id:
            self.notify("Invoice saved")
            self.post_message(DataChanged())

    def action_duplicate(self) -> None:
        row = self.list.current
        if row is not None:
            self.mutate(
                "invoice.duplicate",
                {"source_id": row.id},
                then=lambda new_id: self._duplicated(row.number, str(new_id)),
            )

    def _duplicated(self, number: str, new_id: str) -> None:
        self.notify(f"Copied {number} into a new draft")
        self.app.push_screen(InvoiceEditor.for_invoice(self.ctx, new_id), self._saved)

    def action_delete(self) -> None:
        row = self.list.current
        if row is not None:
            self.app.push_screen(
                Confirm(f"Delete the invoice {row.number} ({row.client})?"),
                lambda yes: self._delete(row) if yes else None,
            )

    def _delete(self, row: ListedInvoice) -> None:
        self.mutate(
            "invoice.delete", {"id": row.id}, then=lambda _: self.notify(f"Deleted {row.number}")
        )

    def action_set_status(self, status: str) -> None:
        row = self.list.current
        if row is not None:
            done = f"{STATUS_WORDS[status]} {row.number}"
            self.mutate(
                "invoice.set_status",
                {"id": row.id, "status": status},
                then=lambda _: self.notify(done),
            )

    # -- PDF and e-mail -------------------------------------------------------------

    @property
    def config_file(self) -> Path | None:
        return getattr(self.app, "config_file", None)

    def action_pdf(self) -> None:
        row = self.list.current
        if row is not None:
            self._write_pdf(row.id)

    @work(thread=True, group="invoice-pdf", exit_on_error=False)
    def _write_pdf(self, invoice_id: str) -> None:
        try:
            path = write_invoice_pdf(self.store, invoice_id, self.config_file)
        except PdfError as exc:
            self.app.call_from_thread(self._failed, "No PDF", str(exc))
            return
        self.app.call_from_thread(self._written, path)

    def _written(self, path: Path) -> None:
        self.notify(str(path), title="PDF written", timeout=10, markup=False)

    def action_send(self) -> None:
        row = self.list.current
        if row is not None:
            self.notify(f"Sending {row.number}…", timeout=3)
            self._send(row.id, row.number)

    @work(thread=True, group="invoice-send", exit_on_error=False)
    def _send(self, invoice_id: str, number: str) -> None:
        try:
            smtp = SmtpSettings.from_file(self.config_file)
            recipient = send_invoice(self.store, invoice_id, smtp, now=self.ctx.now())
        except MailError as exc:
            self.app.call_from_thread(self._failed, f"{number} not sent", str(exc))
            return
        self.app.call_from_thread(self._sent, number, recipient)

    def _sent(self, number: str, recipient: str) -> None:
        self.notify(f"Sent {number} to {recipient}; logged as an activity", title="E-mail sent")
        self.post_message(DataChanged())

    def _failed(self, title: str, message: str) -> None:
        self.notify(message, title=title, severity="error", timeout=12, markup=False)
