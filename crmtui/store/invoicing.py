"""Invoice arithmetic, due dates and numbering: pure rules the mutations apply.

Rounding rule (the one the invoice shows and the tests check):

* every line is computed on its own, in integer minor units of the invoice's
  currency, each amount rounded once, half away from zero (``money.round_minor``):
  ``gross = round(quantity x unit price)``,
  ``discount = round(gross x discount% / 100)``, ``net = gross - discount``,
  and for each of the line's (at most two) taxes ``tax = round(net x rate / 100)``;
  both taxes apply to the net, never to each other;
* the invoice's amounts are plain sums of its lines' amounts:
  subtotal = sum of gross, discount = sum of discounts, each tax = sum of that
  tax over the lines, total = subtotal - discount + every tax.

So the total always equals the sum of its parts, to the cent, on every replica,
and a printed line never disagrees with the totals below it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .money import round_minor

HUNDRED = Decimal(100)
DUE_DAYS = {"on_receipt": 0, "15": 15, "30": 30, "45": 45}


@dataclass(frozen=True, slots=True)
class LineTax:
    """One tax on a line: which tax, its rate in percent (snapshotted) and name."""

    tax_id: str | None
    name: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class LineInput:
    quantity: Decimal
    unit_price_minor: int
    discount_pct: Decimal = Decimal(0)
    taxes: tuple[LineTax, ...] = ()


@dataclass(frozen=True, slots=True)
class LineAmounts:
    gross_minor: int
    discount_minor: int
    net_minor: int
    tax_minors: tuple[int, ...]  # one per tax of the line, in order

    @property
    def tax_minor(self) -> int:
        return sum(self.tax_minors)


@dataclass(frozen=True, slots=True)
class TaxTotal:
    """One row of the tax summary: a tax, the net it applies to, its amount."""

    tax_id: str | None
    name: str
    rate: Decimal
    base_minor: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal_minor: int
    discount_minor: int
    taxes: tuple[TaxTotal, ...]
    total_minor: int

    @property
    def net_minor(self) -> int:
        return self.subtotal_minor - self.discount_minor

    @property
    def tax_minor(self) -> int:
        return sum(t.amount_minor for t in self.taxes)


def line_amounts(line: LineInput) -> LineAmounts:
    """A line's amounts with the rounding rule above."""
    gross = round_minor(line.quantity * line.unit_price_minor)
    discount = round_minor(Decimal(gross) * line.discount_pct / HUNDRED)
    net = gross - discount
    taxes = tuple(round_minor(Decimal(net) * t.rate / HUNDRED) for t in line.taxes)
    return LineAmounts(gross, discount, net, taxes)


def totals(lines: Sequence[LineInput]) -> Totals:
    """The invoice's amounts: sums of its lines' amounts (see the module doc)."""
    amounts = [line_amounts(line) for line in lines]
    subtotal = sum(a.gross_minor for a in amounts)
    discount = sum(a.discount_minor for a in amounts)
    taxes = _tax_summary(lines, amounts)
    total = subtotal - discount + sum(t.amount_minor for t in taxes)
    return Totals(subtotal, discount, taxes, total)


def _tax_summary(
    lines: Sequence[LineInput], amounts: Sequence[LineAmounts]
) -> tuple[TaxTotal, ...]:
    # Taxes are grouped by (id, rate): a tax whose rate changed between two
    # lines' snapshots shows as two rows, each with the rate it was billed at.
    groups: dict[tuple[str | None, str, Decimal], list[int]] = {}
    for line, amount in zip(lines, amounts, strict=True):
        for tax, tax_minor in zip(line.taxes, amount.tax_minors, strict=True):
            base_and_amount = groups.setdefault((tax.tax_id, tax.name, tax.rate), [0, 0])
            base_and_amount[0] += amount.net_minor
            base_and_amount[1] += tax_minor
    return tuple(
        TaxTotal(tax_id, name, rate, base, value)
        for (tax_id, name, rate), (base, value) in groups.items()
    )


def due_date(issue: date, terms: str, given: date | None) -> date:
    """The due date for ``terms``: on receipt, 15/30/45 days, or the ``given`` date."""
    if terms == "date":
        if given is None:
            raise ValueError("due_date: give a date when the terms are 'date'")
        if given < issue:
            raise ValueError("due_date: the due date is before the issue date")
        return given
    if terms not in DUE_DAYS:
        raise ValueError(f"due_terms: {terms!r} is not one of {', '.join([*DUE_DAYS, 'date'])}")
    return issue + timedelta(days=DUE_DAYS[terms])


def format_number(prefix: str, digits: int, counter: int) -> str:
    """``INV`` + the counter zero-padded to ``digits``: ``INV0000001``."""
    return f"{prefix}{counter:0{digits}d}"


def next_free(
    prefix: str, digits: int, counter: int, taken: Callable[[str], bool]
) -> tuple[str, int]:
    """The first automatic number at or after ``counter`` that is not ``taken``
    (typed by hand, or synced from another laptop), and the counter after it."""
    while taken(number := format_number(prefix, digits, counter)):
        counter += 1
    return number, counter + 1
