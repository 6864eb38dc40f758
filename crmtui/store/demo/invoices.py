"""Invoices of worked clients, in every status, with lines and taxes.

Amounts follow :mod:`crmtui.store.invoicing` (each line rounded on its own,
totals are sums of lines), prices are the catalogue's converted with
:class:`~crmtui.store.money.Money` the way ``invoice.create`` converts them,
and the header defaults (addresses, language, terms, rate) are the ones that
mutation fills in. Numbers are given later, in issue-date order across the
whole store (see :func:`crmtui.store.demo.build`), since chunks are made in
any order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ..invoicing import LineInput, LineTax, due_date, totals
from ..money import Money
from ..mutations.args import child_id
from .chunk import YEAR, Chunk, Who
from .reference import Product

LANGUAGE = {"FR": "fr_FR", "PL": "pl_PL", "GB": "en_GB"}
TERMS = (("30", 5), ("15", 2), ("45", 2), ("on_receipt", 1))
EVERY_STATUS = (("draft", 1), ("billed", 2), ("paid", 3), ("rejected", 3))
QUANTITIES = (
    Decimal(1),
    Decimal(1),
    Decimal(2),
    Decimal(3),
    Decimal(5),
    Decimal(10),
    Decimal("2.5"),
    Decimal("0.5"),
    Decimal(12),
)
DISCOUNTS = ((Decimal(0), 8), (Decimal(5), 1), (Decimal(10), 1), (Decimal("12.5"), 1))


@dataclass(frozen=True)
class PendingInvoice:
    """An invoice whose number is not known yet: header values after ``number``."""

    issue: date
    id: str
    values: tuple[Any, ...]  # every INVOICE column; the number is None until numbered


class Invoices:
    def __init__(self, chunk: Chunk) -> None:
        self.c = chunk
        self.rng = chunk.rng
        self.today = chunk.plan.now.date()
        self.pending: list[PendingInvoice] = []

    def make(self, who: Who, won_deal: str | None) -> None:
        if who.company_id is not None or self.rng.random() >= 0.12:
            return  # people at a company are billed through it
        for _ in range(1 if self.rng.random() < 0.7 else 2):
            self._invoice(who, won_deal)

    def _status(self, issue: date) -> tuple[str, int]:
        """(status, version): each status change is one more version.

        A chunk's first four invoices take the four statuses in turn, so even
        a small demo shows every one."""
        if len(self.pending) < len(EVERY_STATUS):
            return EVERY_STATUS[len(self.pending)]
        recent = (self.today - issue).days < 60
        weights = (
            ((("draft", 1), 30), (("billed", 2), 55), (("paid", 3), 15))
            if recent
            else ((("draft", 1), 5), (("billed", 2), 12), (("paid", 3), 75), (("rejected", 3), 8))
        )
        return self.c.pick(weights)

    def _invoice(self, who: Who, deal: str | None) -> None:
        c, rng = self.c, self.rng
        issue = c.past(YEAR).date()
        status, version = self._status(issue)
        currency = who.currency
        rate = Decimal(1) if currency == "EUR" else c.ref.rates[currency]
        invoice_id = c.new_id(datetime.combine(issue, time(9), UTC))
        inputs = self._lines(invoice_id, who, currency, rate)
        result = totals(inputs)
        terms = c.pick(TERMS)
        created = datetime.combine(issue, time(9, rng.randrange(60)), UTC)
        sent = created + timedelta(hours=2) if status in ("billed", "paid", "rejected") else None
        updated = created if status == "draft" else created + timedelta(days=rng.randint(1, 40))
        values = (
            created,
            min(updated, c.plan.now),
            who.owner,
            version,
            invoice_id,
            None,
            issue,
            terms,
            due_date(issue, terms, None),
            who.id,
            None,
            who.billing or who.address,
            who.address,
            deal,
            LANGUAGE[who.country],
            currency,
            rate,
            f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.3 else "",
            c.ref.terms,
            "",
            status,
            result.subtotal_minor,
            result.discount_minor,
            result.tax_minor,
            result.total_minor,
            sent,
        )
        self.pending.append(PendingInvoice(issue, invoice_id, values))

    def _lines(self, invoice_id: str, who: Who, currency: str, rate: Decimal) -> list[LineInput]:
        c, rng = self.c, self.rng
        inputs = []
        for position in range(rng.choice((1, 1, 2, 2, 3, 4))):
            product = rng.choice(c.ref.products)
            taxes = self._taxes(who.country, product)
            line = LineInput(
                rng.choice(QUANTITIES), _price(product, currency, rate), c.pick(DISCOUNTS), taxes
            )
            amounts = totals([line])
            padded = [*taxes, None, None]
            c.add(
                "invoice_line",
                child_id(invoice_id, "line", position),
                invoice_id,
                position,
                product.id,
                product.name,
                line.quantity,
                line.unit_price_minor,
                line.discount_pct,
                *(_tax(padded[0]) + _tax(padded[1])),
                amounts.net_minor,
                amounts.tax_minor,
            )
            inputs.append(line)
        return inputs

    def _taxes(self, country: str, product: Product) -> tuple[LineTax, ...]:
        options = self.c.ref.taxes[country]
        main = options[0] if self.rng.random() < 0.85 else self.rng.choice(options)
        taxes = [LineTax(*main)]
        if product.eco and country == "FR":
            taxes.append(LineTax(*self.c.ref.eco_tax))
        return tuple(taxes)


def _tax(tax: LineTax | None) -> tuple[str | None, Decimal | None]:
    return (tax.tax_id, tax.rate) if tax else (None, None)


def _price(product: Product, currency: str, rate: Decimal) -> int:
    """The catalogue price (EUR) in ``currency``, converted as ``invoice.create`` does."""
    if currency == "EUR":
        return product.price_minor
    in_default = Money(product.price_minor, "EUR").convert("EUR", Decimal(1))
    return in_default.convert(currency, 1 / rate).minor
