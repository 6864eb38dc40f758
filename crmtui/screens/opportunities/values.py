"""How a deal's figures read: its budget with its type, and a one-line summary."""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import format_compact_currency

from ...store.money import Money, MoneyError
from ...store.queries.deals import DealRow
from ...widgets.format import day, money

PER = {"hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"}
BUDGET_TYPES = [
    ("fixed", "fixed"),
    ("per hour", "hour"),
    ("per day", "day"),
    ("per week", "week"),
    ("per month", "month"),
    ("per year", "year"),
]


def budget(row: DealRow, locale: str) -> str:
    """``1 500,00 €`` for a fixed budget, ``1 500,00 € / month x 12`` for a periodic one."""
    amount = money(row.budget_minor, row.currency, locale)
    if row.budget_type == "fixed":
        return amount
    return f"{amount} / {PER.get(row.budget_type, row.budget_type)} x {row.budget_count}"


def value(row: DealRow, locale: str) -> str:
    """What the deal is worth in its own currency (budget x count)."""
    return money(row.value_minor, row.currency, locale)


def summary(row: DealRow, locale: str) -> str:
    """The highlighted deal in one line, under the board or the list."""
    parts = [
        row.title,
        row.contact_name,
        f"{row.stage_name} {row.probability} %",
        budget(row, locale),
        f"closes {day(row.expected_close)}" if row.expected_close else "no close date",
        row.responsible,
        "restricted" if row.restricted else "",
    ]
    return " · ".join(p for p in parts if p)


def compact(row: DealRow, locale: str) -> str:
    """The deal's value in a few cells, for a card: ``181,5 k €``."""
    return _compact(row.value_minor, row.currency, locale)


@lru_cache(maxsize=8192)  # Babel's compact format costs a third of a millisecond
def _compact(minor: int, currency: str, locale: str) -> str:
    try:
        amount = Money(minor, currency).amount
        return format_compact_currency(amount, currency, locale=locale, fraction_digits=1)
    except (MoneyError, ValueError):
        return money(minor, currency, locale)
