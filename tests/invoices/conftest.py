"""A store set up for billing: a client with addresses, taxes, a product, a deal."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crmtui.store import Store


@dataclass(frozen=True)
class Billing:
    store: Store
    client: str
    vat: str
    eco: str
    product: str
    stage: str


@pytest.fixture
def billing(store: Store) -> Billing:
    m = store.mutate
    client = m(
        "contact.create",
        {
            "kind": "company",
            "company_name": "Société Générale d'Électricité",
            "emails": [{"address": "compta@sge.example"}],
            "addresses": [
                {
                    "label": "billing",
                    "street": "12 rue de l'Église",
                    "postcode": "75001",
                    "city": "Paris",
                    "country": "FR",
                },
                {
                    "label": "delivery",
                    "street": "Entrepôt 3",
                    "postcode": "69000",
                    "city": "Lyon",
                    "country": "FR",
                },
            ],
        },
    )
    vat = m("tax.create", {"name": "TVA 20%", "rate": "20"})
    eco = m("tax.create", {"name": "Éco-taxe", "rate": "0.5"})
    product = m(
        "product.create",
        {"name": "Conseil", "kind": "service", "price_minor": 60000, "tax_id": vat},
    )
    stage = m("stage.create", {"name": "Lead", "probability": 20})
    return Billing(store, client, vat, eco, product, stage)
