"""The invoices screen and the invoice editor, driven with keys on a real store."""

from __future__ import annotations

import io
import socket
from datetime import date

import pypdf
import pytest
from aiosmtpd.controller import Controller
from rich.console import Console
from sqlalchemy import text
from textual.widgets import Input, Static

from crmtui.screens.invoices import InvoiceEditor
from crmtui.screens.invoices.lines import InvoiceLineRow
from crmtui.store import Store
from crmtui.store.money import Money
from crmtui.store.queries.invoices import find_invoice, invoice_detail

from .conftest import NOW, notifications, settle, type_text


@pytest.fixture
def billing(store: Store) -> dict[str, str]:
    m = store.mutate
    client = m(
        "contact.create",
        {
            "kind": "company",
            "company_name": "Acme SA",
            "emails": [{"address": "billing@acme.example"}],
            "addresses": [{"label": "billing", "street": "1 rue de la Paix", "city": "Paris"}],
        },
    )
    vat = m("tax.create", {"name": "VAT 20", "rate": "20"})
    eco = m("tax.create", {"name": "Eco", "rate": "0.5"})
    m(
        "product.create",
        {"name": "Consulting", "kind": "service", "price_minor": 60000, "tax_id": vat},
    )
    return {"client": client, "vat": vat, "eco": eco}


def _draft(store: Store, client: str, number: str, status: str = "draft") -> str:
    invoice = store.mutate(
        "invoice.create",
        {
            "client_id": client,
            "number": number,
            "issue_date": date(2030, 6, 1),
            "lines": [{"description": "Service", "unit_price_minor": 99000}],
        },
    )
    if status != "draft":
        store.mutate("invoice.set_status", {"id": invoice, "status": "billed"})
    return invoice


