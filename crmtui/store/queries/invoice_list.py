"""The invoices list: one keyset-paged listing per filter (all, each status,
and overdue: billed and past its due date), and how many each filter holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from .keyset import SqlListing


@dataclass(frozen=True, slots=True)
class ListedInvoice:
    id: str
    number: str
    contact_id: str
    client: str
    issue_date: date
    due_date: date | None
    status: str
    total_minor: int
    currency: str


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


FILTERS = ("all", "draft", "billed", "overdue", "paid", "rejected")


def _where(status: str) -> tuple[str, str]:
    """The WHERE clause for one of ``FILTERS``; overdue is billed past its due date."""
    if status == "all":
        return "1", ""
    if status == "overdue":
        return "i.status = 'billed' AND i.due_date < :today", ""
    return "i.status = :status", status


def invoice_listing(status: str, today: date) -> SqlListing[ListedInvoice]:
    """Invoices of one filter (see ``FILTERS``), highest number first."""
    where, value = _where(status)
    relation = f"""SELECT i.number AS k0, i.id AS k1, i.client_id, i.issue_date, i.due_date,
        i.status, i.total_minor, i.currency,
        COALESCE((SELECT display_name FROM contact WHERE id = i.client_id), '') AS client
        FROM invoice i WHERE {where}"""
    return SqlListing(
        relation,
        lambda r: ListedInvoice(
            r["k1"],
            r["k0"],
            r["client_id"],
            r["client"],
            _date(r["issue_date"]) or date.min,
            _date(r["due_date"]),
            r["status"],
            r["total_minor"],
            r["currency"],
        ),
        params={"status": value, "today": today.isoformat()},
        descending=True,
    )


def filter_counts(session: Session, today: date) -> dict[str, int]:
    """How many invoices each filter shows, in one pass over the table."""
    row = session.execute(
        text(
            "SELECT count(*), "
            + ", ".join(f"coalesce(sum(status = '{s}'), 0)" for s in FILTERS[1:3])
            + ", coalesce(sum(status = 'billed' AND due_date < :today), 0), "
            + ", ".join(f"coalesce(sum(status = '{s}'), 0)" for s in FILTERS[4:])
            + " FROM invoice"
        ),
        {"today": today.isoformat()},
    ).one()
    return dict(zip(FILTERS, (int(v) for v in row), strict=True))
