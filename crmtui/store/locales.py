"""How a locale writes numbers: which ``Locale`` a name means, and CLDR's
minimum grouping digits, which Babel reads but does not apply.

Babel formats from CLDR but (as of 2.18) ignores ``minimumGroupingDigits``:
in Polish, Spanish, Italian... a four-digit amount is written without a group
separator (``1234,56 zł``) and only five digits and more are grouped
(``12 345,67 zł``). :func:`grouped` says whether a value gets separators, so
that every amount shown (screens, PDF, e-mail) follows the rule.
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale, UnknownLocaleError

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
    except (UnknownLocaleError, ValueError, TypeError, AttributeError):
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


def grouped(value: Decimal, locale: Locale) -> bool:
    """Whether ``value`` is written with group separators in ``locale``."""
    # With a minimum of 2 grouping digits the first separator appears only
    # once the integer part has 3 + 2 = 5 digits.
    return abs(value) >= 10 ** (2 + min_grouping_digits(locale))
