"""Invoices and their lines. Amounts are integer minor units of ``currency``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from .base import DecimalText, Versioned

INVOICE_STATUSES = ("draft", "billed", "paid", "rejected")
DUE_TERMS = ("on_receipt", "15", "30", "45", "date")


class Invoice(Versioned, table=True):
    __table_args__ = (Index("ix_invoice_issue", "issue_date", "number"),)

    id: str = Field(primary_key=True)
    number: str = Field(unique=True)
    issue_date: date
    due_terms: str = "30"
    due_date: date | None = None
    client_id: str = Field(foreign_key="contact.id", index=True)
    consignee_id: str | None = Field(default=None, foreign_key="contact.id")
    billing_address: str = ""
    delivery_address: str = ""
    opportunity_id: str | None = Field(
        default=None, foreign_key="opportunity.id", index=True, ondelete="SET NULL"
    )
    language: str = "en"
    currency: str = "EUR"
    exchange_rate: Decimal = Field(
        default=Decimal(1), sa_column=Column(DecimalText, nullable=False)
    )
    po_number: str = ""
    terms: str = ""
    notes: str = ""
    status: str = Field(default="draft", index=True)
    subtotal_minor: int = 0  # lines before discounts
    discount_minor: int = 0
    tax_minor: int = 0
    total_minor: int = 0
    sent_at: datetime | None = None


class InvoiceLine(SQLModel, table=True):
    __tablename__ = "invoice_line"

    id: str = Field(primary_key=True)
    invoice_id: str = Field(foreign_key="invoice.id", index=True, ondelete="CASCADE")
    position: int = 0
    product_id: str | None = Field(default=None, foreign_key="product.id", ondelete="SET NULL")
    description: str = ""
    quantity: Decimal = Field(default=Decimal(1), sa_column=Column(DecimalText, nullable=False))
    unit_price_minor: int = 0
    discount_pct: Decimal = Field(default=Decimal(0), sa_column=Column(DecimalText, nullable=False))
    tax1_id: str | None = Field(default=None, foreign_key="tax.id")
    tax1_rate: Decimal | None = Field(default=None, sa_column=Column(DecimalText, nullable=True))
    tax2_id: str | None = Field(default=None, foreign_key="tax.id")
    tax2_rate: Decimal | None = Field(default=None, sa_column=Column(DecimalText, nullable=True))
    net_minor: int = 0  # after discount, before tax
    tax_minor: int = 0
