"""The quick choices of a report's period, across month, quarter and year ends."""

from __future__ import annotations

from datetime import date

import pytest

from crmtui.reports.model import Period
from crmtui.reports.periods import QUICK, quick_period


@pytest.mark.parametrize(
    ("name", "today", "start", "end"),
    [
        ("this_month", date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        ("this_month", date(2030, 12, 31), date(2030, 12, 1), date(2030, 12, 31)),
        ("last_month", date(2030, 1, 15), date(2029, 12, 1), date(2029, 12, 31)),
        ("last_month", date(2030, 3, 31), date(2030, 2, 1), date(2030, 2, 28)),
        ("this_quarter", date(2030, 11, 5), date(2030, 10, 1), date(2030, 12, 31)),
        ("this_quarter", date(2030, 4, 1), date(2030, 4, 1), date(2030, 6, 30)),
        ("this_year", date(2030, 6, 12), date(2030, 1, 1), date(2030, 12, 31)),
    ],
)
def test_quick_periods(name: str, today: date, start: date, end: date) -> None:
    assert name in QUICK
    assert quick_period(name, today) == Period(start, end)


def test_unknown_period_names_the_choices() -> None:
    with pytest.raises(ValueError, match="this_month, last_month"):
        quick_period("fortnight", date(2030, 1, 1))
