"""Reading the admin lists invoices use: taxes, products (the picker), currencies,
and the invoice settings (number format, terms, company profile)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from .. import settings
from ..invoicing import format_number
from ..text import fold
from .common import PAGE


@dataclass(frozen=True, slots=True)
class TaxRow:
    id: str
    name: str
    rate: Decimal
    active: bool


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: str
    name: str
    code: str
    kind: str
    price_minor: int
    currency: str
    tax_id: str | None
    tax_name: str
    tax_rate: Decimal | None
    active: bool


@dataclass(frozen=True, slots=True)
class CurrencyRow:
    """A currency in use: the default (rate 1) or one with an exchange rate."""

    code: str
    rate: Decimal  # units of the default currency for one unit of ``code``
    is_default: bool


@dataclass(frozen=True, slots=True)
class InvoiceSettings:
    prefix: str
    digits: int
    next_number: int
    next_preview: str  # what the next automatic number looks like
    terms: str
    company: dict[str, str]


def list_taxes(session: Session, *, active_only: bool = False) -> list[TaxRow]:
    where = "WHERE active = 1" if active_only else ""
    rows = session.execute(text(f"SELECT id, name, rate, active FROM tax {where} ORDER BY name"))
    return [TaxRow(r[0], r[1], Decimal(r[2]), bool(r[3])) for r in rows]


def list_products(
    session: Session, search: str = "", *, active_only: bool = True, limit: int = PAGE
) -> list[ProductRow]:
    """Products and services for the picker: names or codes containing ``search``
    (case and accents ignored), by name. A catalogue is small: it is filtered and
    sorted here, with the same folding as the contact search."""
    where = "p.active = 1" if active_only else "1"
    rows = session.execute(
        text(
            "SELECT p.id, p.name, COALESCE(p.code, ''), p.kind, p.price_minor, p.currency, "
            "p.tax_id, COALESCE(t.name, ''), t.rate, p.active "
            "FROM product p LEFT JOIN tax t ON t.id = p.tax_id "
            f"WHERE {where}"
        )
    ).all()
    needle = fold(search)
    found = [r for r in rows if not needle or needle in fold(f"{r[1]} {r[2]}")]
    found.sort(key=lambda r: (fold(r[1]), r[0]))  # "Câble" before "Conseil"
    return [_product(r) for r in found[:limit]]


def _product(r: Any) -> ProductRow:
    rate = Decimal(r[8]) if r[8] is not None else None
    return ProductRow(r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6], r[7], rate, bool(r[9]))


def list_currencies(session: Session) -> list[CurrencyRow]:
    """The default currency first, then every currency with an exchange rate."""
    default = str(settings.get(session, "default_currency"))
    rows = session.execute(text("SELECT currency, rate FROM exchange_rate ORDER BY currency"))
    return [
        CurrencyRow(default, Decimal(1), True),
        *(CurrencyRow(c, Decimal(r), False) for c, r in rows if c != default),
    ]


def invoice_settings(session: Session) -> InvoiceSettings:
    values = settings.all_settings(session)
    prefix, digits = str(values["invoice_prefix"]), int(values["invoice_digits"])
    counter = int(values["invoice_next_number"])
    company = {str(k): str(v) for k, v in dict(values["company_profile"] or {}).items()}
    return InvoiceSettings(
        prefix,
        digits,
        counter,
        format_number(prefix, digits, counter),
        str(values["invoice_terms"]),
        company,
    )
