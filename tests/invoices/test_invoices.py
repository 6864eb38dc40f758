"""Invoice mutations: defaults, numbering, currencies, status rules, duplicates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crmtui.store.mutations import MutationError
from crmtui.store.queries.invoices import InvoiceDetail, invoice_detail

from .conftest import Billing


def detail(b: Billing, invoice_id: str) -> InvoiceDetail:
    with b.store.read() as session:
        found = invoice_detail(session, invoice_id)
    assert found is not None
    return found


def create(b: Billing, **args: object) -> str:
    return b.store.mutate("invoice.create", {"client_id": b.client, **args})


def test_defaults_come_from_the_client_the_product_and_the_settings(billing: Billing) -> None:
    inv = detail(
        billing,
        create(
            billing,
            issue_date="2026-11-23",
            lines=[{"product_id": billing.product, "quantity": "2"}],
        ),
    )
    assert (inv.number, inv.status, inv.currency, inv.exchange_rate) == (
        "INV0000001",
        "draft",
        "EUR",
        Decimal(1),
    )
    assert inv.due_date == date(2026, 12, 23)  # 30 days by default
    assert inv.billing_address.startswith("12 rue de l'Église")
    assert inv.delivery_address.startswith("Entrepôt 3")
    assert inv.language == "fr_FR" and inv.terms.startswith("Payment due")
    line = inv.lines[0]
    assert (line.description, line.unit_price_minor, [t.name for t in line.taxes]) == (
        "Conseil",
        60000,
        ["TVA 20%"],
    )
    assert (inv.totals.subtotal_minor, inv.totals.tax_minor, inv.totals.total_minor) == (
        120000,
        24000,
        144000,
    )


def test_numbering_follows_the_admins_prefix_and_counter(billing: Billing) -> None:
    assert detail(billing, create(billing)).number == "INV0000001"
    billing.store.mutate("setting.set", {"key": "invoice_prefix", "value": "FAC-"})
    billing.store.mutate("setting.set", {"key": "invoice_digits", "value": 4})
    billing.store.mutate("setting.set", {"key": "invoice_next_number", "value": 120})
    assert detail(billing, create(billing)).number == "FAC-0120"
    assert detail(billing, create(billing)).number == "FAC-0121"


def test_a_typed_number_must_be_unique_and_auto_numbers_step_over_it(billing: Billing) -> None:
    create(billing, number="INV0000002")
    with pytest.raises(MutationError, match="INV0000002 already exists"):
        create(billing, number="INV0000002")
    assert detail(billing, create(billing)).number == "INV0000001"
    assert detail(billing, create(billing)).number == "INV0000003"


def test_currency_from_the_client_with_the_admins_rate(billing: Billing) -> None:
    billing.store.mutate("contact.update", {"id": billing.client, "currency": "PLN"})
    with pytest.raises(MutationError, match="no rate for PLN"):
        create(billing)
    billing.store.mutate("exchange_rate.set", {"currency": "PLN", "rate": "0.23"})
    inv = detail(billing, create(billing, lines=[{"product_id": billing.product}]))
    assert (inv.currency, inv.exchange_rate) == ("PLN", Decimal("0.23"))
    # 600.00 EUR is 600 / 0.23 = 2608.695... PLN, rounded half up once.
    assert inv.lines[0].unit_price_minor == 260870
    typed = detail(billing, create(billing, currency="PLN", exchange_rate="0.25"))
    assert typed.exchange_rate == Decimal("0.25")


def test_invoice_from_a_deal_bills_its_contact_and_budget(billing: Billing) -> None:
    deal = billing.store.mutate(
        "opportunity.create",
        {
            "title": "Audit",
            "contact_id": billing.client,
            "budget_minor": 80000,
            "budget_type": "day",
            "budget_count": 3,
        },
    )
    inv = detail(billing, billing.store.mutate("invoice.create", {"opportunity_id": deal}))
    assert (inv.client.id, inv.opportunity_title) == (billing.client, "Audit")
    assert [(ln.description, ln.quantity, ln.unit_price_minor) for ln in inv.lines] == [
        ("Audit", Decimal(3), 80000)
    ]
    assert inv.totals.total_minor == 240000


def test_two_taxes_and_a_discount(billing: Billing) -> None:
    inv = detail(
        billing,
        create(
            billing,
            lines=[
                {
                    "description": "Câble",
                    "quantity": "3",
                    "unit_price_minor": 1999,
                    "discount_pct": "10",
                    "tax_ids": [billing.vat, billing.eco],
                }
            ],
        ),
    )
    t = inv.totals
    assert (t.subtotal_minor, t.discount_minor) == (5997, 600)
    assert [(x.name, x.amount_minor) for x in t.taxes] == [("TVA 20%", 1079), ("Éco-taxe", 27)]
    assert t.total_minor == 5997 - 600 + 1079 + 27
    with pytest.raises(MutationError, match="tax_ids: List should have at most 2 items"):
        create(
            billing,
            lines=[{"unit_price_minor": 1, "tax_ids": [billing.vat, billing.eco, billing.vat]}],
        )


def test_only_a_draft_can_be_edited(billing: Billing) -> None:
    invoice = create(billing, lines=[{"product_id": billing.product}])
    billing.store.mutate(
        "invoice.update",
        {
            "id": invoice,
            "lines": [{"description": "Less", "unit_price_minor": 1000, "tax_ids": []}],
        },
    )
    assert detail(billing, invoice).totals.total_minor == 1000
    billing.store.mutate("invoice.set_status", {"id": invoice, "status": "billed"})
    for change in ({"notes": "late edit"}, {"lines": []}, {"number": "X1"}):
        with pytest.raises(MutationError, match="only a draft can be edited"):
            billing.store.mutate("invoice.update", {"id": invoice, **change})
    after = detail(billing, invoice)
    assert (after.notes, after.totals.total_minor, after.version) == ("", 1000, 3)
    with pytest.raises(MutationError, match="only a draft or a rejected"):
        billing.store.mutate("invoice.delete", {"id": invoice})


def test_status_moves(billing: Billing) -> None:
    empty = create(billing)
    with pytest.raises(MutationError, match="no lines to bill"):
        billing.store.mutate("invoice.set_status", {"id": empty, "status": "billed"})
    invoice = create(billing, lines=[{"product_id": billing.product}])
    with pytest.raises(MutationError, match="cannot become paid"):
        billing.store.mutate("invoice.set_status", {"id": invoice, "status": "paid"})
    with pytest.raises(MutationError, match="bill it before sending"):
        billing.store.mutate("invoice.mark_sent", {"id": invoice, "sent_at": "2026-11-23T10:00Z"})
    for status in ("billed", "rejected", "billed", "paid"):
        billing.store.mutate("invoice.set_status", {"id": invoice, "status": status})
    assert detail(billing, invoice).status == "paid"
    with pytest.raises(MutationError, match="cannot become draft"):
        billing.store.mutate("invoice.set_status", {"id": invoice, "status": "draft"})


def test_duplicate_makes_a_new_draft(billing: Billing) -> None:
    source = create(
        billing,
        issue_date="2026-10-01",
        due_terms="date",
        due_date="2026-10-11",
        po_number="PO-9",
        lines=[{"product_id": billing.product, "quantity": "2"}],
    )
    billing.store.mutate("invoice.set_status", {"id": source, "status": "billed"})
    copy = detail(
        billing,
        billing.store.mutate(
            "invoice.duplicate", {"source_id": source, "issue_date": "2026-11-23"}
        ),
    )
    original = detail(billing, source)
    assert (copy.status, copy.number, copy.po_number) == ("draft", "INV0000002", "PO-9")
    assert copy.due_date == date(2026, 12, 3)  # the same ten days
    assert copy.totals == original.totals
    billing.store.mutate("invoice.delete", {"id": copy.id})


def test_a_client_with_an_invoice_cannot_be_deleted(billing: Billing) -> None:
    create(billing)
    with pytest.raises(MutationError, match="INV0000001"):
        billing.store.mutate("contact.delete", {"id": billing.client})


def test_due_terms_are_checked_in_the_mutation(billing: Billing) -> None:
    with pytest.raises(MutationError, match="give a date"):
        create(billing, due_terms="date")
    invoice = create(billing, issue_date="2026-11-23", due_terms="on_receipt")
    assert detail(billing, invoice).due_date == date(2026, 11, 23)
    billing.store.mutate(
        "invoice.update", {"id": invoice, "due_terms": "date", "due_date": "2026-12-24"}
    )
    billing.store.mutate("invoice.update", {"id": invoice, "issue_date": "2026-11-30"})
    assert detail(billing, invoice).due_date == date(2026, 12, 24)
    with pytest.raises(MutationError, match="before the issue date"):
        billing.store.mutate("invoice.update", {"id": invoice, "issue_date": "2027-01-01"})
    billing.store.mutate("invoice.update", {"id": invoice, "due_terms": "15"})
    assert detail(billing, invoice).due_date == date(2026, 12, 15)


def test_changing_the_currency_takes_the_admins_rate(billing: Billing) -> None:
    billing.store.mutate("exchange_rate.set", {"currency": "USD", "rate": "0.9"})
    invoice = create(billing)
    billing.store.mutate("invoice.update", {"id": invoice, "currency": "USD"})
    assert detail(billing, invoice).exchange_rate == Decimal("0.9")
    billing.store.mutate("invoice.update", {"id": invoice, "currency": "EUR"})
    assert detail(billing, invoice).exchange_rate == Decimal(1)
    with pytest.raises(MutationError, match="no rate for GBP"):
        billing.store.mutate("invoice.update", {"id": invoice, "currency": "GBP"})
