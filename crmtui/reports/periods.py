"""The quick choices of a report's period, relative to today."""

from __future__ import annotations

from datetime import date, timedelta

from .model import Period

QUICK = {
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "this_year": "This year",
}


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def quick_period(name: str, today: date) -> Period:
    """``this_month``, ``last_month``, ``this_quarter`` or ``this_year`` around ``today``."""
    if name == "this_month":
        first = today.replace(day=1)
    elif name == "last_month":
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    elif name == "this_quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return Period(first, _month_end(date(today.year, first.month + 2, 1)))
    elif name == "this_year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    else:
        raise ValueError(f"unknown period {name!r}; one of {', '.join(QUICK)}")
    return Period(first, _month_end(first))
