"""Where a new or opened invoice starts from: an invoice, a contact or a deal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...store.queries.board import DealEdit
from ...store.queries.invoices import LineRow


@dataclass(frozen=True, slots=True)
class Start:
    invoice_id: str | None = None  # open this invoice
    client: tuple[str, str] | None = None  # (id, name) of the contact to bill
    deal_id: str | None = None  # bill this deal


@dataclass(frozen=True, slots=True)
class DealStart:
    """What a deal puts in a new invoice: its contact, currency and budget."""

    client: tuple[str, str] | None
    currency: str
    lines: list[LineRow]


def from_deal(deal: DealEdit) -> DealStart:
    """The deal's budget becomes one line (count x amount for a rate per period),
    as the mutation would bill it."""
    row = deal.detail.row
    client = (row.contact_id, row.contact_name) if row.contact_id else None
    lines = []
    if row.budget_minor:
        count = 1 if row.budget_type == "fixed" else row.budget_count
        lines.append(
            LineRow(0, None, row.title, Decimal(count), row.budget_minor, Decimal(0), (), 0, 0)
        )
    return DealStart(client, row.currency, lines)
