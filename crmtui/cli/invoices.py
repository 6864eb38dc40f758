"""``crmtui invoices``: list, show, render to PDF, send by e-mail, change status."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from ..reports import formatting as fmt
from ..reports.mailer import MailError, SmtpSettings, send_invoice
from ..store.db import Store
from ..store.money import Money
from ..store.queries.invoices import (
    InvoiceDetail,
    InvoiceFilter,
    find_invoice,
    invoice_detail,
    list_invoices,
)
from . import common

app = typer.Typer(help="Invoices: list, show, PDF, e-mail.", no_args_is_help=True)

HEADERS = (
    "id",
    "number",
    "status",
    "issue_date",
    "due_date",
    "client",
    "currency",
    "total",
    "sent_at",
)


def _amount(minor: int, currency: str) -> str:
    return str(Money(minor, currency).amount)


@app.command("list")
def list_(
    status: str | None = typer.Option(None, help="draft, billed, paid or rejected"),
    client: str | None = typer.Option(None, "--client", help="Only this client's (contact id)."),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """List invoices, newest first."""
    with common.store() as st, st.read() as session:
        page = list_invoices(
            session, limit=limit, filters=InvoiceFilter(status=status, client_id=client)
        )
    rows = [
        (
            r.id,
            r.number,
            r.status,
            r.issue_date,
            r.due_date,
            r.client_name,
            r.currency,
            _amount(r.total_minor, r.currency),
            r.sent_at,
        )
        for r in page.rows
    ]
    common.print_rows(HEADERS, rows, as_json=as_json)


def _detail(st: Store, ref: str) -> InvoiceDetail:
    with st.read() as session:
        invoice_id = find_invoice(session, ref)
        detail = invoice_detail(session, invoice_id) if invoice_id else None
    if detail is None:
        raise common.fail(f"no invoice with id or number {ref!r}")
    return detail


def _as_json(d: InvoiceDetail) -> dict[str, Any]:
    data = asdict(d)
    data["totals"] = {
        "subtotal": _amount(d.totals.subtotal_minor, d.currency),
        "discount": _amount(d.totals.discount_minor, d.currency),
        "taxes": [
            {
                "name": t.name,
                "rate": str(t.rate),
                "base": _amount(t.base_minor, d.currency),
                "amount": _amount(t.amount_minor, d.currency),
            }
            for t in d.totals.taxes
        ],
        "total": _amount(d.totals.total_minor, d.currency),
    }
    return data


def _show_text(d: InvoiceDetail) -> None:
    money = lambda minor: fmt.money(Money(minor, d.currency), d.language)  # noqa: E731
    out = [
        f"{d.number}  {d.status}  {d.issue_date}  due {d.due_date or 'on receipt'}",
        f"client: {d.client.name} {d.client.email}".rstrip(),
    ]
    if d.opportunity_title:
        out.append(f"deal: {d.opportunity_title}")
    for line in d.lines:
        out.append(
            f"  {line.description}  {line.quantity} x {money(line.unit_price_minor)}"
            f"  -{line.discount_pct}%  = {money(line.net_minor)}"
        )
    out.append(
        f"subtotal {money(d.totals.subtotal_minor)}  discount {money(d.totals.discount_minor)}"
    )
    out.extend(
        f"{t.name} {t.rate}% on {money(t.base_minor)}: {money(t.amount_minor)}"
        for t in d.totals.taxes
    )
    out.append(f"total {money(d.totals.total_minor)}")
    typer.echo("\n".join(out))


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="Invoice id or number."),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """Show one invoice with its lines and totals."""
    with common.store(create=False) as st:
        detail = _detail(st, ref)
    if as_json:
        sys.stdout.write(json.dumps(_as_json(detail), default=str, ensure_ascii=False) + "\n")
    else:
        _show_text(detail)


@app.command("pdf")
def pdf(
    ref: str = typer.Argument(..., help="Invoice id or number."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="The file (default: NUMBER.pdf here)."
    ),
) -> None:
    """Render an invoice to PDF in its language; prints the file's path."""
    with common.store(create=False) as st:
        detail = _detail(st, ref)
    from ..reports.invoice_pdf import write_invoice  # fpdf: loaded only to write one

    path = write_invoice(detail, output or Path(f"{detail.number}.pdf"))
    typer.echo(str(path))


@app.command("send")
def send(
    ref: str = typer.Argument(..., help="Invoice id or number."),
    to: str | None = typer.Option(None, "--to", help="Default: the client's first e-mail."),
    body: str | None = typer.Option(None, "--body", help="The message's text."),
) -> None:
    """E-mail a billed invoice as PDF over SMTP ([smtp] in the config file)."""
    try:
        smtp = SmtpSettings.from_file()
    except MailError as exc:
        raise common.fail(str(exc)) from None
    with common.store(create=False) as st:
        detail = _detail(st, ref)
        try:
            recipient = send_invoice(st, detail.id, smtp, to=to, body=body)
        except MailError as exc:
            raise common.fail(str(exc)) from None
    typer.echo(f"sent {detail.number} to {recipient}")


@app.command("set-status")
def set_status(
    ref: str = typer.Argument(..., help="Invoice id or number."),
    status: str = typer.Argument(..., help="billed, paid or rejected"),
) -> None:
    """Bill a draft, or mark a billed invoice paid or rejected."""
    with common.store(create=False) as st:
        detail = _detail(st, ref)
        st.mutate("invoice.set_status", {"id": detail.id, "status": status})
    typer.echo(f"{detail.number} {status}")
