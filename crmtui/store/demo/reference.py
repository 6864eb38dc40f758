"""The admin lists a demo store starts with, written through the mutations.

Users, contact types, temperatures, task and activity categories, tags, a
custom field, stages, taxes, products, exchange rates and settings are a few
dozen rows, so they go through each mutation's own code with
:func:`~crmtui.store.mutations.apply` (validation and all, but no outbox row).
What the bulk generators need from them is returned as a plain, picklable
:class:`Reference`, so worker processes can use it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from .. import settings
from ..mutations import Context, apply
from ..mutations.contacts import ensure_tag
from . import names
from .ids import uuid7

STAGES = (
    ("Lead", 10, "open"),
    ("Qualified", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
)
# Units of the default currency (EUR) one unit buys.
RATES = {
    "PLN": Decimal("0.2315"),
    "USD": Decimal("0.9240"),
    "GBP": Decimal("1.1830"),
    "CHF": Decimal("1.0510"),
}
TAXES = {
    "FR": (("TVA 20 %", "20"), ("TVA 10 %", "10"), ("TVA 5,5 %", "5.5")),
    "PL": (("VAT 23%", "23"), ("VAT 8%", "8")),
    "GB": (("UK VAT 20%", "20"), ("Zero rated", "0")),
}
ECO_TAX = ("Éco-contribution 0,5 %", "0.5")
# (name, code, kind, price in EUR cents)
PRODUCTS = (
    ("Licence CRM (utilisateur/an)", "LIC-USR", "product", 48_000),
    ("Module téléphonie", "MOD-TEL", "product", 19_900),
    ("Formation sur site (jour)", "SRV-FORM", "service", 95_000),
    ("Consulting hour", "SRV-CONS", "service", 12_000),
    ("Wdrożenie (dzień)", "SRV-WDR", "service", 80_000),
    ("Support premium (mois)", "SUP-PREM", "service", 29_900),
    ("Casque USB Jabra Evolve", "HW-HEAD", "product", 8_990),
    ("Téléphone IP Yealink T54W", "HW-T54W", "product", 18_450),
    ("Migration de données", "SRV-MIG", "service", 150_000),
    ("Hébergement dédié (mois)", "HOST-DED", "service", 34_900),
    ("Licence API (an)", "LIC-API", "product", 120_000),
    ("Audit RGPD", "SRV-RGPD", "service", 220_000),
)
COUNTRY_CURRENCY = {"FR": ("EUR",), "PL": ("PLN", "PLN", "EUR"), "GB": ("GBP", "USD", "EUR")}


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    price_minor: int  # EUR cents
    eco: bool  # hardware carries the eco-contribution as a second tax


@dataclass(frozen=True)
class Reference:
    """Ids and values of the admin lists, for the generators."""

    reps: tuple[str, ...]  # users who own contacts and deals
    contact_types: tuple[tuple[str, int], ...]  # (id, weight)
    task_categories: tuple[str, ...]
    activity_categories: tuple[str, ...]
    tags: tuple[tuple[str, int], ...]  # (id, weight)
    industry: tuple[str, tuple[str, ...]]  # (custom field id, choices)
    stages: tuple[tuple[str, str], ...]  # (id, state) in pipeline order
    taxes: dict[str, tuple[tuple[str, str, Decimal], ...]]  # country -> (id, name, rate)
    eco_tax: tuple[str, str, Decimal]
    products: tuple[Product, ...]
    rates: dict[str, Decimal]
    terms: str


class _Maker:
    def __init__(self, session: Session, ctx: Context, rng: random.Random) -> None:
        self.session, self.ctx, self.rng = session, ctx, rng

    def make(self, mutation: str, **args: Any) -> str:
        """Run a creation with a seeded id; returns the new id."""
        return self.run(mutation, id=uuid7(self.ctx.now, self.rng), **args)

    def run(self, mutation: str, **args: Any) -> str:
        return str(apply(self.session, self.ctx, mutation, args))


def create(session: Session, rng: random.Random, now: datetime, region: str) -> Reference:
    """Write the admin lists in ``session`` (no outbox) and describe them."""
    admin = settings.local_identity(session).user_id
    make = _Maker(session, Context(user_id=admin, role="admin", region=region, now=now), rng)
    make.run("setting.set", key="default_region", value=region)
    make.run(
        "setting.set",
        key="company_profile",
        value={
            "name": "Démo Télécom SARL",
            "address": "12 rue de la République\n69002 Lyon\nFR",
            "logo_path": "",
        },
    )
    reps = tuple(
        make.make("user.create", name=n, role=role, email=f"user{i}@demo-telecom.example.com")
        for i, (n, role) in enumerate(names.SALES_REPS)
        if role != "readonly"
    )
    for n, role in names.SALES_REPS:
        if role == "readonly":
            make.make("user.create", name=n, role=role)
    types = tuple(
        (make.make("category.create", scope="contact_type", name=n), w)
        for n, w in names.CONTACT_TYPES
    )
    for n, _w in names.TEMPERATURES:
        make.make("category.create", scope="temperature", name=n)
    return Reference(
        reps=reps,
        contact_types=types,
        task_categories=tuple(
            make.make("category.create", scope="task_category", name=n)
            for n in names.TASK_CATEGORIES
        ),
        activity_categories=tuple(
            make.make("category.create", scope="activity_category", name=n)
            for n in names.ACTIVITY_CATEGORIES
        ),
        tags=tuple((ensure_tag(session, n, now), w) for n, w in names.TAGS),
        industry=(
            make.make(
                "custom_field.create",
                entity="contact",
                name="Industry",
                kind="choice",
                choices=list(names.INDUSTRIES),
            ),
            names.INDUSTRIES,
        ),
        stages=tuple(
            (make.make("stage.create", name=n, probability=p, state=s), s) for n, p, s in STAGES
        ),
        **_catalog(make),
        terms=str(settings.get(session, "invoice_terms")),
    )


def _catalog(make: _Maker) -> dict[str, Any]:
    taxes = {
        country: tuple((make.make("tax.create", name=n, rate=r), n, Decimal(r)) for n, r in rows)
        for country, rows in TAXES.items()
    }
    eco = (
        make.make("tax.create", name=ECO_TAX[0], rate=ECO_TAX[1]),
        ECO_TAX[0],
        Decimal(ECO_TAX[1]),
    )
    products = []
    for name, code, kind, price in PRODUCTS:
        pid = make.make(
            "product.create",
            name=name,
            code=code,
            kind=kind,
            price_minor=price,
            currency="EUR",
            tax_id=taxes["FR"][0][0],
        )
        products.append(Product(pid, name, price, code.startswith("HW")))
    for currency, rate in RATES.items():
        make.run("exchange_rate.set", currency=currency, rate=rate)
    return {"taxes": taxes, "eco_tax": eco, "products": tuple(products), "rates": dict(RATES)}
