"""Mutations on invoices: create, update, status, duplicate, delete, sent.

Only a draft can be edited: every mutation that changes an invoice's content
checks it here, so no screen, script or sync replay can get around it.
Status moves: draft -> billed -> paid or rejected (and back to billed, to undo
a payment or a rejection recorded by mistake). The values a mutation resolves
itself are written back into its arguments (see ``invoice_fill``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import delete
from sqlmodel import Session, col, select

from .. import settings
from ..invoicing import LineInput, due_date, totals
from ..models import Contact, Invoice, InvoiceLine, Product
from ..money import MoneyError, check_currency
from . import invoice_fill as fill
from .args import Args, CreateArgs, IdArgs, Patch, child_id
from .deals import load_deal
from .records import load, touch
from .registry import Context, MutationError, mutation

DueTerms = Literal["on_receipt", "15", "30", "45", "date"]
Status = Literal["draft", "billed", "paid", "rejected"]
MOVES = {
    "draft": {"billed"},
    "billed": {"paid", "rejected"},
    "paid": {"billed"},
    "rejected": {"billed"},
}
DELETABLE = ("draft", "rejected")


def _currency(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return check_currency(code)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


class LineIn(Args):
    product_id: str | None = None
    description: str = Field(default="", max_length=2000)
    quantity: Decimal = Field(default=Decimal(1), max_digits=15, decimal_places=4)
    unit_price_minor: int | None = None  # None: the product's price
    discount_pct: Decimal = Field(default=Decimal(0), ge=0, le=100, decimal_places=4)
    tax_ids: list[str] | None = Field(default=None, max_length=2)  # None: the product's tax


class InvoiceFields(Args):
    """Every field of an invoice; None means "work it out" (see invoice_fill)."""

    number: str | None = Field(default=None, max_length=50)
    number_auto: bool = False
    issue_date: date | None = None
    due_terms: DueTerms = "30"
    due_date: date | None = None
    client_id: str | None = None
    consignee_id: str | None = None
    billing_address: str | None = None
    delivery_address: str | None = None
    opportunity_id: str | None = None
    language: str | None = None
    currency: str | None = None
    exchange_rate: Decimal | None = Field(default=None, gt=0, max_digits=20, decimal_places=10)
    po_number: str = Field(default="", max_length=100)
    terms: str | None = None
    notes: str = ""
    lines: list[LineIn] = Field(default_factory=list, max_length=1000)

    _currency = field_validator("currency")(lambda cls, v: _currency(v))


class InvoiceCreate(InvoiceFields, CreateArgs):
    pass


class InvoiceUpdate(InvoiceFields, Patch):
    pass


class StatusChange(Args):
    id: str = Field(min_length=1)
    status: Status


class InvoiceDuplicate(CreateArgs):
    source_id: str = Field(min_length=1)
    issue_date: date | None = None
    number: str | None = Field(default=None, max_length=50)
    number_auto: bool = False


class InvoiceSent(Args):
    id: str = Field(min_length=1)
    sent_at: datetime


def _due(issue: date, terms: str, given: date | None) -> date:
    try:
        return due_date(issue, terms, given)
    except ValueError as exc:
        raise MutationError(str(exc)) from None


def load_invoice(session: Session, invoice_id: str) -> Invoice:
    return load(session, Invoice, invoice_id, "invoice")


def editable(session: Session, invoice_id: str) -> Invoice:
    invoice = load_invoice(session, invoice_id)
    if invoice.status != "draft":
        raise MutationError(
            f"invoice {invoice.number} is {invoice.status}: only a draft can be edited"
        )
    return invoice


def _from_deal(session: Session, ctx: Context, args: InvoiceFields) -> None:
    """An invoice made from a deal bills its contact, and its budget if no lines."""
    if args.opportunity_id is None:
        return
    deal = load_deal(session, ctx, args.opportunity_id)
    if args.client_id is None:
        args.client_id = deal.contact_id
    if args.currency is None:
        args.currency = deal.currency  # the budget's currency, the client's by default
    if not args.lines and "lines" not in args.model_fields_set and deal.budget_minor:
        count = 1 if deal.budget_type == "fixed" else deal.budget_count
        args.lines = [
            LineIn(
                description=deal.title,
                quantity=Decimal(count),
                unit_price_minor=deal.budget_minor,
                tax_ids=[],
            )
        ]


def _fill_header(session: Session, ctx: Context, args: InvoiceFields) -> Contact:
    """Resolve the header's defaults in place; returns the client."""
    if args.client_id is None:
        raise MutationError("client_id: an invoice needs a client")
    client = load(session, Contact, args.client_id, "client")
    if args.consignee_id is not None:
        load(session, Contact, args.consignee_id, "consignee")
    args.issue_date = args.issue_date or ctx.now.date()
    args.currency = fill.currency_for(session, client, args.currency)
    args.exchange_rate = fill.rate_for(session, args.currency, args.exchange_rate)
    args.language = fill.check_language(args.language or str(settings.get(session, "locale")))
    if args.terms is None:
        args.terms = str(settings.get(session, "invoice_terms"))
    if args.billing_address is None:
        args.billing_address = fill.address_text(session, client.id, "billing")
    if args.delivery_address is None:
        args.delivery_address = fill.address_text(
            session, args.consignee_id or client.id, "delivery"
        )
    return client


