"""``crmtui invoices`` and ``crmtui opportunities`` as scripts use them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pypdf
import pytest
from typer.testing import CliRunner, Result

from crmtui.cli.main import app

from .conftest import Billing
from .test_mail import Inbox, free_port


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def invoice(billing: Billing) -> str:
    invoice = billing.store.mutate(
        "invoice.create",
        {
            "client_id": billing.client,
            "language": "fr_FR",
            "issue_date": "2026-11-23",
            "lines": [{"product_id": billing.product, "quantity": "1.5", "discount_pct": "10"}],
        },
    )
    billing.store.close()  # the CLI opens the file itself
    return invoice


def test_list_and_show_as_json(billing: Billing, store_path: Path, invoice: str) -> None:
    [row] = as_json(run(store_path, "invoices", "list", "--json"))
    assert (row["number"], row["status"], row["total"], row["currency"]) == (
        "INV0000001",
        "draft",
        "972.00",
        "EUR",
    )
    shown = as_json(run(store_path, "invoices", "show", "INV0000001", "--json"))
    assert shown["id"] == invoice
    assert shown["totals"]["subtotal"] == "900.00" and shown["totals"]["discount"] == "90.00"
    assert shown["totals"]["taxes"] == [
        {"name": "TVA 20%", "rate": "20", "base": "810.00", "amount": "162.00"}
    ]
    assert run(store_path, "invoices", "list", "--status", "paid", "--json").stdout == "[]\n"


def test_unknown_invoice_exits_with_2(billing: Billing, store_path: Path, invoice: str) -> None:
    result = run(store_path, "invoices", "show", "INV9")
    assert result.exit_code == 2 and "no invoice" in result.output


def test_pdf_writes_the_file(
    billing: Billing, store_path: Path, invoice: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.pdf"
    result = run(store_path, "invoices", "pdf", "INV0000001", "-o", str(out))
    assert result.exit_code == 0 and result.stdout.strip() == str(out)
    text = pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "INV0000001" in text and "972,00" in text


def test_status_then_send(
    billing: Billing,
    store_path: Path,
    invoice: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from = "billing@crm.example"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CRMTUI_CONFIG", str(config))
    refused = run(store_path, "invoices", "send", "INV0000001")
    assert refused.exit_code == 2 and "bill it" in refused.output
    assert run(store_path, "invoices", "set-status", "INV0000001", "billed").exit_code == 0
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sent = run(store_path, "invoices", "send", "INV0000001", "--to", "boss@sge.example")
    finally:
        controller.stop()
    assert sent.exit_code == 0, sent.output
    assert "sent INV0000001 to boss@sge.example" in sent.stdout
    assert inbox.recipients == [["boss@sge.example"]]
    [row] = as_json(run(store_path, "invoices", "list", "--json"))
    assert row["status"] == "billed" and row["sent_at"]


def test_opportunities_list_and_board(billing: Billing, store_path: Path) -> None:
    billing.store.mutate(
        "opportunity.create",
        {"title": "Audit", "contact_id": billing.client, "budget_minor": 50000},
    )
    billing.store.mutate(
        "opportunity.create",
        {"title": "Zeta", "budget_minor": 10000, "budget_type": "month", "budget_count": 2},
    )
    billing.store.close()
    rows = as_json(run(store_path, "opportunities", "list", "--json"))
    assert [(r["title"], r["stage"], r["probability"], r["value"]) for r in rows] == [
        ("Audit", "Lead", 20, "500.00"),
        ("Zeta", "Lead", 20, "200.00"),
    ]
    [column] = as_json(run(store_path, "opportunities", "board", "--json"))
    assert (column["count"], column["total"], column["weighted"]) == (2, "700.00", "140.00")
    assert run(store_path, "opportunities", "list", "--stage", "Nope").exit_code == 2
