"""What an invoice mutation works out before it writes: defaults, lines, numbers.

Each helper resolves a value the user left out (the number, the currency and
its rate, the addresses, a line's price and taxes) from this replica's data,
and the mutation writes the resolved value back into its arguments. The
outbox therefore carries exactly what was applied, and the sync server's
replay writes the same invoice instead of resolving again from its own data.

Numbering, and two laptops billing offline: an automatic number is taken
from the ``invoice_next_number`` counter (skipping numbers already used) and
recorded with ``number_auto = true``. A replica replaying that mutation keeps
the number when it is free there and otherwise gives the invoice the next free
number of its own counter; the server's answer is what every laptop pulls, so
a number shown offline is provisional until the invoice has synced. A number
typed by hand is never changed: if it is taken, the mutation is refused (on
the laptop at once, on the server at replay, which reports the conflict).
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale, UnknownLocaleError
from sqlmodel import Session, col, select

from .. import settings
from ..invoicing import LineTax, next_free
from ..models import Contact, ContactAddress, ExchangeRate, Invoice, Product, Setting, Tax
from ..money import Money
from .registry import Context, MutationError


def number_taken(session: Session, number: str, own_id: str | None = None) -> bool:
    row = session.exec(select(Invoice.id).where(col(Invoice.number) == number)).first()
    return row is not None and row != own_id


def _bump_counter(session: Session, ctx: Context, counter: int) -> None:
    # The counter is bookkeeping of this replica: written directly, the way
    # every replica replaying the creation will write its own.
    row = session.get(Setting, "invoice_next_number")
    if row is None:
        session.add(Setting(key="invoice_next_number", value=counter, updated_at=ctx.now))
    elif int(row.value) < counter:  # type: ignore[call-overload]
        row.value, row.updated_at, row.version = counter, ctx.now, row.version + 1


def assign_number(
    session: Session, ctx: Context, number: str | None, auto: bool, own_id: str | None = None
) -> str:
    """The number an invoice gets (see the module doc for the offline rule)."""
    if number and not auto:
        if number_taken(session, number, own_id):
            raise MutationError(f"number: invoice {number} already exists")
        return number
    if number and not number_taken(session, number, own_id):
        return number
    prefix = str(settings.get(session, "invoice_prefix"))
    digits = int(settings.get(session, "invoice_digits"))
    counter = int(settings.get(session, "invoice_next_number"))
    chosen, following = next_free(
        prefix, digits, max(counter, 1), lambda n: number_taken(session, n, own_id)
    )
    _bump_counter(session, ctx, following)
    return chosen


def check_language(language: str) -> str:
    try:
        return str(Locale.parse(language))
    except (UnknownLocaleError, ValueError, TypeError):
        raise MutationError(f"language: {language!r} is not a locale like fr_FR or pl") from None


def currency_for(session: Session, client: Contact, given: str | None) -> str:
    """The invoice's currency: given, else the client's, else the default."""
    return given or client.currency or str(settings.get(session, "default_currency"))


def rate_for(session: Session, currency: str, given: Decimal | None) -> Decimal:
    """Units of the default currency one unit of ``currency`` buys."""
    if currency == settings.get(session, "default_currency"):
        return Decimal(1)
    if given is not None:
        return given
    row = session.get(ExchangeRate, currency)
    if row is None:
        raise MutationError(
            f"exchange_rate: no rate for {currency}; give one or ask an admin "
            "to set it (exchange_rate.set)"
        )
    return row.rate


def address_text(session: Session, contact_id: str, prefer: str) -> str:
    """A contact's address as lines of text, the ``prefer`` label first."""
    rows = session.exec(
        select(ContactAddress)
        .where(col(ContactAddress.contact_id) == contact_id)
        .order_by(col(ContactAddress.position))
    ).all()
    if not rows:
        return ""
    chosen = next((a for a in rows if a.label == prefer), rows[0])
    city = " ".join(p for p in (chosen.postcode, chosen.city) if p)
    return "\n".join(p for p in (chosen.street, city, chosen.region, chosen.country) if p)


def product_price(session: Session, product: Product, currency: str) -> int:
    """The product's price in ``currency``, through the default currency if needed."""
    if product.currency == currency:
        return product.price_minor
    price = Money(product.price_minor, product.currency)
    in_default = price.convert(
        str(settings.get(session, "default_currency")), rate_for(session, product.currency, None)
    )
    return in_default.convert(currency, 1 / rate_for(session, currency, None)).minor


def line_taxes(session: Session, tax_ids: list[str]) -> tuple[LineTax, ...]:
    if len(tax_ids) > 2:
        raise MutationError("lines: a line has at most two taxes")
    if len(set(tax_ids)) != len(tax_ids):
        raise MutationError("lines: the same tax twice on one line")
    taxes = []
    for tax_id in tax_ids:
        tax = session.get(Tax, tax_id)
        if tax is None:
            raise MutationError(f"lines: no tax with id {tax_id}")
        taxes.append(LineTax(tax.id, tax.name, tax.rate))
    return tuple(taxes)
