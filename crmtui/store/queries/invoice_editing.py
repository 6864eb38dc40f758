"""What the invoice editor reads: its choices, a client's defaults, a product's line.

The editor shows, before saving, the values the mutation would otherwise work
out itself (a client's currency and addresses, a product's price in the
invoice's currency), reading them with the same helpers (``invoice_fill``) so
that what the form shows is what gets written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from .. import settings
from ..models import Contact, Product
from ..mutations import invoice_fill as fill
from ..sql import connection_of
from .catalog import CurrencyRow, TaxRow, invoice_settings, list_currencies, list_taxes
from .lookups import Choice, contact_opportunities


@dataclass(frozen=True, slots=True)
class EditorChoices:
    """The lists and defaults a new or edited invoice offers, read once."""

    taxes: tuple[TaxRow, ...]
    currencies: tuple[CurrencyRow, ...]
    default_currency: str
    language: str
    next_number: str
    terms: str


def editor_choices(session: Session) -> EditorChoices:
    numbering = invoice_settings(session)
    return EditorChoices(
        tuple(list_taxes(session, active_only=True)),
        tuple(list_currencies(session)),
        str(settings.get(session, "default_currency")),
        str(settings.get(session, "locale")),
        numbering.next_preview,
        numbering.terms,
    )


@dataclass(frozen=True, slots=True)
class ClientDefaults:
    """What picking a client fills in: its currency, addresses and deals."""

    id: str
    name: str
    currency: str  # the client's, else the default
    billing_address: str
    delivery_address: str
    deals: tuple[Choice, ...]


def client_defaults(session: Session, contact_id: str) -> ClientDefaults | None:
    client = session.get(Contact, contact_id)
    if client is None:
        return None
    return ClientDefaults(
        client.id,
        client.display_name,
        fill.currency_for(session, client, None),
        fill.address_text(session, client.id, "billing"),
        fill.address_text(session, client.id, "delivery"),
        contact_opportunities(connection_of(session), client.id),
    )


def delivery_address(session: Session, contact_id: str) -> str:
    """A consignee's delivery address (its first address if none is labelled so)."""
    return fill.address_text(session, contact_id, "delivery")


@dataclass(frozen=True, slots=True)
class ProductLine:
    """A product as a line starts from: its name, price in the invoice's currency, tax."""

    product_id: str
    name: str
    unit_price_minor: int
    tax_id: str | None


def product_line(session: Session, product_id: str, currency: str) -> ProductLine | None:
    """None when the product is gone; a MutationError when no rate converts its price."""
    product = session.get(Product, product_id)
    if product is None:
        return None
    price = fill.product_price(session, product, currency)
    return ProductLine(product.id, product.name, price, product.tax_id)


def rate_of(session: Session, currency: str) -> Decimal | None:
    """The admin's rate for ``currency`` (1 for the default), None if there is none."""
    for row in list_currencies(session):
        if row.code == currency:
            return row.rate
    return None
