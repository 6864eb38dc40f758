"""Read-only lists of opportunities, and record finders for the command
palette. The deals, invoices and telephony features own the full queries for
their records (the invoices list is ``invoice_list``, the calls list
``calls.call_list``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlmodel import Session

from .deals import visible
from .keyset import SqlListing

if TYPE_CHECKING:
    from ..mutations.registry import Context


@dataclass(frozen=True, slots=True)
class OpportunityRow:
    id: str
    title: str
    contact_id: str | None
    contact: str
    stage: str
    budget_minor: int
    currency: str
    expected_close: date | None
    responsible: str


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _name(table: str, column: str, ref: str) -> str:
    return f"COALESCE((SELECT {column} FROM {table} WHERE id = {ref}), '')"


def opportunities() -> SqlListing[OpportunityRow]:
    """Every opportunity, newest first."""
    relation = f"""SELECT o.created_at AS k0, o.id AS k1, o.title, o.contact_id,
        {_name("contact", "display_name", "o.contact_id")} AS contact,
        {_name("stage", "name", "o.stage_id")} AS stage, o.budget_minor, o.currency,
        o.expected_close, {_name("user_account", "name", "o.responsible_id")} AS responsible
        FROM opportunity o"""
    return SqlListing(
        relation,
        lambda r: OpportunityRow(
            r["k1"],
            r["title"],
            r["contact_id"],
            r["contact"],
            r["stage"],
            r["budget_minor"],
            r["currency"],
            _date(r["expected_close"]),
            r["responsible"],
        ),
        descending=True,
    )


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # opportunity or invoice
    id: str
    label: str
    contact_id: str | None


def find_opportunities(
    session: Session, words: str, limit: int = 8, viewer: Context | None = None
) -> list[Found]:
    """Opportunities whose title starts with ``words`` (ignoring case), among
    those ``viewer`` may see (a restricted deal's title is not shown to others)."""
    pattern = words.strip().replace("%", "").replace("_", "") + "%"
    where, params = visible(viewer)
    rows = session.execute(
        text(
            "SELECT o.id, o.title, o.contact_id FROM opportunity o WHERE o.title LIKE :p "
            f"AND {where} ORDER BY o.title LIMIT :n"
        ),
        {**params, "p": pattern, "n": limit},
    )
    return [Found("opportunity", r[0], r[1], r[2]) for r in rows]


def find_invoices(session: Session, number: str, limit: int = 8) -> list[Found]:
    """Invoices whose number starts with ``number`` (``INV12`` or just ``12``)."""
    digits = number.strip().upper()
    rows = session.execute(
        text(
            "SELECT i.id, i.number || ' · ' || COALESCE(c.display_name, ''), i.client_id "
            "FROM invoice i LEFT JOIN contact c ON c.id = i.client_id "
            "WHERE i.number LIKE :p OR ltrim(substr(i.number, length(rtrim(i.number, "
            "'0123456789')) + 1), '0') LIKE :d ORDER BY i.number LIMIT :n"
        ),
        {"p": digits + "%", "d": digits.lstrip("0") + "%", "n": limit},
    )
    return [Found("invoice", r[0], r[1], r[2]) for r in rows]
