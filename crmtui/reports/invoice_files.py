"""Where the app writes an invoice's PDF: the ``pdf_dir`` of the ``[invoices]``
table of the config file, else an "Invoices" folder in the user's documents.

    [invoices]
    pdf_dir = "~/Documents/Invoices"
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_documents_dir

from ..config import ConfigError, load_config
from ..store.db import Store
from ..store.queries.invoices import invoice_detail


class PdfError(Exception):
    """The PDF cannot be written; the message says why."""


def pdf_folder(config_file: Path | None) -> Path:
    try:
        table = load_config(config_file).get("invoices") or {}
    except ConfigError as exc:
        raise PdfError(str(exc)) from None
    folder = table.get("pdf_dir") if isinstance(table, dict) else None
    return Path(str(folder)).expanduser() if folder else Path(user_documents_dir()) / "Invoices"


def write_invoice_pdf(store: Store, invoice_id: str, config_file: Path | None) -> Path:
    """Render the invoice to ``NUMBER.pdf`` in the PDF folder; returns the file."""
    with store.read() as session:
        detail = invoice_detail(session, invoice_id)
    if detail is None:
        raise PdfError(f"no invoice with id {invoice_id}")
    folder = pdf_folder(config_file)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # fpdf (with fontTools and PIL) loads here, not when the app starts.
        from .invoice_pdf import write_invoice

        return write_invoice(detail, folder / f"{detail.number}.pdf")
    except OSError as exc:
        raise PdfError(f"cannot write the PDF in {folder}: {exc.strerror or exc}") from None