def _fill_line(session: Session, line: LineIn, currency: str) -> LineInput:
    product = None
    if line.product_id is not None:
        product = load(session, Product, line.product_id, "product")
    if line.unit_price_minor is None:
        if product is None:
            raise MutationError("lines: a line without a product needs a unit price")
        line.unit_price_minor = fill.product_price(session, product, currency)
    if line.tax_ids is None:
        line.tax_ids = [product.tax_id] if product is not None and product.tax_id else []
    if not line.description and product is not None:
        line.description = product.name
    return LineInput(
        line.quantity,
        line.unit_price_minor,
        line.discount_pct,
        fill.line_taxes(session, line.tax_ids),
    )


def _write_lines(session: Session, invoice: Invoice, lines: list[LineIn]) -> None:
    """Replace the invoice's lines and recompute every amount from them."""
    session.exec(delete(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice.id))
    inputs = [_fill_line(session, line, invoice.currency) for line in lines]
    for position, (line, given) in enumerate(zip(lines, inputs, strict=True)):
        amounts = totals([given])
        taxes = list(given.taxes) + [None] * (2 - len(given.taxes))
        session.add(
            InvoiceLine(
                id=child_id(invoice.id, "line", position),
                invoice_id=invoice.id,
                position=position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit_price_minor=given.unit_price_minor,
                discount_pct=line.discount_pct,
                tax1_id=taxes[0].tax_id if taxes[0] else None,
                tax1_rate=taxes[0].rate if taxes[0] else None,
                tax2_id=taxes[1].tax_id if taxes[1] else None,
                tax2_rate=taxes[1].rate if taxes[1] else None,
                net_minor=amounts.net_minor,
                tax_minor=amounts.tax_minor,
            )
        )
    result = totals(inputs)
    invoice.subtotal_minor, invoice.discount_minor = result.subtotal_minor, result.discount_minor
    invoice.tax_minor, invoice.total_minor = result.tax_minor, result.total_minor


def _header_values(args: InvoiceFields) -> dict[str, Any]:
    return args.model_dump(
        exclude={"id", "number", "number_auto", "lines", "base_version"},
        exclude_unset=isinstance(args, Patch),
    )


@mutation("invoice.create", InvoiceCreate)
def create_invoice(session: Session, ctx: Context, args: InvoiceCreate) -> str:
    """Create a draft invoice for a contact or from a deal, numbered automatically
    unless a number is typed."""
    if session.get(Invoice, args.id) is not None:
        raise MutationError(f"invoice {args.id} already exists")
    _from_deal(session, ctx, args)
    _fill_header(session, ctx, args)
    assert args.issue_date is not None
    args.due_date = _due(args.issue_date, args.due_terms, args.due_date)
    args.number_auto = args.number_auto or not args.number
    args.number = fill.assign_number(session, ctx, args.number, args.number_auto)
    invoice = Invoice(
        id=args.id,
        number=args.number,
        created_by=ctx.user_id,
        created_at=ctx.now,
        updated_at=ctx.now,
        **_header_values(args),
    )
    session.add(invoice)
    session.flush()
    _write_lines(session, invoice, args.lines)
    return invoice.id


@mutation("invoice.update", InvoiceUpdate)
def update_invoice(session: Session, ctx: Context, args: InvoiceUpdate) -> str:
    """Change a draft invoice; lines given replace all the old lines."""
    invoice = editable(session, args.id)
    given = args.model_fields_set
    if "number" in given:
        args.number = fill.assign_number(session, ctx, args.number, args.number_auto, invoice.id)
        invoice.number = args.number
    for key, value in _header_values(args).items():
        if value is None and key in ("client_id", "currency", "language", "terms"):
            raise MutationError(f"{key}: cannot be empty")
        setattr(invoice, key, value)
    if given & {
        "client_id",
        "consignee_id",
        "opportunity_id",
        "language",
        "currency",
        "exchange_rate",
    }:
        _check_header(session, ctx, invoice, rate_given="exchange_rate" in given)
        args.exchange_rate = invoice.exchange_rate  # the rate applied, for the replay
    if given & {"issue_date", "due_terms", "due_date"}:
        given_due = args.due_date if "due_date" in given else invoice.due_date
        invoice.due_date = _due(invoice.issue_date, invoice.due_terms, given_due)
        args.due_date = invoice.due_date
    touch(invoice, ctx)
    session.flush()
    if "lines" in given:
        _write_lines(session, invoice, args.lines)
    return invoice.id