def _text(app, selector: str) -> str:
    """What a Static shows (text or a Rich table), as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


def _row_cell(app, row: int, cell: str):
    return app.screen.query(InvoiceLineRow)[row].query_one(f".l-{cell}")


async def test_an_invoice_from_a_contact_with_two_lines_and_two_taxes(make_app, store, billing):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the only contact: Acme SA
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)
        assert "Acme SA" in str(app.screen.query_one("#client").label)
        assert "1 rue de la Paix" in app.screen.query_one("#billing").text

        await pilot.press("f4")  # the product picker, on the first line
        await settle(pilot)
        await type_text(pilot, "consul")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert _row_cell(app, 0, "desc").value == "Consulting"
        assert _row_cell(app, 0, "price").value == "600.00"
        assert _row_cell(app, 0, "tax1").value == billing["vat"]
        _row_cell(app, 0, "qty").value = "2"

        await pilot.press("f5")  # a second line, typed by hand
        await settle(pilot)
        await type_text(pilot, "Shipping")
        _row_cell(app, 1, "price").value = "10.50"
        _row_cell(app, 1, "disc").value = "10"
        _row_cell(app, 1, "tax1").value = billing["vat"]
        _row_cell(app, 1, "tax2").value = billing["eco"]
        await settle(pilot)

        # 2 x 600.00 + 10.50 - 10 %: net 1209.45; VAT 241.89; Eco 0.05 (0.04725 rounded)
        shown = _text(app, "#totals")
        for minor in (121050, -105, 24189, 5, 145139):
            assert Money(minor, "EUR").format("fr_FR") in shown
        await pilot.press("f2")
        await settle(pilot)
        assert not isinstance(app.screen, InvoiceEditor)

    with store.read() as session:
        invoice_id = find_invoice(session, "INV0000001")
        assert invoice_id is not None
        detail = invoice_detail(session, invoice_id)
    assert detail is not None
    assert detail.client.name == "Acme SA"
    assert [line.description for line in detail.lines] == ["Consulting", "Shipping"]
    assert [len(line.taxes) for line in detail.lines] == [1, 2]
    assert detail.totals.total_minor == 145139


async def test_a_typed_number_already_taken_is_refused_under_its_field(make_app, store, billing):
    _draft(store, billing["client"], "INV0000042")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(InvoiceEditor.for_contact(app.ctx, billing["client"], "Acme SA"))
        await settle(pilot)
        app.screen.query_one("#number", Input).value = "INV0000042"
        _row_cell(app, 0, "desc").value = "Work"
        _row_cell(app, 0, "price").value = "5"
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)
        field = app.screen.query_one("#f-number")
        assert field.has_class("-invalid")
        assert "INV0000042 already exists" in _text(app, "#form-error")
    with store.read() as session:
        assert session.execute(text("SELECT count(*) FROM invoice")).scalar() == 1


async def test_a_billed_invoice_opens_read_only(make_app, store, billing):
    invoice = _draft(store, billing["client"], "INV0000007", status="billed")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)
        assert "only a draft can be edited" in _text(app, "#readonly-note")
        assert _row_cell(app, 0, "desc").disabled
        assert Money(99000, "EUR").format("fr_FR") in _text(app, "#totals")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)  # nothing saved, still open
    with store.read() as session:
        assert invoice_detail(session, invoice).version == 2  # created, billed


async def test_an_invoice_billed_meanwhile_is_refused_by_the_mutation(make_app, store, billing):
    invoice = _draft(store, billing["client"], "INV0000008")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(InvoiceEditor.for_invoice(app.ctx, invoice))
        await settle(pilot)
        store.mutate("invoice.set_status", {"id": invoice, "status": "billed"})  # elsewhere
        app.screen.query_one("#po", Input).value = "PO-1"
        await pilot.press("f2")
        await settle(pilot)
        assert "only a draft can be edited" in _text(app, "#form-error")
    with store.read() as session:
        assert invoice_detail(session, invoice).po_number == ""


async def test_duplicate_then_delete_the_draft(make_app, store, billing):
    _draft(store, billing["client"], "INV0000003", status="billed")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)  # the copy opens, as a draft
        assert app.screen.detail is not None and app.screen.detail.status == "draft"
        copy = app.screen.detail.number
        assert copy != "INV0000003"
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("d", "y")  # the billed original: the store refuses
        await settle(pilot, failures_ok=True)
        assert any("only a draft or a rejected" in n for n in notifications(app))

        assert app.screen.query_one("#list").row_at(1).number == copy  # highest number first
        await pilot.press("down", "d", "y")
        await settle(pilot)
    with store.read() as session:
        assert find_invoice(session, copy) is None
        assert find_invoice(session, "INV0000003") is not None


async def test_pdf_is_written_where_the_config_says(
    make_app, store, billing, tmp_path, config_file
):
    folder = tmp_path / "pdfs"
    config_file.write_text(f'[invoices]\npdf_dir = "{folder}"\n', encoding="utf-8")
    _draft(store, billing["client"], "INV0000005", status="billed")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert str(folder / "INV0000005.pdf") in notifications(app)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(folder / "INV0000005.pdf").pages)
    assert "INV0000005" in text
    assert "Acme SA" in text
    assert Money(99000, "EUR").format("fr_FR").replace("\u202f", " ") in text.replace("\u202f", " ")


async def test_sending_without_smtp_settings_says_what_to_fix(make_app, store, billing):
    invoice = _draft(store, billing["client"], "INV0000006", status="billed")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert any("SMTP is not set up" in n for n in notifications(app))
    with store.read() as session:
        assert invoice_detail(session, invoice).sent_at is None


async def test_overdue_filter_and_the_timeline_opens_the_editor(make_app, store, billing):
    _draft(store, billing["client"], "INV0000009", status="billed")  # due 2030-07-01
    store.mutate(
        "invoice.create",
        {
            "client_id": billing["client"],
            "number": "INV0000010",
            "issue_date": date(2030, 4, 1),
            "lines": [{"description": "Old", "unit_price_minor": 100}],
        },
    )
    old = find_invoice_id(store, "INV0000010")
    store.mutate("invoice.set_status", {"id": old, "status": "billed"})  # due 2030-05-01
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("right", "right", "right")  # all, draft, billed, overdue
        await settle(pilot)
        rows = app.screen.query_one("#list")
        assert rows.total == 1 and rows.row_at(0).number == "INV0000010"

        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")  # Acme SA; its timeline, newest first: INV0000009
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceEditor)
        assert "INV0000009" in _text(app, "#invoice-title")


def find_invoice_id(store: Store, number: str) -> str:
    with store.read() as session:
        found = find_invoice(session, number)
    assert found is not None
    return found


async def test_an_invoice_for_a_deal_bills_its_contact_and_budget(make_app, store, billing):
    store.mutate("stage.create", {"name": "Lead", "probability": 20})
    deal = store.mutate(
        "opportunity.create",
        {
            "title": "Audit",
            "contact_id": billing["client"],
            "budget_minor": 50000,
            "currency": "EUR",
            "budget_type": "day",
            "budget_count": 3,
        },
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(InvoiceEditor.for_deal(app.ctx, deal))
        await settle(pilot)
        assert "Acme SA" in str(app.screen.query_one("#client").label)
        assert _row_cell(app, 0, "desc").value == "Audit"
        assert _row_cell(app, 0, "qty").value == "3"
        assert Money(150000, "EUR").format("fr_FR") in _text(app, "#totals")
        await pilot.press("f2")
        await settle(pilot)
    with store.read() as session:
        detail = invoice_detail(session, find_invoice_id(store, "INV0000001"))
    assert detail.opportunity_id == deal
    assert detail.totals.total_minor == 150000


class Inbox:
    """An aiosmtpd handler keeping the recipients of every message it accepts."""

    def __init__(self) -> None:
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


async def test_sending_by_email_reaches_the_server_and_logs_an_activity(
    make_app, store, billing, config_file
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    config_file.write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'from = "billing@crm.example"\n',
        encoding="utf-8",
    )
    invoice = _draft(store, billing["client"], "INV0000011", status="billed")
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("5")
            await settle(pilot)
            await pilot.press("m")
            await settle(pilot)
            assert any("Sent INV0000011 to billing@acme.example" in n for n in notifications(app))
    finally:
        controller.stop()
    assert inbox.recipients == [["billing@acme.example"]]
    with store.read() as session:
        assert invoice_detail(session, invoice).sent_at == NOW  # the app's clock
        mails = session.execute(text("SELECT subject FROM activity WHERE type = 'mail'")).all()
    assert [m[0] for m in mails] == ["Facture INV0000011"]  # the invoice's language, fr_FR
