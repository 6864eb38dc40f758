"""Reports about people and the period: per manager, calls by agent, summary."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from .data import converted, grouped, months, scan_if_wide
from .model import Cell, Chart, Column, Period, Rates, Report, ReportError, Table, users_filter

NO_AGENT = "(no agent)"

# Per-user counts over the period: (title, SQL grouped by the user's id). Deals
# and invoices are counted by the queries that sum them: one scan of each table
# (a year of a million rows) rather than two.
_MANAGER_COUNTS = (
    ("Contacts", "SELECT user_id, count(*) FROM contact_responsible GROUP BY 1"),
    (
        "New contacts",
        "SELECT owner_id, count(*) FROM contact WHERE created_at >= :t0 "
        "AND created_at < :t1 GROUP BY 1",
    ),
    (
        "Activities",
        "SELECT owner_id, count(*) FROM activity WHERE starts_at >= :t0 "
        "AND starts_at < :t1 GROUP BY 1",
    ),
    (
        "Tasks due",
        "SELECT responsible_id, count(*) FROM task WHERE due_at >= :t0 AND due_at < :t1 GROUP BY 1",
    ),
    (
        "Tasks done",
        "SELECT responsible_id, count(*) FROM task WHERE closed_at >= :t0 "
        "AND closed_at < :t1 GROUP BY 1",
    ),
    ("Opportunities", ""),  # counted by _DEALS
    ("Invoices", ""),  # counted by _BILLED
    (
        "Calls",
        "SELECT agent_id, count(*) FROM call WHERE started_at >= :t0 "
        "AND started_at < :t1 GROUP BY 1",
    ),
)


# "{scan}" is data.scan_if_wide's hint: a year is read in one pass of each table.
_DEALS = (
    "SELECT o.responsible_id, s.state = 'won', o.currency, count(*), "
    "sum(o.budget_minor * o.budget_count) FROM opportunity o{scan} JOIN stage s "
    "ON s.id = o.stage_id WHERE o.expected_close BETWEEN :d0 AND :d1 GROUP BY 1, 2, 3"
)
_BILLED = (
    "SELECT created_by, currency, count(*), sum(total_minor) FROM invoice{scan} WHERE "
    "issue_date BETWEEN :d0 AND :d1 AND status IN ('billed', 'paid') GROUP BY 1, 2"
)


def managers(session: Session, period: Period, users: list[str] | None = None) -> Report:
    """Per user: contacts, activities, tasks, opportunities, invoices and calls."""
    rates = Rates(session)
    where, params = users_filter(session, users or [], "id")
    params.update(period.bounds())
    people = session.execute(
        text(f"SELECT id, name FROM user_account WHERE 1=1{where} ORDER BY name, id"), params
    ).all()
    by_title = {
        t: dict(session.execute(text(sql), params).all()) for t, sql in _MANAGER_COUNTS if sql
    }
    scan = scan_if_wide(period)
    # (user, won?, currency, n, minor)
    deals = session.execute(text(_DEALS.format(scan=scan)), params).all()
    won = converted([(u, cur, n, minor) for u, is_won, cur, n, minor in deals if is_won], rates)
    billed = grouped(session, _BILLED.format(scan=scan), params, rates)
    by_title["Opportunities"] = defaultdict(int)
    for user_id, _won, _cur, n, _minor in deals:
        by_title["Opportunities"][user_id] += n
    by_title["Invoices"] = {key[0]: n for key, (n, _amount) in billed.items()}
    counts = [by_title[t] for t, _ in _MANAGER_COUNTS]
    rows: list[tuple[Cell, ...]] = []
    for user_id, name in people:
        figures = [int(c.get(user_id, 0)) for c in counts]
        rows.append(
            (
                name,
                *figures,
                rates.round(won.get((user_id,), (0, Decimal(0)))[1]),
                rates.round(billed.get((user_id,), (0, Decimal(0)))[1]),
            )
        )
    cur = rates.currency
    columns = (
        Column("User"),
        *(Column(t, "int") for t, _ in _MANAGER_COUNTS),
        Column(f"Won ({cur})", "money"),
        Column(f"Invoiced ({cur})", "money"),
    )
    return Report(
        "managers",
        "Per manager",
        period,
        cur,
        Table(columns, rows),
        Chart("column", "Activity per manager", (2, 4, 6, 7, 8), "records"),
    )


def calls(session: Session, period: Period, users: list[str] | None = None) -> Report:
    """Calls by agent: counts, answered and missed, durations and costs."""
    rates = Rates(session)
    where, params = users_filter(session, users or [], "c.agent_id")
    params.update(period.bounds())
    span = f"c.started_at >= :t0 AND c.started_at < :t1{where}"
    stats = session.execute(
        text(
            "SELECT COALESCE(u.name, :none), count(*), sum(c.status = 'answered'), "
            "sum(c.status = 'missed'), sum(c.direction = 'inbound'), "
            "sum(c.direction = 'outbound'), "
            "sum(c.duration_s), sum(c.billsec_s) FROM call c "
            f"LEFT JOIN user_account u ON u.id = c.agent_id WHERE {span} GROUP BY 1 ORDER BY 1"
        ),
        {**params, "none": NO_AGENT},
    ).all()
    costs = grouped(
        session,
        (
            "SELECT COALESCE(u.name, :none), c.cost_currency, count(*), sum(c.cost_minor) "
            f"FROM call c LEFT JOIN user_account u ON u.id = c.agent_id WHERE {span} "
            "AND c.cost_minor IS NOT NULL GROUP BY 1, 2"
        ),
        {**params, "none": NO_AGENT},
        rates,
    )
    rows: list[tuple[Cell, ...]] = []
    for agent, n, answered, missed, inbound, outbound, duration, billsec in stats:
        average = round(duration / n) if n else 0
        cost = rates.round(costs.get((agent,), (0, Decimal(0)))[1])
        rows.append(
            (agent, n, answered, missed, inbound, outbound, duration, average, billsec, cost)
        )
    cur = rates.currency
    columns = (
        Column("Agent"),
        Column("Calls", "int"),
        Column("Answered", "int"),
        Column("Missed", "int"),
        Column("Inbound", "int"),
        Column("Outbound", "int"),
        Column("Talk time", "seconds"),
        Column("Average", "seconds"),
        Column("Billed time", "seconds"),
        Column(f"Cost ({cur})", "money"),
    )
    totals = _column_totals(rows, columns)
    return Report(
        "calls",
        "Calls by agent",
        period,
        cur,
        Table(columns, rows, totals),
        Chart("column", "Calls per agent", (2, 3), "calls"),
    )


def _column_totals(rows: list[tuple[Cell, ...]], columns: tuple[Column, ...]) -> tuple[Cell, ...]:
    totals: list[Cell] = ["Total"]
    for i, column in enumerate(columns[1:], 1):
        if column.title == "Average":
            calls_, talk = sum(int(r[1]) for r in rows), sum(int(r[6]) for r in rows)
            totals.append(round(talk / calls_) if calls_ else 0)
        elif column.kind == "money":
            totals.append(sum((Decimal(r[i]) for r in rows), Decimal(0)))
        else:
            totals.append(sum(int(r[i]) for r in rows))
    return tuple(totals)


# Monthly figures of the summary: (title, kind, SQL grouped by month).
_MONTHLY = (
    (
        "New contacts",
        "SELECT substr(created_at, 1, 7), count(*) FROM contact "
        "WHERE created_at >= :t0 AND created_at < :t1 GROUP BY 1",
    ),
    (
        "Activities",
        "SELECT substr(starts_at, 1, 7), count(*) FROM activity "
        "WHERE starts_at >= :t0 AND starts_at < :t1 GROUP BY 1",
    ),
    (
        "Tasks done",
        "SELECT substr(closed_at, 1, 7), count(*) FROM task "
        "WHERE closed_at >= :t0 AND closed_at < :t1 GROUP BY 1",
    ),
    (
        "Calls",
        "SELECT substr(started_at, 1, 7), count(*) FROM call "
        "WHERE started_at >= :t0 AND started_at < :t1 GROUP BY 1",
    ),
)


def summary(session: Session, period: Period, users: list[str] | None = None) -> Report:
    """The period month by month: new records, deals won, amounts invoiced."""
    rates = Rates(session)
    params: dict[str, Any] = dict(period.bounds())
    if users:
        raise_if_users(users)
    counts = [dict(session.execute(text(sql), params).all()) for _, sql in _MONTHLY]
    won = grouped(
        session,
        (
            "SELECT substr(o.expected_close, 1, 7), o.currency, count(*), "
            "sum(o.budget_minor * o.budget_count) FROM opportunity o JOIN stage s "
            "ON s.id = o.stage_id WHERE s.state = 'won' AND o.expected_close BETWEEN :d0 AND :d1 "
            "GROUP BY 1, 2"
        ),
        params,
        rates,
    )
    billed = grouped(
        session,
        (
            "SELECT substr(issue_date, 1, 7), currency, count(*), sum(total_minor) FROM invoice"
            f"{scan_if_wide(period)} WHERE issue_date BETWEEN :d0 AND :d1 "
            "AND status IN ('billed', 'paid') GROUP BY 1, 2"
        ),
        params,
        rates,
    )
    rows: list[tuple[Cell, ...]] = []
    zero = (0, Decimal(0))
    for month in months(period):
        figures = [int(c.get(month, 0)) for c in counts]
        w, b = won.get((month,), zero), billed.get((month,), zero)
        rows.append((month, *figures, w[0], rates.round(w[1]), b[0], rates.round(b[1])))
    cur = rates.currency
    columns = (
        Column("Month"),
        *(Column(t, "int") for t, _ in _MONTHLY),
        Column("Deals won", "int"),
        Column(f"Won ({cur})", "money"),
        Column("Invoices", "int"),
        Column(f"Invoiced ({cur})", "money"),
    )
    return Report(
        "summary",
        "Summary of the period",
        period,
        cur,
        Table(columns, rows, _column_totals(rows, columns)),
        Chart("line", "Won and invoiced per month", (6, 8), cur),
    )


def raise_if_users(users: list[str]) -> None:
    raise ReportError("the summary covers everyone; --user applies to the other reports")
