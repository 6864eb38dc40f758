"""Exact money: integer minor units, one currency at a time, rounding half away from zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from crmtui.store.money import Money, MoneyError, check_currency, exponent, parse_decimal

CURRENCIES = ["EUR", "PLN", "USD", "JPY", "KWD"]
LIMIT = 10**15  # ten thousand billion euros: far beyond any invoice, well inside Decimal's 28

minor = st.integers(min_value=-LIMIT, max_value=LIMIT)
currency = st.sampled_from(CURRENCIES)
few = settings(max_examples=60, deadline=None)


@st.composite
def amounts(draw: st.DrawFn, n: int) -> list[Money]:
    cur = draw(currency)
    return [Money(draw(minor), cur) for _ in range(n)]


@few
@given(amounts(3))
def test_addition_is_associative_and_commutative(ms: list[Money]) -> None:
    a, b, c = ms
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert (a + b).minor == a.minor + b.minor


@few
@given(amounts(3))
def test_subtraction_undoes_addition(ms: list[Money]) -> None:
    a, b, c = ms
    assert (a + b) - b == a
    assert a - b == -(b - a)
    assert (a - b) - c == a - (b + c)
    assert a - a == Money.zero(a.currency)


@few
@given(minor, minor, st.sampled_from([("EUR", "PLN"), ("JPY", "KWD"), ("USD", "EUR")]))
def test_mixing_currencies_is_refused(x: int, y: int, pair: tuple[str, str]) -> None:
    a, b = Money(x, pair[0]), Money(y, pair[1])
    with pytest.raises(MoneyError, match=f"{pair[0]}.*{pair[1]}"):
        a + b
    with pytest.raises(MoneyError):
        a - b


def _number_text(m: Money, locale: str) -> str:
    """The amount as a user of ``locale`` types it (grouped, all decimals shown)."""
    digits = exponent(m.currency)
    if digits == 0:
        return str(format_decimal(m.amount, format="#0", locale=locale))
    return str(format_decimal(m.amount, format="#,##0." + "0" * digits, locale=locale))


@few
@given(minor, currency, st.sampled_from(["en_US", "fr_FR", "de_DE", "pl_PL"]))
def test_parse_format_round_trip(n: int, cur: str, locale: str) -> None:
    m = Money(n, cur)
    assert Money.parse(m.amount, cur) == m
    assert Money.parse(str(m.amount), cur) == m
    assert Money.parse(_number_text(m, locale), cur) == m
    assert Money.of(m.amount, cur) == m


@few
@given(minor, currency)
def test_format_shows_every_minor_digit(n: int, cur: str) -> None:
    shown = Money(n, cur).format("en_US")
    digits = "".join(ch for ch in shown if ch.isdigit())
    assert int(digits) == abs(n)
    assert shown.startswith("-") == (n < 0)


@pytest.mark.parametrize(
    ("text", "cur", "minor_units"),
    [
        ("1234.5", "EUR", 123450),
        ("1 234,50", "EUR", 123450),
        ("1\u202f234,50", "EUR", 123450),
        ("1\u00a0234,50", "EUR", 123450),
        ("1.234,56", "EUR", 123456),
        ("1,234.56", "USD", 123456),
        ("1234,5", "PLN", 123450),
        ("-0,01", "EUR", -1),
        ("0.005", "EUR", 1),  # half a cent rounds away from zero
        ("-0.005", "EUR", -1),
        ("0.00499", "EUR", 0),
        ("1234", "JPY", 1234),
        ("1234.5", "JPY", 1235),
        ("-1234.5", "JPY", -1235),
        ("1.234", "KWD", 1234),
        ("1.2345", "KWD", 1235),
        ("0", "KWD", 0),
    ],
)
def test_parse(text: str, cur: str, minor_units: int) -> None:
    assert Money.parse(text, cur) == Money(minor_units, cur)


@pytest.mark.parametrize("text", ["", "abc", "1,234,567", "1.2.3", "NaN", "Infinity", "12 €"])
def test_parse_refuses_what_it_cannot_read_exactly(text: str) -> None:
    with pytest.raises(MoneyError, match="price"):
        parse_decimal(text, field="price")


def test_money_refuses_floats_bools_and_unknown_currencies() -> None:
    with pytest.raises(MoneyError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(True, "EUR")
    with pytest.raises(MoneyError, match="XYZ"):
        Money(1, "XYZ")
    assert Money(1, " eur ").currency == "EUR"
    assert check_currency("pln") == "PLN"


def test_exponents() -> None:
    assert (exponent("EUR"), exponent("JPY"), exponent("KWD")) == (2, 0, 3)
    assert Money(1234, "JPY").amount == Decimal(1234)
    assert Money(1234, "KWD").amount == Decimal("1.234")
    assert Money(1234, "EUR").amount == Decimal("12.34")


@pytest.mark.parametrize(
    ("minor_units", "pct", "expected"),
    [
        (1, 50, 1),  # half a cent: away from zero
        (-1, 50, -1),
        (3, 50, 2),  # 1.5 -> 2
        (-3, 50, -2),
        (5, 10, 1),  # 0.5 -> 1
        (4, 10, 0),  # 0.4 -> 0
        (-5, 10, -1),
        (1999, Decimal("20"), 400),  # 399.8
        (1000, Decimal("5.5"), 55),
        (1001, Decimal("5.5"), 55),  # 55.055
        (9, Decimal("5.5"), 0),  # 0.495 -> 0
        (10, Decimal("5"), 1),  # exactly 0.5 -> 1
        (-10, Decimal("5"), -1),
        (0, 20, 0),
    ],
)
def test_percent_rounds_half_away_from_zero(minor_units: int, pct: Decimal, expected: int) -> None:
    assert Money(minor_units, "EUR").percent(pct) == Money(expected, "EUR")


@pytest.mark.parametrize(
    ("minor_units", "factor", "expected"),
    [
        (1, Decimal("0.5"), 1),
        (-1, Decimal("0.5"), -1),
        (1, Decimal("0.4999"), 0),
        (3, Decimal("0.5"), 2),
        (-3, Decimal("0.5"), -2),
        (333, 3, 999),
        (1999, Decimal("1.5"), 2999),  # 2998.5
        (-1999, Decimal("1.5"), -2999),
        (100, Decimal("0.333"), 33),
    ],
)
def test_times_rounds_half_away_from_zero(minor_units: int, factor: Decimal, expected: int) -> None:
    assert Money(minor_units, "EUR").times(factor) == Money(expected, "EUR")


def test_times_and_percent_keep_the_currency_and_its_units() -> None:
    assert Money(5, "JPY").percent(10) == Money(1, "JPY")  # 0.5 yen -> 1 yen
    assert Money(1, "KWD").times(Decimal("0.5")) == Money(1, "KWD")  # half a fils


@few
@given(minor, currency, st.integers(min_value=0, max_value=100))
def test_percent_matches_exact_decimal_rounding(n: int, cur: str, pct: int) -> None:
    exact = Decimal(n) * pct / 100
    got = Money(n, cur).percent(pct).minor
    assert abs(Decimal(got) - exact) <= Decimal("0.5")
    if abs(exact - int(exact)) == Decimal("0.5"):
        assert abs(got) > abs(exact)  # a tie goes away from zero


@few
@given(minor, currency, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8))
def test_allocate_sums_exactly(n: int, cur: str, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights = [*weights, 1]
    parts = Money(n, cur).allocate(weights)
    assert len(parts) == len(weights)
    assert sum(p.minor for p in parts) == n
    assert {p.currency for p in parts} == {Money(0, cur).currency}
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part.minor * total - n * weight) < total  # within one minor unit of fair
        if weight == 0:
            assert part.minor == 0


@few
@given(minor, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8))
def test_allocating_a_refund_mirrors_the_charge(n: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights = [*weights, 1]
    charge = Money(n, "EUR").allocate(weights)
    refund = Money(-n, "EUR").allocate(weights)
    assert refund == [-p for p in charge]


def test_allocate_examples() -> None:
    assert [p.minor for p in Money(100, "EUR").allocate([1, 1, 1])] == [34, 33, 33]
    assert [p.minor for p in Money(5, "JPY").allocate([1, 1])] == [3, 2]
    assert [p.minor for p in Money(3, "EUR").allocate([0, 1, 1])] == [0, 2, 1]
    assert [p.minor for p in Money(10, "EUR").allocate([1, 3])] == [3, 7]  # 2.5 / 7.5


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [-1]])
def test_allocate_refuses_bad_weights(weights: list[int]) -> None:
    with pytest.raises(MoneyError):
        Money(100, "EUR").allocate(weights)


@pytest.mark.parametrize(
    ("start", "target", "rate", "expected"),
    [
        (Money(1000, "EUR"), "JPY", Decimal("161.235"), Money(1612, "JPY")),  # 1612.35
        (Money(1000, "EUR"), "JPY", Decimal("161.25"), Money(1613, "JPY")),  # 1612.5: away
        (Money(-1000, "EUR"), "JPY", Decimal("161.25"), Money(-1613, "JPY")),
        (Money(1000, "JPY"), "EUR", Decimal("0.0062"), Money(620, "EUR")),
        (Money(100, "EUR"), "KWD", Decimal("0.33335"), Money(333, "KWD")),  # 0.33335
        (Money(1, "KWD"), "EUR", Decimal("3.0"), Money(0, "EUR")),  # 0.003
        (Money(5, "KWD"), "EUR", Decimal("1"), Money(1, "EUR")),  # 0.005 -> 0.01
        (Money(123456, "PLN"), "PLN", Decimal("1"), Money(123456, "PLN")),
    ],
)
def test_convert(start: Money, target: str, rate: Decimal, expected: Money) -> None:
    assert start.convert(target, rate) == expected


@pytest.mark.parametrize("rate", [Decimal(0), Decimal("-1.2")])
def test_convert_refuses_non_positive_rates(rate: Decimal) -> None:
    with pytest.raises(MoneyError, match="rate"):
        Money(100, "EUR").convert("PLN", rate)


def test_convert_refuses_unknown_currency() -> None:
    with pytest.raises(MoneyError):
        Money(100, "EUR").convert("XYZ", Decimal(1))


@few
@given(minor, st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(1000), places=4))
def test_convert_is_within_half_a_unit(n: int, rate: Decimal) -> None:
    converted = Money(n, "EUR").convert("KWD", rate)
    exact = Decimal(n) / 100 * rate * 1000
    assert abs(Decimal(converted.minor) - exact) <= Decimal("0.5")


def test_format_by_locale() -> None:
    assert Money(123456, "EUR").format("en_US") == "€1,234.56"
    assert Money(123456, "EUR").format("fr_FR") == "1\u202f234,56\u00a0€"
    assert Money(123456, "PLN").format("pl_PL") == "1234,56\u00a0zł"  # CLDR: no group at 4 digits
    assert Money(1234567, "PLN").format("pl_PL") == "12\u00a0345,67\u00a0zł"
    assert Money(1234, "JPY").format("en_US") == "¥1,234"
    assert str(Money(1234, "KWD")) == "1.234 KWD"
