"""The editor's line grid: one row of inputs per invoice line.

Each row reads its own inputs into a ``LineInput`` (the arithmetic's type) or
says which cell is wrong; the editor adds the rows up with ``invoicing.totals``
on every keystroke, so the amounts shown are exactly those the mutation will
store.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from ...store.invoicing import LineInput, LineTax, line_amounts
from ...store.money import Money, MoneyError, exponent, parse_decimal
from ...store.queries.catalog import TaxRow
from ...store.queries.invoice_editing import ProductLine
from ...store.queries.invoices import LineRow


@dataclass(frozen=True, slots=True)
class ReadLine:
    """A row as typed: the arithmetic's input and the mutation's arguments."""

    amounts: LineInput
    args: dict[str, Any]


def amount_text(minor: int, currency: str) -> str:
    """Minor units as a user types them (``1234.5`` → ``1234.50``)."""
    try:
        return str(Decimal(minor).scaleb(-exponent(currency)))
    except MoneyError:
        return str(minor)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


HEADINGS = {
    "desc": "Description (F4: product)",
    "qty": "Qty",
    "price": "Unit price",
    "disc": "Disc%",
    "tax l-tax1": "Tax 1",
    "tax l-tax2": "Tax 2",
    "net": "Net",
}


def line_header() -> Horizontal:
    """The grid's column titles, sized by the same classes as the cells under them."""
    return Horizontal(
        *[Static(title, classes=f"l-{cell}") for cell, title in HEADINGS.items()],
        classes="line-row line-head",
    )


class InvoiceLineRow(Horizontal):
    """Description, quantity, unit price, discount %, two taxes, and the line's net."""

    def __init__(
        self, taxes: tuple[TaxRow, ...], currency: str, line: LineRow | None = None
    ) -> None:
        super().__init__(classes="line-row")
        self.taxes = taxes
        self.currency = currency
        self.line = line
        self.product_id = line.product_id if line else None

    def compose(self) -> ComposeResult:
        line = self.line
        tax_ids = [t.tax_id for t in line.taxes] if line else []
        yield Input(
            line.description if line else "",
            placeholder="description",
            classes="l-desc",
        )
        yield Input(_plain(line.quantity) if line else "1", classes="l-qty")
        price = amount_text(line.unit_price_minor, self.currency) if line else ""
        yield Input(price, placeholder="0.00", classes="l-price")
        yield Input(_plain(line.discount_pct) if line else "0", classes="l-disc")
        for n in (0, 1):
            yield Select(
                [(f"{t.name}", t.id) for t in self.taxes],
                prompt="no tax",
                value=tax_ids[n] if len(tax_ids) > n and tax_ids[n] else Select.NULL,
                classes=f"l-tax l-tax{n + 1}",
                compact=True,
            )
        yield Static("", classes="l-net")

    def on_mount(self) -> None:
        for widget in self.query(Input):
            widget.compact = True

    def fill(self, product: ProductLine, currency: str) -> None:
        """Start the line from a product: its name, price and default tax."""
        self.product_id = product.product_id
        self.query_one(".l-desc", Input).value = product.name
        self.query_one(".l-price", Input).value = amount_text(product.unit_price_minor, currency)
        tax_id = product.tax_id
        if tax_id and tax_id in {t.id for t in self.taxes}:
            self.query_one(".l-tax1", Select).value = tax_id

    def _tax_ids(self) -> list[str]:
        ids = []
        for select in self.query(".l-tax").results(Select):
            if select.value is not Select.NULL and select.value not in ids:
                ids.append(str(select.value))
        return ids

    def read(self, currency: str) -> ReadLine | str:
        """The line, or what is wrong with it (for the note under the grid)."""
        cells = {
            c: self.query_one(f".l-{c}", Input).value.strip() for c in ("qty", "price", "disc")
        }
        try:
            quantity = parse_decimal(cells["qty"] or "0", field="quantity")
            price = parse_decimal(cells["price"] or "0", field="unit price")
            discount = parse_decimal(cells["disc"] or "0", field="discount")
        except MoneyError as exc:
            return str(exc)
        if not Decimal(0) <= discount <= 100:
            return f"discount: {cells['disc']} is not between 0 and 100 %"
        scaled = price.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            return f"unit price: {currency} amounts have {exponent(currency)} decimals at most"
        if quantity != quantity.quantize(Decimal("0.0001")):
            return "quantity: 4 decimals at most"
        rates = {t.id: t for t in self.taxes}
        tax_ids = self._tax_ids()
        taxes = tuple(LineTax(i, rates[i].name, rates[i].rate) for i in tax_ids)
        amounts = LineInput(quantity, int(scaled), discount, taxes)
        args = {
            "product_id": self.product_id,
            "description": self.query_one(".l-desc", Input).value.strip(),
            "quantity": str(quantity),
            "unit_price_minor": int(scaled),
            "discount_pct": str(discount),
            "tax_ids": tax_ids,
        }
        return ReadLine(amounts, args)

    def show_net(self, read: ReadLine | str, currency: str, locale: str) -> None:
        net = self.query_one(".l-net", Static)
        if isinstance(read, str):
            net.update(Text("?", style="bold red"))
        else:
            net.update(Text(Money(line_amounts(read.amounts).net_minor, currency).format(locale)))

    def show_stored(self, currency: str, locale: str) -> None:
        """A read-only invoice shows each line's net as it was billed."""
        net = self.line.net_minor if self.line else 0
        self.query_one(".l-net", Static).update(Text(Money(net, currency).format(locale)))
