"""The admin lists behind invoices: taxes, products, currencies, number format."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crmtui.store.mutations import Context, MutationError, run_in
from crmtui.store.queries.catalog import (
    invoice_settings,
    list_currencies,
    list_products,
    list_taxes,
)

from .conftest import Billing


def test_a_tax_on_an_invoice_line_can_only_be_retired(billing: Billing) -> None:
    billing.store.mutate(
        "invoice.create", {"client_id": billing.client, "lines": [{"product_id": billing.product}]}
    )
    with pytest.raises(MutationError, match="retire it instead"):
        billing.store.mutate("tax.delete", {"id": billing.vat})
    billing.store.mutate("tax.update", {"id": billing.vat, "active": False})
    billing.store.mutate("tax.delete", {"id": billing.eco})
    with billing.store.read() as session:
        assert [t.name for t in list_taxes(session)] == ["TVA 20%"]
        assert list_taxes(session, active_only=True) == []


def test_deleting_a_tax_clears_it_from_products(billing: Billing) -> None:
    other = billing.store.mutate("product.create", {"name": "Câble", "tax_id": billing.eco})
    billing.store.mutate("tax.delete", {"id": billing.eco})
    with billing.store.read() as session:
        by_id = {p.id: p for p in list_products(session)}
    assert (by_id[other].tax_id, by_id[billing.product].tax_name) == (None, "TVA 20%")


def test_a_rate_change_leaves_written_invoices_alone(billing: Billing) -> None:
    invoice = billing.store.mutate(
        "invoice.create", {"client_id": billing.client, "lines": [{"product_id": billing.product}]}
    )
    billing.store.mutate("tax.update", {"id": billing.vat, "rate": "21"})
    from crmtui.store.queries.invoices import invoice_detail

    with billing.store.read() as session:
        found = invoice_detail(session, invoice)
    assert found is not None and found.totals.tax_minor == 12000


def test_product_picker_search_ignores_case_and_accents(billing: Billing) -> None:
    billing.store.mutate(
        "product.create", {"name": "Câble réseau", "code": "CAB-1", "price_minor": 990}
    )
    billing.store.mutate("product.create", {"name": "Old", "active": False})
    with billing.store.read() as session:
        assert [p.name for p in list_products(session, "cable")] == ["Câble réseau"]
        assert [p.name for p in list_products(session, "cab-1")] == ["Câble réseau"]
        assert [p.name for p in list_products(session)] == ["Câble réseau", "Conseil"]
        assert len(list_products(session, active_only=False)) == 3


def test_products_refuse_bad_currencies_and_taxes(billing: Billing) -> None:
    with pytest.raises(MutationError, match="unknown currency"):
        billing.store.mutate("product.create", {"name": "X", "currency": "EURO"})
    with pytest.raises(MutationError, match="no tax"):
        billing.store.mutate("product.create", {"name": "X", "tax_id": "nope"})


def test_currencies_list_the_default_first(billing: Billing) -> None:
    billing.store.mutate("exchange_rate.set", {"currency": "pln", "rate": "0.23"})
    billing.store.mutate("exchange_rate.set", {"currency": "CHF", "rate": "1.05"})
    with pytest.raises(MutationError, match="default currency has no exchange rate"):
        billing.store.mutate("exchange_rate.set", {"currency": "EUR", "rate": "1"})
    with pytest.raises(MutationError, match="greater than 0"):
        billing.store.mutate("exchange_rate.set", {"currency": "USD", "rate": "0"})
    with billing.store.read() as session:
        rows = [(c.code, c.rate, c.is_default) for c in list_currencies(session)]
    assert rows == [
        ("EUR", Decimal(1), True),
        ("CHF", Decimal("1.05"), False),
        ("PLN", Decimal("0.23"), False),
    ]


def test_invoice_settings_preview_the_next_number(billing: Billing) -> None:
    billing.store.mutate("setting.set", {"key": "invoice_prefix", "value": "F"})
    billing.store.mutate("setting.set", {"key": "invoice_next_number", "value": 42})
    billing.store.mutate(
        "setting.set",
        {
            "key": "company_profile",
            "value": {"name": "Acme", "address": "1 rue X", "logo_path": ""},
        },
    )
    with billing.store.read() as session:
        shown = invoice_settings(session)
    assert (shown.next_preview, shown.company["name"]) == ("F0000042", "Acme")


def test_only_an_admin_changes_the_catalogue(billing: Billing) -> None:
    bob = billing.store.mutate("user.create", {"name": "Bob", "role": "user"})
    for name, args in [
        ("tax.create", {"name": "T", "rate": "1"}),
        ("product.update", {"id": billing.product, "price_minor": 1}),
        ("exchange_rate.set", {"currency": "USD", "rate": "1"}),
        ("stage.update", {"id": billing.stage, "probability": 90}),
    ]:
        with billing.store.write() as session, pytest.raises(MutationError, match="only an admin"):
            run_in(session, Context(user_id=bob, role="user"), name, args)
