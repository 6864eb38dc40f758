"""Send an invoice by e-mail over SMTP, with its PDF attached, and record it.

The server comes from the ``[smtp]`` table of the config file::

    [smtp]
    host = "smtp.example.com"
    port = 587                 # default: 587 for starttls, 465 for tls, 25 for none
    user = "me@example.com"
    password = "..."           # or the CRMTUI_SMTP_PASSWORD environment variable
    security = "starttls"      # "starttls", "tls" (implicit TLS) or "none"
    from = "Acme <billing@example.com>"   # default: user
    cafile = "/path/to/ca.pem"  # optional: the CA to trust instead of the system's

Nothing is written to the store unless the server accepted the message; then
one transaction marks the invoice sent and logs a "mail" activity on the client.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

from ..config import ConfigError, load_config
from ..store.db import Store
from ..store.models import utcnow
from ..store.money import Money
from ..store.queries.invoices import InvoiceDetail, invoice_detail
from . import formatting as fmt
from .invoice_labels import labels

PORTS = {"starttls": 587, "tls": 465, "none": 25}


class MailError(Exception):
    """Sending failed or cannot start; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    user: str = ""
    password: str = ""
    security: str = "starttls"
    sender: str = ""
    timeout: float = 30.0
    cafile: str = ""

    @classmethod
    def from_file(cls, path: Path | None = None) -> SmtpSettings:
        """The ``[smtp]`` table of the config file; an unreadable file is a MailError."""
        try:
            config = load_config(path)
        except ConfigError as exc:
            raise MailError(str(exc)) from None
        return cls.from_config(config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SmtpSettings:
        """Read the ``[smtp]`` table; a missing host or a bad value is a MailError."""
        table = config.get("smtp") or {}
        if not isinstance(table, dict) or not table.get("host"):
            raise MailError(
                "SMTP is not set up: add host, port, user, password and security "
                "to the [smtp] table of the config file"
            )
        security = _security(table)
        try:
            port = int(table.get("port") or PORTS[security])
            timeout = float(table.get("timeout", 30))
        except (TypeError, ValueError):
            raise MailError("[smtp] port and timeout must be numbers") from None
        password = os.environ.get("CRMTUI_SMTP_PASSWORD", str(table.get("password", "")))
        user = str(table.get("user", ""))
        return cls(
            str(table["host"]),
            port,
            user,
            password,
            security,
            str(table.get("from") or user),
            timeout,
            str(table.get("cafile", "")),
        )


def _security(table: dict[str, Any]) -> str:
    # Accept both `security = "tls"` and the flags `tls = true` / `starttls = true`.
    if "security" in table:
        value = str(table["security"]).lower()
    elif table.get("tls"):
        value = "tls"
    elif "starttls" in table and not table["starttls"]:
        value = "none"
    else:
        value = "starttls"
    if value not in PORTS:
        raise MailError(f"[smtp] security must be starttls, tls or none, not {value!r}")
    return value


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    try:
        context = ssl.create_default_context(cafile=smtp.cafile or None)
    except OSError as exc:
        raise MailError(f"[smtp] cafile {smtp.cafile!r} cannot be read: {exc}") from None
    if smtp.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout, context=context
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.user:
            client.login(smtp.user, smtp.password)
    except BaseException:
        client.close()
        raise
    return client


def deliver(message: EmailMessage, smtp: SmtpSettings) -> None:
    """Hand ``message`` to the SMTP server, turning every failure into a MailError."""
    where = f"{smtp.host}:{smtp.port}"
    try:
        with _connect(smtp) as client:
            client.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"{where} refused the user name or password for {smtp.user!r}") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f'{where} does not offer STARTTLS: set security = "tls" '
            '(or "none" on a trusted network) in [smtp]'
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"{where} refused the recipient {', '.join(exc.recipients)}") from None
    except ssl.SSLError as exc:
        raise MailError(
            f"TLS with {where} failed ({exc.reason}); check port and security in [smtp]"
        ) from None
    except smtplib.SMTPException as exc:
        raise MailError(f"{where} refused the message: {exc}") from None
    except OSError as exc:  # refused, unreachable, timed out
        raise MailError(f"cannot reach the SMTP server {where}: {exc}") from None


def invoice_message(
    detail: InvoiceDetail, pdf: bytes, *, sender: str, to: str, body: str | None = None
) -> EmailMessage:
    """The e-mail: a short text in the invoice's language and the PDF attached."""
    words = labels(detail.language)
    company = detail.company.get("name", "")
    total = fmt.money(Money(detail.totals.total_minor, detail.currency), detail.language)
    message = EmailMessage()
    message["Subject"] = f"{words['invoice']} {detail.number}" + (
        f" - {company}" if company else ""
    )
    message["From"] = formataddr((company, sender)) if company and "<" not in sender else sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    due = fmt.day(detail.due_date, detail.language) if detail.due_date else words["on_receipt"]
    message.set_content(
        body
        or f"{words['invoice']} {detail.number}\n{words['total']}: {total}\n{words['due']}: {due}\n"
    )
    message.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=f"{detail.number}.pdf"
    )
    return message


def _ready(store: Store, invoice_id: str, to: str | None) -> tuple[InvoiceDetail, str]:
    with store.read() as session:
        detail = invoice_detail(session, invoice_id)
    if detail is None:
        raise MailError(f"no invoice with id {invoice_id}")
    if detail.status == "draft":
        raise MailError(f"invoice {detail.number} is a draft: bill it before sending it")
    recipient = to or detail.client.email
    if not recipient:
        raise MailError(f"{detail.client.name} has no e-mail address: give one with --to")
    return detail, recipient


def send_invoice(
    store: Store,
    invoice_id: str,
    smtp: SmtpSettings,
    *,
    to: str | None = None,
    body: str | None = None,
    now: datetime | None = None,
) -> str:
    """E-mail an invoice's PDF, then record it as sent; returns the recipient."""
    detail, recipient = _ready(store, invoice_id, to)
    if not smtp.sender:
        raise MailError("[smtp] has neither from nor user: nobody to send as")
    from .invoice_pdf import render_invoice  # fpdf loads here, not when the app starts

    message = invoice_message(
        detail, render_invoice(detail), sender=smtp.sender, to=recipient, body=body
    )
    deliver(message, smtp)
    when = now or utcnow()
    store.mutate_many(
        [
            ("invoice.mark_sent", {"id": detail.id, "sent_at": when}),
            (
                "activity.create",
                {
                    "type": "mail",
                    "status": "done",
                    "starts_at": when,
                    "contact_id": detail.client.id,
                    "subject": str(message["Subject"]),
                    "details": f"Sent to {recipient} with {detail.number}.pdf attached.",
                    "opportunity_ids": [detail.opportunity_id] if detail.opportunity_id else [],
                },
            ),
        ]
    )
    return recipient
