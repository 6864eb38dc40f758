"""Amounts, numbers and dates as a locale writes them, for documents people read.

Babel formats from CLDR but (as of 2.18) ignores CLDR's ``minimumGroupingDigits``:
in Polish, Spanish, Italian... a four-digit amount is written without a group
separator (``1234,56 zł``) and only five digits and more are grouped
(``12 345,67 zł``). :func:`money` applies that rule on top of Babel.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from ..store.money import Money

# CLDR 48 minimumGroupingDigits = 2, by language, with the regions that differ
# (checked against ICU's Intl.NumberFormat, which carries the field).
_MIN_GROUPING_2 = frozenset(
    {"be", "bg", "ee", "es", "et", "hu", "hy", "ia", "ie", "it", "ka", "lv", "pl", "sl", "sq"}
)
_GROUPING_1_REGIONS = {
    # Latin American Spanish groups from four digits, as English does.
    "es": frozenset(
        {
            "419",
            "AR",
            "BO",
            "BR",
            "BZ",
            "CL",
            "CO",
            "CR",
            "CU",
            "DO",
            "EC",
            "GT",
            "HN",
            "MX",
            "NI",
            "PA",
            "PE",
            "PR",
            "PY",
            "SV",
            "US",
            "UY",
            "VE",
        }
    ),
}
# Portuguese groups four digits only in Brazil and Angola (and plain "pt").
_PT_GROUPING_1 = frozenset({None, "BR", "AO"})


def parse_locale(name: str) -> Locale:
    """A Babel locale from ``fr_FR``, ``fr-FR`` or ``pl``; English if unknown."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en")


def min_grouping_digits(locale: Locale) -> int:
    """CLDR's minimumGroupingDigits for ``locale`` (1 or 2)."""
    if locale.language == "pt":
        return 1 if locale.territory in _PT_GROUPING_1 else 2
    if locale.language == "ru" and locale.territory == "UA":
        return 2
    if locale.language not in _MIN_GROUPING_2:
        return 1
    if locale.territory in _GROUPING_1_REGIONS.get(locale.language, frozenset()):
        return 1
    return 2


def _group(value: Decimal, locale: Locale) -> bool:
    # With a minimum of 2 grouping digits the first separator appears only
    # once the integer part has 3 + 2 = 5 digits.
    return abs(value) >= 10 ** (2 + min_grouping_digits(locale))


def money(amount: Money, locale: str) -> str:
    """``1 234,56 €`` in fr_FR, ``1234,56 zł`` and ``12 345,67 zł`` in pl_PL."""
    loc = parse_locale(locale)
    value = amount.amount
    return str(
        format_currency(value, amount.currency, locale=loc, group_separator=_group(value, loc))
    )


def number(value: Decimal, locale: str) -> str:
    """A quantity or rate with the locale's separators and no useless zeros."""
    loc = parse_locale(locale)
    normal = value.normalize() if value == value.to_integral() else value
    return str(
        format_decimal(normal, format="#,##0.####", locale=loc, group_separator=_group(value, loc))
    )


def day(value: date, locale: str) -> str:
    """A date in the locale's medium form: ``23 nov. 2026``, ``23 lis 2026``."""
    return str(format_date(value, format="medium", locale=parse_locale(locale)))
