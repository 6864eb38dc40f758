"""The invoice PDF: its text (read back with pypdf) in the invoice's language."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from crmtui.reports import formatting as fmt
from crmtui.reports.invoice_pdf import render_invoice
from crmtui.store.money import Money
from crmtui.store.queries.invoices import invoice_detail

from .conftest import Billing


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\u00a0\u202f]", " ", text)  # Babel's no-break spaces, as plain ones


def render(b: Billing, invoice_id: str) -> bytes:
    with b.store.read() as session:
        detail = invoice_detail(session, invoice_id)
    assert detail is not None
    return render_invoice(detail)


@pytest.fixture
def company(billing: Billing, tmp_path: Path) -> Path:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 90), (20, 90, 170)).save(logo)
    billing.store.mutate(
        "setting.set",
        {
            "key": "company_profile",
            "value": {
                "name": "Zakład Łódź Sp. z o.o.",
                "address": "ul. Piotrkowska 1\n90-001 Łódź",
                "logo_path": str(logo),
            },
        },
    )
    return logo


def test_french_invoice_shows_number_client_and_total(billing: Billing, company: Path) -> None:
    invoice = billing.store.mutate(
        "invoice.create",
        {
            "client_id": billing.client,
            "language": "fr_FR",
            "issue_date": "2026-11-23",
            "lines": [
                {"description": "Étude préalable", "unit_price_minor": 123456, "tax_ids": []}
            ],
        },
    )
    data = render(billing, invoice)
    text = pdf_text(data)
    assert "Facture" in text and "INV0000001" in text
    assert "Société Générale d'Électricité" in text
    assert "Total TTC 1 234,56 €" in text
    assert "23 nov. 2026" in text
    assert "Zakład Łódź Sp. z o.o." in text
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages[0].images) == 1  # the logo


def test_polish_invoice_does_not_group_four_digits(billing: Billing, company: Path) -> None:
    billing.store.mutate("exchange_rate.set", {"currency": "PLN", "rate": "0.23"})
    invoice = billing.store.mutate(
        "invoice.create",
        {
            "client_id": billing.client,
            "language": "pl_PL",
            "currency": "PLN",
            "lines": [
                {"description": "Usługa", "unit_price_minor": 123456, "tax_ids": []},
                {"description": "Wdrożenie", "unit_price_minor": 1234567, "tax_ids": []},
            ],
        },
    )
    text = pdf_text(render(billing, invoice))
    assert "Faktura" in text and "Nabywca" in text
    assert "1234,56 zł" in text and "1 234,56" not in text
    assert "12 345,67 zł" in text
    assert "Razem brutto 13 580,23 zł" in text
    assert "Razem w EUR 3123,45 €" in text  # 13 580,23 x 0.23 = 3 123,4529


def test_many_lines_flow_onto_pages_with_the_total_last(billing: Billing) -> None:
    lines = [
        {
            "description": f"Pozycja {n} " + "opis " * 12,
            "unit_price_minor": 100,
            "tax_ids": [billing.vat],
        }
        for n in range(60)
    ]
    invoice = billing.store.mutate(
        "invoice.create", {"client_id": billing.client, "language": "en", "lines": lines}
    )
    data = render(billing, invoice)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    last = pdf_text(data).rsplit("Pozycja 59", 1)[1]
    assert "Total €72.00" in last.replace("\n", " ")
    assert all("Description" in page.extract_text() for page in reader.pages)


def test_a_missing_logo_is_left_out(billing: Billing, tmp_path: Path) -> None:
    billing.store.mutate(
        "setting.set",
        {
            "key": "company_profile",
            "value": {"name": "Acme", "address": "", "logo_path": str(tmp_path / "gone.png")},
        },
    )
    invoice = billing.store.mutate("invoice.create", {"client_id": billing.client})
    data = render(billing, invoice)
    assert "Acme" in pdf_text(data)
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages[0].images) == 0


@pytest.mark.parametrize(
    ("locale", "minor", "currency", "shown"),
    [
        ("fr_FR", 123456, "EUR", "1\u202f234,56\u00a0€"),
        ("pl_PL", 123456, "PLN", "1234,56\u00a0zł"),
        ("pl_PL", 1234567, "PLN", "12\u00a0345,67\u00a0zł"),
        ("pl_PL", -123456, "PLN", "-1234,56\u00a0zł"),
        ("es_ES", 123456, "EUR", "1234,56\u00a0€"),
        ("es_MX", 123456, "MXN", "$1,234.56"),
        ("pt_BR", 123456, "BRL", "R$\u00a01.234,56"),
        ("pt_PT", 123456, "EUR", "1234,56\u00a0€"),
        ("en_US", 123456, "USD", "$1,234.56"),
        ("de_DE", 123456, "EUR", "1.234,56\u00a0€"),
    ],
)
def test_money_follows_cldr_minimum_grouping(
    locale: str, minor: int, currency: str, shown: str
) -> None:
    assert fmt.money(Money(minor, currency), locale) == shown
