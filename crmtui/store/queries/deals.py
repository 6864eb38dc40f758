"""Reading opportunities: the pipeline board, keyset-paged lists, one deal's detail.

A deal's value is its budget times its count for a periodic budget (per month
x 12) and its budget for a fixed one. The board converts each column's values
into the default currency with the admin's exchange rates: one conversion per
(stage, currency) sum, rounded once with the money rule; a currency without a
rate is left out of the totals and named in ``unconverted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlmodel import Session

from .. import settings
from ..money import Money, round_minor
from .common import PAGE, Page

if TYPE_CHECKING:  # importing the mutations imports every ORM model: not for a read
    from ..mutations.registry import Context

VALUE_SQL = "o.budget_minor * (CASE o.budget_type WHEN 'fixed' THEN 1 ELSE o.budget_count END)"


@dataclass(frozen=True, slots=True)
class StageRow:
    id: str
    name: str
    position: int
    probability: int
    state: str


@dataclass(frozen=True, slots=True)
class PipelineColumn:
    stage: StageRow
    count: int
    total_minor: int  # in ``currency``, the default currency
    weighted_minor: int  # total x the stage's probability
    currency: str
    unconverted: tuple[str, ...]  # currencies without an exchange rate


@dataclass(frozen=True, slots=True)
class DealRow:
    id: str
    title: str
    contact_id: str | None
    contact_name: str
    stage_id: str
    stage_name: str
    stage_state: str
    probability: int
    budget_minor: int
    currency: str
    budget_type: str
    budget_count: int
    value_minor: int
    expected_close: date | None
    responsible: str
    restricted: bool


def visible(viewer: Context | None) -> tuple[str, dict[str, Any]]:
    """SQL that keeps the deals ``viewer`` may see (restricted ones need a grant)."""
    if viewer is None or viewer.role == "admin" or viewer.user_id is None:
        return "1", {}
    return (
        "(o.restricted = 0 OR EXISTS (SELECT 1 FROM opportunity_user g "
        "WHERE g.opportunity_id = o.id AND g.user_id = :viewer))",
        {"viewer": viewer.user_id},
    )


def list_stages(session: Session) -> list[StageRow]:
    """Every stage in board order."""
    rows = session.execute(
        text("SELECT id, name, position, probability, state FROM stage ORDER BY position, id")
    )
    return [StageRow(*r) for r in rows]


def _rates(session: Session) -> dict[str, Decimal]:
    rows = session.execute(text("SELECT currency, rate FROM exchange_rate")).all()
    return {currency: Decimal(rate) for currency, rate in rows}


def pipeline(session: Session, viewer: Context | None = None) -> list[PipelineColumn]:
    """One column per stage: how many deals, their total and weighted total."""
    default = str(settings.get(session, "default_currency"))
    rates = _rates(session)
    where, params = visible(viewer)
    sums = session.execute(
        text(
            f"SELECT o.stage_id, o.currency, count(*), sum({VALUE_SQL}) FROM opportunity o "
            f"WHERE {where} GROUP BY o.stage_id, o.currency"
        ),
        params,
    ).all()
    by_stage: dict[str, list[tuple[str, int, int]]] = {}
    for stage_id, currency, count, total in sums:
        by_stage.setdefault(stage_id, []).append((currency, int(count), int(total or 0)))
    return [
        _column(stage, by_stage.get(stage.id, []), default, rates) for stage in list_stages(session)
    ]


def _column(
    stage: StageRow, sums: list[tuple[str, int, int]], default: str, rates: dict[str, Decimal]
) -> PipelineColumn:
    total, missing = 0, []
    for currency, _count, amount in sums:
        if currency == default:
            total += amount
        elif currency in rates:
            total += Money(amount, currency).convert(default, rates[currency]).minor
        else:
            missing.append(currency)
    weighted = round_minor(Decimal(total) * stage.probability / 100)
    count = sum(c for _cur, c, _amt in sums)
    return PipelineColumn(stage, count, total, weighted, default, tuple(sorted(missing)))


ROW_SQL = f"""
SELECT o.id, o.title, o.contact_id, COALESCE(c.display_name, ''), o.stage_id, s.name, s.state,
  s.probability, o.budget_minor, o.currency, o.budget_type, o.budget_count, {VALUE_SQL},
  o.expected_close, COALESCE(u.name, ''), o.restricted
