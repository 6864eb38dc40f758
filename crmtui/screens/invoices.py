"""The invoices, highest number first (read-only until invoicing lands in the TUI)."""

from __future__ import annotations

from typing import Any

from .. import commands
from ..store.queries.browse import InvoiceRow, invoices
from ..store.queries.keyset import Listing
from ..widgets.columns import Column
from ..widgets.format import day, money
from .record_list import RecordListScreen


class InvoicesScreen(RecordListScreen):
    SCOPE = "invoices"
    TITLE_TEXT = "Invoices"
    NOUN = ("invoice", "invoices")
    BINDINGS = commands.bindings("invoices")

    def columns(self) -> list[Column[Any]]:
        locale = self.ctx.locale
        return [
            Column("Number", 11, lambda r: r.number),
            Column("Client", 20, lambda r: r.client, grow=3),
            Column("Issued", 10, lambda r: day(r.issue_date)),
            Column("Due", 10, lambda r: day(r.due_date)),
            Column("Status", 8, lambda r: r.status),
            Column("Total", 14, lambda r: money(r.total_minor, r.currency, locale)),
        ]

    def listing(self) -> Listing[InvoiceRow]:
        return invoices()
