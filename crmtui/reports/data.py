"""The pipeline reports: won deals, the sales forecast, the sales funnel.

Each function aggregates in SQL by month (or stage) *and currency*, converts
each currency's sum once, and rounds once at the end, so a year of a million
deals is a few grouped index scans rather than a million conversions. A
deal's value is its budget times its count (12 months of 1,000 is 12,000);
a deal is dated by its expected close.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from ..store.money import exponent
from .model import Cell, Chart, Column, Period, Rates, Report, Table, users_filter

_VALUE = "o.budget_minor * o.budget_count"
_JOINS = (
    "LEFT JOIN contact c ON c.id = o.contact_id "
    "LEFT JOIN user_account u ON u.id = o.responsible_id WHERE"
)


# From about a quarter on, a period holds a large part of a table's deals or
# invoices, and reading the table through once beats fetching each of those
# rows through a date index (one random page read each): a year of a million
# invoices takes a third of the time. Short periods keep the index.
WIDE = timedelta(days=92)


def scan_if_wide(period: Period) -> str:
    """`` NOT INDEXED`` (after a table name) when the period is long."""
    return " NOT INDEXED" if period.end - period.start >= WIDE else ""


def grouped(
    session: Session, sql: str, params: dict[str, Any], rates: Rates
) -> dict[tuple[Any, ...], tuple[int, Decimal]]:
    """Rows of (key..., currency, count, minor sum) -> {key: (count, amount)}."""
    return converted(session.execute(text(sql), params).all(), rates)


def converted(
    rows: Sequence[Sequence[Any]], rates: Rates
) -> dict[tuple[Any, ...], tuple[int, Decimal]]:
    """:func:`grouped` for rows already read."""
    rates.require({r[-3] for r in rows})
    out: dict[tuple[Any, ...], tuple[int, Decimal]] = defaultdict(lambda: (0, Decimal(0)))
    for *key, currency, count, minor in rows:
        n, amount = out[tuple(key)]
        out[tuple(key)] = (n + count, amount + rates.major(minor or 0, currency))
    return out


def months(period: Period) -> list[str]:
    months, (y, m) = [], (period.start.year, period.start.month)
    while (y, m) <= (period.end.year, period.end.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def won(session: Session, period: Period, users: list[str] | None = None) -> Report:
    """Deals won in the period, by month, with the deals themselves."""
    rates = Rates(session)
    where, params = users_filter(session, users or [], "o.responsible_id")
    params.update(period.bounds())
    base = (
        "FROM opportunity o JOIN stage s ON s.id = o.stage_id WHERE s.state = 'won' "
        f"AND o.expected_close BETWEEN :d0 AND :d1{where}"
    )
    sums = grouped(
        session,
        f"SELECT substr(o.expected_close, 1, 7), o.currency, count(*), "
        f"sum({_VALUE}) {base} GROUP BY 1, 2",
        params,
        rates,
    )
    rows: list[tuple[Cell, ...]] = []
    for month in months(period):
        count, amount = sums.get((month,), (0, Decimal(0)))
        rows.append((month, count, rates.round(amount)))
    total = (
        sum(int(r[1]) for r in rows),
        rates.round(sum((a for _, a in sums.values()), Decimal(0))),
    )
    details = _won_details(session, base, params, rates)
    return Report(
        "won",
        "Won deals",
        period,
        rates.currency,
        Table(
            (
                Column("Month"),
                Column("Deals won", "int"),
                Column(f"Amount ({rates.currency})", "money"),
            ),
            rows,
            ("Total", *total),
        ),
        Chart("column", "Won per month", (2,), rates.currency),
        details,
    )


def _won_details(session: Session, base: str, params: dict[str, Any], rates: Rates) -> Table:
    sql = (
        "SELECT o.expected_close, o.title, COALESCE(c.display_name, ''), "
        f"COALESCE(u.name, ''), {_VALUE}, o.currency {base.replace('WHERE', _JOINS, 1)} "
        "ORDER BY o.expected_close, o.id LIMIT 10000"
    )
    rows: list[tuple[Cell, ...]] = []
    for closed, title, contact, user, minor, currency in session.execute(text(sql), params):
        amount = rates.major(minor, currency)
        original = Decimal(minor).scaleb(-exponent(currency))
        rows.append((str(closed), title, contact, user, original, currency, rates.round(amount)))
    return Table(
        (
            Column("Closed"),
            Column("Deal"),
            Column("Contact"),
            Column("Responsible"),
            Column("Budget", "money"),
            Column("Currency"),
            Column(f"Amount ({rates.currency})", "money"),
        ),
        rows,
    )


def forecast(session: Session, period: Period, users: list[str] | None = None) -> Report:
    """Open deals expected to close in the period: pipeline and weighted, by month."""
    rates = Rates(session)
    where, params = users_filter(session, users or [], "o.responsible_id")
    params.update(period.bounds())
    sql = (
        f"SELECT substr(o.expected_close, 1, 7), s.probability, o.currency, count(*), "
        f"sum({_VALUE}) FROM opportunity o{scan_if_wide(period)} JOIN stage s "
        f"ON s.id = o.stage_id WHERE s.state = 'open' "
        f"AND o.expected_close BETWEEN :d0 AND :d1{where} GROUP BY 1, 2, 3"
    )
    sums = grouped(session, sql, params, rates)
    per_month: dict[str, list[Any]] = {m: [0, Decimal(0), Decimal(0)] for m in months(period)}
    for (month, probability), (count, amount) in sums.items():
        entry = per_month[month]
        entry[0] += count
        entry[1] += amount
        entry[2] += amount * probability / 100
    rows: list[tuple[Cell, ...]] = [
        (m, n, rates.round(a), rates.round(w)) for m, (n, a, w) in per_month.items()
    ]
    totals = (
        "Total",
        sum(v[0] for v in per_month.values()),
        rates.round(sum((v[1] for v in per_month.values()), Decimal(0))),
        rates.round(sum((v[2] for v in per_month.values()), Decimal(0))),
    )
    cur = rates.currency
    return Report(
        "forecast",
        "Sales forecast",
        period,
        cur,
        Table(
            (
                Column("Month"),
                Column("Open deals", "int"),
                Column(f"Pipeline ({cur})", "money"),
                Column(f"Weighted ({cur})", "money"),
            ),
            rows,
            totals,
        ),
        Chart("column", "Forecast per month", (2, 3), cur),
    )


def funnel(session: Session, period: Period, users: list[str] | None = None) -> Report:
    """Deals expected to close in the period, by stage in board order."""
    rates = Rates(session)
    where, params = users_filter(session, users or [], "o.responsible_id")
    params.update(period.bounds())
    stages = session.execute(
        text(
            "SELECT id, name, probability, state FROM stage WHERE state <> 'lost' "
            "ORDER BY state = 'won', position, id"
        )
    ).all()
    sums = grouped(
        session,
        (
            "SELECT o.stage_id, o.currency, count(*), sum(" + _VALUE + ") FROM opportunity o"
            f"{scan_if_wide(period)} WHERE o.expected_close BETWEEN :d0 AND :d1{where} "
            "GROUP BY 1, 2"
        ),
        params,
        rates,
    )
    rows: list[tuple[Cell, ...]] = []
    for stage_id, name, probability, _state in stages:
        count, amount = sums.get((stage_id,), (0, Decimal(0)))
        rows.append((name, count, rates.round(amount), probability))
    cur = rates.currency
    return Report(
        "funnel",
        "Sales funnel",
        period,
        cur,
        Table(
            (
                Column("Stage"),
                Column("Deals", "int"),
                Column(f"Amount ({cur})", "money"),
                Column("Probability %", "int"),
            ),
            rows,
        ),
        Chart("bar", "Deals by stage", (1,), "deals"),
    )