FROM opportunity o JOIN stage s ON s.id = o.stage_id
LEFT JOIN contact c ON c.id = o.contact_id LEFT JOIN user_account u ON u.id = o.responsible_id
"""


def deal_row(row: Any) -> DealRow:
    values = list(row)
    close = values[13]
    values[13] = date.fromisoformat(close) if isinstance(close, str) else close
    values[15] = bool(values[15])
    return DealRow(*values)


def _page(
    session: Session, where: str, params: dict[str, Any], order: str, limit: int, key: Any
) -> Page[DealRow]:
    sql = f"{ROW_SQL} WHERE {where} ORDER BY {order} LIMIT :limit"
    rows = [deal_row(r) for r in session.execute(text(sql), {**params, "limit": limit + 1})]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, key(rows[-1]) if more else None, None)


def list_opportunities(
    session: Session,
    *,
    after: tuple[str, ...] | None = None,
    limit: int = PAGE,
    viewer: Context | None = None,
    stage_id: str | None = None,
    contact_id: str | None = None,
) -> Page[DealRow]:
    """A page of deals in title order, after a ``(title, id)`` key."""
    where, params = visible(viewer)
    if stage_id is not None:
        where, params["stage_id"] = f"{where} AND o.stage_id = :stage_id", stage_id
    if contact_id is not None:
        where += (
            " AND (o.contact_id = :contact_id OR EXISTS (SELECT 1 FROM opportunity_contact"
            " l WHERE l.opportunity_id = o.id AND l.contact_id = :contact_id))"
        )
        params["contact_id"] = contact_id
    if after is not None:
        where += " AND (o.title, o.id) > (:k0, :k1)"
        params.update(k0=after[0], k1=after[1])
    return _page(session, where, params, "o.title, o.id", limit, lambda r: (r.title, r.id))


def _card_key(row: DealRow) -> tuple[str, ...]:
    if row.expected_close is None:
        return ("1", "", row.id)
    return ("0", row.expected_close.isoformat(), row.id)


def stage_cards(
    session: Session,
    stage_id: str,
    *,
    after: tuple[str, ...] | None = None,
    limit: int = PAGE,
    viewer: Context | None = None,
) -> Page[DealRow]:
    """The deals of one board column, soonest expected close first, undated last.

    Two index-ordered runs (dated, then undated) rather than one sort on
    ``COALESCE(expected_close, ...)``, which would sort the whole column for
    every page. Keys are ``(segment, close, id)``.
    """
    where, params = visible(viewer)
    where, params["stage_id"] = f"{where} AND o.stage_id = :stage_id", stage_id
    rows: list[DealRow] = []
    if after is None or after[0] == "0":
        dated = f"{where} AND o.expected_close IS NOT NULL"
        if after is not None:
            dated += " AND (o.expected_close, o.id) > (:k0, :k1)"
            params.update(k0=after[1], k1=after[2])
        page = _page(session, dated, params, "o.expected_close, o.id", limit, _card_key)
        if page.next_key is not None:
            return page
        rows, after = list(page.rows), ("1", "", "")  # go on with the undated run
    undated = f"{where} AND o.expected_close IS NULL AND o.id > :k1"
    params["k1"] = after[2]
    if len(rows) == limit:
        more = session.execute(text(f"SELECT 1 FROM opportunity o WHERE {undated} LIMIT 1"),
                               params).first()  # fmt: skip
        return Page(rows, after if more else None, None)
    rest = _page(session, undated, params, "o.id", limit - len(rows), _card_key)
    return Page([*rows, *rest.rows], rest.next_key, None)


@dataclass(frozen=True, slots=True)
class Linked:
    """A record shown in a deal's detail: its id, a label and a small note."""

    id: str
    label: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class DealDetail:
    row: DealRow
    description: str
    contacts: tuple[Linked, ...]
    users: tuple[Linked, ...]
    custom: tuple[Linked, ...]  # field id, field name, value
    tasks: tuple[Linked, ...]  # note: due date-time, or "closed"
    activities: tuple[Linked, ...]  # note: type and start
    invoices: tuple[Linked, ...]  # note: status


_LINKS = {
    "contacts": "SELECT c.id, c.display_name, c.kind FROM opportunity_contact l "
    "JOIN contact c ON c.id = l.contact_id WHERE l.opportunity_id = :id "
    "ORDER BY c.sort_key",
    "users": "SELECT u.id, u.name, u.role FROM opportunity_user l JOIN user_account u "
    "ON u.id = l.user_id WHERE l.opportunity_id = :id ORDER BY u.name",
    "custom": "SELECT f.id, f.name, v.value FROM custom_field f JOIN custom_value v "
    "ON v.field_id = f.id AND v.entity_id = :id ORDER BY f.position",
    "tasks": "SELECT id, title, CASE WHEN closed_at IS NULL THEN COALESCE(due_at, '') "
    "ELSE 'closed' END FROM task WHERE opportunity_id = :id ORDER BY due_at, id",
    "activities": "SELECT a.id, COALESCE(NULLIF(a.subject, ''), a.type), "
    "a.type || ' ' || a.starts_at FROM activity_opportunity l JOIN activity a "
    "ON a.id = l.activity_id WHERE l.opportunity_id = :id "
    "ORDER BY a.starts_at DESC",
    "invoices": "SELECT id, number, status FROM invoice WHERE opportunity_id = :id "
    "ORDER BY issue_date DESC, number DESC",
}


def deal_detail(session: Session, deal_id: str, viewer: Context | None = None) -> DealDetail | None:
    """Everything a deal's page shows, or None if missing or not visible."""
    where, params = visible(viewer)
    found = _page(
        session, f"{where} AND o.id = :id", {**params, "id": deal_id}, "o.id", 1, lambda r: None
    ).rows
    if not found:
        return None
    description = session.execute(
        text("SELECT description FROM opportunity WHERE id = :id"), {"id": deal_id}
    ).scalar_one()
    links = {
        name: tuple(
            Linked(str(a), str(b), str(c))
            for a, b, c in session.execute(text(sql), {"id": deal_id})
        )
        for name, sql in _LINKS.items()
    }
    return DealDetail(found[0], description, **links)
