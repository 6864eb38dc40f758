"""Sending an invoice to a real SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import email
import email.policy
import io
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pypdf
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import text

from crmtui.reports.mailer import MailError, SmtpSettings, send_invoice
from crmtui.store.queries.invoices import invoice_detail

from .conftest import Billing

SENT_AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_password(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"me", b"secret")
    return AuthResult(success=ok, handled=False)  # let the server answer 535 on failure


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=check_password, auth_require_tls=False
    )
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def billed(billing: Billing) -> str:
    invoice = billing.store.mutate(
        "invoice.create",
        {
            "client_id": billing.client,
            "language": "fr_FR",
            "lines": [{"description": "Étude", "unit_price_minor": 123456, "tax_ids": []}],
        },
    )
    billing.store.mutate("invoice.set_status", {"id": invoice, "status": "billed"})
    return invoice


def settings(port: int, **extra: Any) -> SmtpSettings:
    table = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "user": "me",
        "password": "secret",
        "from": "billing@crm.example",
        "timeout": 10,
        **extra,
    }
    return SmtpSettings.from_config({"smtp": table})


def state(billing: Billing, invoice: str) -> tuple[Any, ...]:
    with billing.store.read() as session:
        detail = invoice_detail(session, invoice)
        mails = session.execute(text("SELECT count(*) FROM activity WHERE type = 'mail'"))
        outbox = session.execute(text("SELECT count(*) FROM _outbox"))
        assert detail is not None
        return detail.sent_at, detail.version, mails.scalar_one(), outbox.scalar_one()


def test_the_server_receives_the_pdf_and_the_sending_is_recorded(
    billing: Billing, billed: str, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    recipient = send_invoice(billing.store, billed, settings(port), now=SENT_AT)
    assert recipient == "compta@sge.example"
    [message] = inbox.messages
    assert inbox.recipients == [["compta@sge.example"]]
    assert message["Subject"] == "Facture INV0000001"
    assert message["From"] == "billing@crm.example"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "INV0000001.pdf"
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    assert "INV0000001" in pdf.pages[0].extract_text()
    assert "1\u202f234,56" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    sent_at, _version, mails, _outbox = state(billing, billed)
    assert (sent_at, mails) == (SENT_AT, 1)
    with billing.store.read() as session:
        row = session.execute(text("SELECT contact_id, subject FROM activity")).one()
    assert tuple(row) == (billing.client, "Facture INV0000001")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password": "wrong"}, "refused the user name or password"),
        ({"security": "starttls"}, "does not offer STARTTLS"),
        ({"port": None}, "cannot reach the SMTP server"),
    ],
)
def test_bad_settings_give_a_clear_message_and_change_nothing(
    billing: Billing,
    billed: str,
    smtp_server: tuple[Inbox, int],
    change: dict[str, Any],
    error: str,
) -> None:
    inbox, port = smtp_server
    before = state(billing, billed)
    config = settings(port, **change) if change.get("port", 1) else settings(free_port())
    with pytest.raises(MailError, match=error):
        send_invoice(billing.store, billed, config)
    assert state(billing, billed) == before
    assert inbox.messages == []


def test_a_draft_or_a_client_without_address_is_not_sent(
    billing: Billing, smtp_server: tuple[Inbox, int]
) -> None:
    _, port = smtp_server
    draft = billing.store.mutate("invoice.create", {"client_id": billing.client})
    with pytest.raises(MailError, match="bill it before sending"):
        send_invoice(billing.store, draft, settings(port))
    nobody = billing.store.mutate("contact.create", {"kind": "company", "company_name": "Mute"})
    invoice = billing.store.mutate(
        "invoice.create", {"client_id": nobody, "lines": [{"unit_price_minor": 100, "tax_ids": []}]}
    )
    billing.store.mutate("invoice.set_status", {"id": invoice, "status": "billed"})
    with pytest.raises(MailError, match="no e-mail address"):
        send_invoice(billing.store, invoice, settings(port))


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({}, "SMTP is not set up"),
        ({"smtp": {"host": "x", "security": "ssl3"}}, "security must be"),
        ({"smtp": {"host": "x", "port": "abc"}}, "must be numbers"),
    ],
)
def test_config_problems_are_explained(config: dict[str, Any], error: str) -> None:
    with pytest.raises(MailError, match=error):
        SmtpSettings.from_config(config)


def test_config_defaults() -> None:
    tls = SmtpSettings.from_config({"smtp": {"host": "h", "tls": True, "user": "u@x.example"}})
    assert (tls.security, tls.port, tls.sender) == ("tls", 465, "u@x.example")
    plain = SmtpSettings.from_config({"smtp": {"host": "h"}})
    assert (plain.security, plain.port) == ("starttls", 587)


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def tls_server(inbox: Inbox, ca: trustme.CA, *, implicit: bool) -> tuple[Controller, int]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    port = free_port()
    if implicit:
        controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context)
    else:
        controller = Controller(
            inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
        )
    return controller, port


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_sending_over_tls(
    billing: Billing, billed: str, ca: trustme.CA, tmp_path: Path, security: str
) -> None:
    inbox = Inbox()
    controller, port = tls_server(inbox, ca, implicit=security == "tls")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    controller.start()
    try:
        untrusted = settings(port, security=security, user="")
        with pytest.raises(MailError, match=r"TLS with 127\.0\.0\.1"):
            send_invoice(billing.store, billed, untrusted)
        trusted = settings(port, security=security, user="", cafile=str(ca_file))
        send_invoice(billing.store, billed, trusted, now=SENT_AT)
    finally:
        controller.stop()
    assert [m["Subject"] for m in inbox.messages] == ["Facture INV0000001"]
    assert state(billing, billed)[0] == SENT_AT