def _check_header(session: Session, ctx: Context, invoice: Invoice, *, rate_given: bool) -> None:
    load(session, Contact, invoice.client_id, "client")
    if invoice.consignee_id is not None:
        load(session, Contact, invoice.consignee_id, "consignee")
    if invoice.opportunity_id is not None:
        load_deal(session, ctx, invoice.opportunity_id)
    invoice.language = fill.check_language(invoice.language)
    # A new currency without a rate takes the admin's current rate for it.
    invoice.exchange_rate = fill.rate_for(
        session, invoice.currency, invoice.exchange_rate if rate_given else None
    )


def _lines_as_args(session: Session, invoice_id: str) -> list[LineIn]:
    rows = session.exec(
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id) == invoice_id)
        .order_by(col(InvoiceLine.position))
    ).all()
    return [
        LineIn(
            product_id=r.product_id,
            description=r.description,
            quantity=r.quantity,
            unit_price_minor=r.unit_price_minor,
            discount_pct=r.discount_pct,
            tax_ids=[t for t in (r.tax1_id, r.tax2_id) if t],
        )
        for r in rows
    ]


@mutation("invoice.set_status", StatusChange)
def set_status(session: Session, ctx: Context, args: StatusChange) -> str:
    """Bill a draft, or mark a billed invoice paid or rejected."""
    invoice = load_invoice(session, args.id)
    if args.status not in MOVES[invoice.status]:
        raise MutationError(
            f"invoice {invoice.number} is {invoice.status}: it cannot become {args.status}"
        )
    if (
        args.status == "billed"
        and not session.exec(
            select(InvoiceLine.id).where(col(InvoiceLine.invoice_id) == invoice.id)
        ).first()
    ):
        raise MutationError(f"invoice {invoice.number} has no lines to bill")
    invoice.status = args.status
    touch(invoice, ctx)
    return invoice.id


@mutation("invoice.duplicate", InvoiceDuplicate)
def duplicate_invoice(session: Session, ctx: Context, args: InvoiceDuplicate) -> str:
    """Copy an invoice (any status) into a new draft with a new number and today's date."""
    source = load_invoice(session, args.source_id)
    issue = args.issue_date or ctx.now.date()
    due = None
    if source.due_terms == "date" and source.due_date is not None:
        due = issue + (source.due_date - source.issue_date)  # the same delay
    copy = InvoiceCreate(
        id=args.id,
        number=args.number,
        number_auto=args.number_auto,
        issue_date=issue,
        due_terms=source.due_terms,
        due_date=due,
        client_id=source.client_id,
        consignee_id=source.consignee_id,
        billing_address=source.billing_address,
        delivery_address=source.delivery_address,
        opportunity_id=source.opportunity_id,
        language=source.language,
        currency=source.currency,
        exchange_rate=source.exchange_rate,
        po_number=source.po_number,
        terms=source.terms,
        notes=source.notes,
        lines=_lines_as_args(session, source.id),
    )
    result = create_invoice(session, ctx, copy)
    args.issue_date, args.number, args.number_auto = issue, copy.number, copy.number_auto
    return str(result)


@mutation("invoice.delete", IdArgs)
def delete_invoice(session: Session, ctx: Context, args: IdArgs) -> str:
    """Delete a draft or a rejected invoice (billed and paid ones are kept)."""
    invoice = load_invoice(session, args.id)
    if invoice.status not in DELETABLE:
        raise MutationError(
            f"invoice {invoice.number} is {invoice.status}: only a draft or a "
            "rejected invoice can be deleted"
        )
    session.delete(invoice)
    return invoice.id


@mutation("invoice.mark_sent", InvoiceSent)
def mark_sent(session: Session, ctx: Context, args: InvoiceSent) -> str:
    """Record that a billed invoice was sent to the client (by e-mail or post)."""
    invoice = load_invoice(session, args.id)
    if invoice.status == "draft":
        raise MutationError(f"invoice {invoice.number} is a draft: bill it before sending it")
    invoice.sent_at = args.sent_at
    touch(invoice, ctx)
    return invoice.id
