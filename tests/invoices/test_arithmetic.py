"""Invoice arithmetic: the documented rounding rule and its invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmtui.store.invoicing import (
    LineInput,
    LineTax,
    due_date,
    format_number,
    line_amounts,
    next_free,
    totals,
)

VAT = LineTax("vat", "VAT", Decimal(20))
ECO = LineTax("eco", "Eco", Decimal("0.5"))
RATES = st.sampled_from(
    [
        Decimal(0),
        Decimal("5.5"),
        Decimal(10),
        Decimal(20),
        Decimal("23"),
        Decimal("0.5"),
        Decimal("7.25"),
    ]
)
taxes = st.lists(
    st.builds(lambda r, n: LineTax(f"t{n}", f"T{n}", r), RATES, st.integers(0, 3)),
    max_size=2,
    unique_by=lambda t: t.tax_id,
)
lines = st.builds(
    LineInput,
    quantity=st.decimals(min_value=Decimal("-50"), max_value=Decimal(1000), places=3),
    unit_price_minor=st.integers(-100_000, 10_000_000),
    discount_pct=st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2),
    taxes=taxes.map(tuple),
)


@given(st.lists(lines, max_size=20))
def test_total_is_the_sum_of_its_parts(items: list[LineInput]) -> None:
    result = totals(items)
    amounts = [line_amounts(i) for i in items]
    assert result.total_minor == result.subtotal_minor - result.discount_minor + sum(
        t.amount_minor for t in result.taxes
    )
    assert result.net_minor == sum(a.net_minor for a in amounts)
    assert result.tax_minor == sum(a.tax_minor for a in amounts)
    assert result.subtotal_minor == sum(a.gross_minor for a in amounts)


@given(st.lists(lines, max_size=20))
def test_each_tax_row_adds_up_its_lines(items: list[LineInput]) -> None:
    for row in totals(items).taxes:
        bearing = [
            (i, line_amounts(i))
            for i in items
            if (row.tax_id, row.rate) in {(t.tax_id, t.rate) for t in i.taxes}
        ]
        assert row.base_minor == sum(a.net_minor for _, a in bearing)
        assert row.amount_minor == sum(
            a.tax_minors[i.taxes.index(next(t for t in i.taxes if t.tax_id == row.tax_id))]
            for i, a in bearing
        )


@given(lines)
def test_every_amount_is_within_half_a_cent_of_exact(item: LineInput) -> None:
    a = line_amounts(item)
    exact_gross = item.quantity * item.unit_price_minor
    assert abs(a.gross_minor - exact_gross) <= Decimal("0.5")
    assert abs(a.discount_minor - a.gross_minor * item.discount_pct / 100) <= Decimal("0.5")
    for tax, value in zip(item.taxes, a.tax_minors, strict=True):
        assert abs(value - a.net_minor * tax.rate / 100) <= Decimal("0.5")


@given(st.lists(lines, max_size=10), st.randoms())
def test_line_order_does_not_change_the_totals(items: list[LineInput], rnd: object) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = totals(items), totals(shuffled)
    assert (a.subtotal_minor, a.discount_minor, a.total_minor) == (
        b.subtotal_minor,
        b.discount_minor,
        b.total_minor,
    )
    assert sorted(a.taxes, key=repr) == sorted(b.taxes, key=repr)


def test_known_invoice() -> None:
    result = totals(
        [
            LineInput(Decimal(3), 1999, Decimal(10), (VAT,)),  # 59.97 - 6.00 = 53.97, VAT 10.79
            LineInput(Decimal("1.5"), 3333, Decimal(0), (VAT, ECO)),  # 50.00, VAT 10.00, eco 0.25
        ]
    )
    assert (result.subtotal_minor, result.discount_minor) == (10_997, 600)
    assert [(t.name, t.base_minor, t.amount_minor) for t in result.taxes] == [
        ("VAT", 10_397, 2_079),
        ("Eco", 5_000, 25),
    ]
    assert result.total_minor == 10_997 - 600 + 2_079 + 25


@pytest.mark.parametrize(
    ("line", "gross", "discount", "tax"),
    [
        (LineInput(Decimal("0.5"), 1, Decimal(0), (VAT,)), 1, 0, 0),  # 0.5 cent rounds up
        (LineInput(Decimal(1), 5, Decimal(0), (LineTax(None, "x", Decimal(10)),)), 5, 0, 1),
        (LineInput(Decimal(1), 1, Decimal(50), ()), 1, 1, 0),  # half a cent off rounds to 1
        (LineInput(Decimal(-1), 5, Decimal(0), (LineTax(None, "x", Decimal(10)),)), -5, 0, -1),
        (LineInput(Decimal(2), 999, Decimal(100), (VAT,)), 1998, 1998, 0),
    ],
)
def test_half_away_from_zero(line: LineInput, gross: int, discount: int, tax: int) -> None:
    a = line_amounts(line)
    assert (a.gross_minor, a.discount_minor, a.tax_minor) == (gross, discount, tax)


def test_due_dates() -> None:
    day = date(2026, 11, 23)
    assert due_date(day, "on_receipt", None) == day
    assert due_date(day, "45", None) == date(2027, 1, 7)
    assert due_date(day, "date", date(2026, 12, 1)) == date(2026, 12, 1)
    with pytest.raises(ValueError, match="before the issue"):
        due_date(day, "date", date(2026, 11, 1))
    with pytest.raises(ValueError, match="give a date"):
        due_date(day, "date", None)


def test_numbers_skip_the_taken_ones() -> None:
    assert format_number("INV", 7, 1) == "INV0000001"
    taken = {"F-0041", "F-0042"}
    assert next_free("F-", 4, 41, taken.__contains__) == ("F-0043", 44)
