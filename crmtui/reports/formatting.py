"""Amounts, numbers and dates as a locale writes them, for documents people read.

Grouping follows CLDR's minimum grouping digits (see ``store.locales``), so a
four-digit amount reads ``1234,56 zł`` here exactly as on screen.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from ..store.locales import grouped, parse_locale
from ..store.money import Money


def money(amount: Money, locale: str) -> str:
    """``1 234,56 €`` in fr_FR, ``1234,56 zł`` and ``12 345,67 zł`` in pl_PL."""
    return amount.format(locale)


def number(value: Decimal, locale: str) -> str:
    """A quantity or rate with the locale's separators and no useless zeros."""
    loc = parse_locale(locale)
    normal = value.normalize() if value == value.to_integral() else value
    return str(
        format_decimal(normal, format="#,##0.####", locale=loc, group_separator=grouped(value, loc))
    )


def day(value: date, locale: str) -> str:
    """A date in the locale's medium form: ``23 nov. 2026``, ``23 lis 2026``."""
    return str(format_date(value, format="medium", locale=parse_locale(locale)))
