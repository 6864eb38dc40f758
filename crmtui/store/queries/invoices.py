"""Reading invoices: a keyset-paged list (newest first) and one invoice's detail.

The detail carries everything the PDF and the invoice screen show, the tax
summary included, recomputed from the lines with the rounding rule of
``invoicing`` (so it always matches the stored totals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from .. import settings
from ..invoicing import LineInput, LineTax, Totals, totals
from ..models import Contact, ContactEmail, Invoice, InvoiceLine, Opportunity, Tax
from .common import PAGE, Page, as_utc


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    id: str
    number: str
    status: str
    issue_date: date
    due_date: date | None
    client_id: str
    client_name: str
    currency: str
    total_minor: int
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    status: str | None = None
    client_id: str | None = None
    opportunity_id: str | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        parts, params = [], {}
        for name in ("status", "client_id", "opportunity_id"):
            if getattr(self, name) is not None:
                parts.append(f"i.{name} = :{name}")
                params[name] = getattr(self, name)
        return " AND ".join(parts) or "1", params


_ROW_SQL = """
SELECT i.id, i.number, i.status, i.issue_date, i.due_date, i.client_id,
  COALESCE(c.display_name, ''), i.currency, i.total_minor, i.sent_at
FROM invoice i LEFT JOIN contact c ON c.id = i.client_id
"""


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _row(r: Any) -> InvoiceRow:
    return InvoiceRow(
        r[0],
        r[1],
        r[2],
        _day(r[3]) or date.min,
        _day(r[4]),
        r[5],
        r[6],
        r[7],
        int(r[8]),
        as_utc(r[9]),
    )


def list_invoices(
    session: Session,
    *,
    after: tuple[str, ...] | None = None,
    limit: int = PAGE,
    filters: InvoiceFilter | None = None,
) -> Page[InvoiceRow]:
    """A page of invoices, newest issue date first, after an ``(issue_date, number)`` key."""
    where, params = (filters or InvoiceFilter()).sql()
    if after is not None:
        where += " AND (i.issue_date, i.number) < (:k0, :k1)"
        params.update(k0=after[0], k1=after[1])
    sql = f"{_ROW_SQL} WHERE {where} ORDER BY i.issue_date DESC, i.number DESC LIMIT :limit"
    rows = [_row(r) for r in session.execute(text(sql), {**params, "limit": limit + 1})]
    more = len(rows) > limit
    rows = rows[:limit]
    key = (rows[-1].issue_date.isoformat(), rows[-1].number) if more else None
    return Page(rows, key, None)


def find_invoice(session: Session, id_or_number: str) -> str | None:
    """The id of the invoice with this id or this number."""
    found = session.exec(
        select(Invoice.id).where(
            (col(Invoice.id) == id_or_number) | (col(Invoice.number) == id_or_number)
        )
    ).first()
    return found


@dataclass(frozen=True, slots=True)
class LineRow:
    position: int
    product_id: str | None
    description: str
    quantity: Decimal
    unit_price_minor: int
    discount_pct: Decimal
    taxes: tuple[LineTax, ...]
    net_minor: int
    tax_minor: int


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str
    email: str  # the first e-mail address, or ""


@dataclass(frozen=True, slots=True)
class InvoiceDetail:
    id: str
    number: str
    status: str
    issue_date: date
    due_terms: str
    due_date: date | None
    client: Party
    consignee: Party | None
    billing_address: str
    delivery_address: str
    opportunity_id: str | None
    opportunity_title: str
    language: str
    currency: str
    exchange_rate: Decimal
    default_currency: str
    po_number: str
    terms: str
    notes: str
    lines: tuple[LineRow, ...]
    totals: Totals
    sent_at: datetime | None
    version: int
    company: dict[str, str]


def _party(session: Session, contact_id: str | None) -> Party | None:
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is None:
        return None
    email = session.exec(
        select(ContactEmail.address)
        .where(col(ContactEmail.contact_id) == contact.id)
        .order_by(col(ContactEmail.position))
    ).first()
    return Party(contact.id, contact.display_name, email or "")


def _tax_names(session: Session) -> dict[str, str]:
    return {t.id: t.name for t in session.exec(select(Tax))}


def _lines(session: Session, invoice_id: str) -> tuple[LineRow, ...]:
    names = _tax_names(session)
    rows = session.exec(
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id) == invoice_id)
        .order_by(col(InvoiceLine.position))
    ).all()
    out = []
    for r in rows:
        taxes = tuple(
            LineTax(tax_id, names.get(tax_id or "", f"{rate}%"), rate)
            for tax_id, rate in ((r.tax1_id, r.tax1_rate), (r.tax2_id, r.tax2_rate))
            if rate is not None
        )
        out.append(
            LineRow(
                r.position,
                r.product_id,
                r.description,
                r.quantity,
                r.unit_price_minor,
                r.discount_pct,
                taxes,
                r.net_minor,
                r.tax_minor,
            )
        )
    return tuple(out)


def _company(session: Session) -> dict[str, str]:
    profile = settings.get(session, "company_profile") or {}
    return {str(k): str(v) for k, v in dict(profile).items()}


def invoice_detail(session: Session, invoice_id: str) -> InvoiceDetail | None:
    """Everything an invoice shows, or None if there is no such invoice."""
    inv = session.get(Invoice, invoice_id)
    if inv is None:
        return None
    lines = _lines(session, inv.id)
    summary = totals(
        [LineInput(ln.quantity, ln.unit_price_minor, ln.discount_pct, ln.taxes) for ln in lines]
    )
    deal = session.get(Opportunity, inv.opportunity_id) if inv.opportunity_id else None
    client = _party(session, inv.client_id) or Party(inv.client_id, "", "")
    return InvoiceDetail(
        inv.id,
        inv.number,
        inv.status,
        inv.issue_date,
        inv.due_terms,
        inv.due_date,
        client,
        _party(session, inv.consignee_id),
        inv.billing_address,
        inv.delivery_address,
        inv.opportunity_id,
        deal.title if deal else "",
        inv.language,
        inv.currency,
        inv.exchange_rate,
        str(settings.get(session, "default_currency")),
        inv.po_number,
        inv.terms,
        inv.notes,
        lines,
        summary,
        inv.sent_at,
        inv.version,
        _company(session),
    )
