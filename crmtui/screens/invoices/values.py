"""Turning the editor's header inputs into mutation arguments, a refusal into
the field it is about, and totals into the table under the lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.align import Align
from rich.table import Table
from rich.text import Text

from ...store.invoicing import Totals
from ...store.money import Money, MoneyError, check_currency, parse_decimal

DUE_TERMS = [
    ("on receipt", "on_receipt"),
    ("15 days", "15"),
    ("30 days", "30"),
    ("45 days", "45"),
    ("on a date…", "date"),
]
LABELS = {
    "f-client": "Client",
    "f-number": "Number",
    "f-issue": "Issue date",
    "f-due-date": "Due date",
    "f-currency": "Currency",
    "f-rate": "Exchange rate",
    "f-language": "Language",
}
# A refusal "invoice.update: number: ..." names the argument it is about.
REFUSED_FIELDS = {
    "client_id": "f-client",
    "number": "f-number",
    "issue_date": "f-issue",
    "due_date": "f-due-date",
    "currency": "f-currency",
    "exchange_rate": "f-rate",
    "language": "f-language",
}


def refused_field(message: str) -> str | None:
    """The form field a store refusal is about, if it names one."""
    parts = [p.strip() for p in message.split(":")]
    return next((REFUSED_FIELDS[p] for p in parts[:3] if p in REFUSED_FIELDS), None)


def a_date(raw: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = f"{raw!r} is not a date like 2030-06-30"
        return None


def a_currency(raw: str, errors: dict[str, str]) -> str:
    try:
        return check_currency(raw)
    except MoneyError:
        errors["f-currency"] = f"{raw!r} is not a currency code like EUR"
        return ""


def a_rate(raw: str, errors: dict[str, str]) -> Decimal | None:
    """A typed exchange rate; blank means the admin's current rate."""
    if not raw:
        return None
    try:
        rate = parse_decimal(raw, field="rate")
    except MoneyError as exc:
        errors["f-rate"] = str(exc)
        return None
    if rate <= 0:
        errors["f-rate"] = "a rate is more than 0"
        return None
    return rate


def totals_table(result: Totals, currency: str, locale: str) -> Align:
    """Subtotal, discounts, each tax (on its base) and the total, right-aligned."""

    def show(minor: int) -> str:
        return Money(minor, currency).format(locale)

    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", style="dim")
    grid.add_column(justify="right", min_width=14)
    grid.add_row("Subtotal", show(result.subtotal_minor))
    grid.add_row("Discounts", show(-result.discount_minor))
    for tax in result.taxes:
        rate = format(tax.rate.normalize(), "f")
        grid.add_row(f"{tax.name} · {rate} % on {show(tax.base_minor)}", show(tax.amount_minor))
    grid.add_row(Text("Total", style="bold"), Text(show(result.total_minor), style="bold"))
    return Align.right(grid)
