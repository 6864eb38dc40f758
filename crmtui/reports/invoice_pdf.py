"""Render an invoice to PDF (fpdf2), in the invoice's language.

The company profile (name, address, logo) heads the page; amounts and dates
are formatted with Babel for the invoice's locale (see ``formatting``).
Text is set in DejaVu Sans, shipped with crmtui (``reports/fonts``, subset to
Latin, Greek and Cyrillic) so that ``ł``, ``é`` or ``ß`` print on any machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..store.invoicing import LineTax, TaxTotal
from ..store.money import Money
from ..store.queries.invoices import InvoiceDetail, LineRow
from . import formatting as fmt
from .invoice_labels import labels

log = logging.getLogger(__name__)

FAMILY = "DejaVu"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
MARGIN, LINE = 15.0, 5.0
COLUMNS = (72, 14, 26, 14, 28, 26)  # description, qty, unit, disc., taxes, net (mm)


def _font_files() -> tuple[Path, Path] | None:
    """The regular and bold TTF files: the bundled ones, else the system's."""
    bundled = resources.files("crmtui.reports") / "fonts"
    for folder in (Path(str(bundled)), SYSTEM_FONTS):
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class InvoicePdf(FPDF):
    """An A4 page with the invoice's footer (number and page count)."""

    def __init__(self, detail: InvoiceDetail) -> None:
        super().__init__(unit="mm", format="A4")
        self.detail, self.words = detail, labels(detail.language)
        self.unicode = self._fonts()
        self.heading: tuple[str, ...] = ()
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=20)
        self.set_title(f"{self.words['invoice']} {detail.number}")
        self.set_creator("crmtui")

    def _fonts(self) -> bool:
        files = _font_files()
        if files is None:
            # A broken install: print what Latin-1 can hold rather than nothing.
            log.warning(
                "DejaVu fonts not found; the PDF falls back to Helvetica "
                "and replaces characters outside Latin-1 with '?'"
            )
            return False
        self.add_font(FAMILY, "", str(files[0]))
        self.add_font(FAMILY, "B", str(files[1]))
        return True

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(FAMILY if self.unicode else "helvetica", "B" if bold else "", size)

    def text_of(self, value: str) -> str:
        if self.unicode:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def line_of(
        self, width: float, value: str, *, align: str = "L", bold: bool = False, size: float = 9
    ) -> None:
        self.font(size, bold)
        self.multi_cell(
            width, LINE, self.text_of(value), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def footer(self) -> None:
        self.set_y(-14)
        self.font(8)
        page = (
            f"{self.words['invoice']} {self.detail.number} · {self.words['page']} "
            f"{self.page_no()}/{{nb}}"
        )
        self.cell(0, LINE, self.text_of(page), align="C")


@dataclass(frozen=True, slots=True)
class _Money:
    """Formats minor units of the invoice's currency in its locale."""

    currency: str
    locale: str

    def __call__(self, minor: int) -> str:
        return fmt.money(Money(minor, self.currency), self.locale)


def render_invoice(detail: InvoiceDetail) -> bytes:
    """The invoice as PDF bytes."""
    pdf = InvoicePdf(detail)
    pdf.add_page()
    amount = _Money(detail.currency, detail.language)
    _header(pdf)
    _parties(pdf)
    _lines(pdf, amount)
    _totals(pdf, amount)
    _footnotes(pdf)
    return bytes(pdf.output())


def _logo(pdf: InvoicePdf, path: str) -> float:
    """Draw the company logo top left; returns the height it takes (0 if none)."""
    if not path:
        return 0.0
    file = Path(path).expanduser()
    try:
        info = pdf.image(str(file), x=MARGIN, y=MARGIN, h=18)
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("company logo %s left out: %s", file, exc)
        return 0.0
    return float(info.rendered_height) + 3


def _header(pdf: InvoicePdf) -> None:
    d, w = pdf.detail, pdf.words
    top = MARGIN + _logo(pdf, d.company.get("logo_path", ""))
    pdf.set_y(top)
    pdf.line_of(90, d.company.get("name", ""), bold=True, size=12)
    pdf.line_of(90, d.company.get("address", ""))
    bottom = pdf.get_y()
    pdf.set_xy(110, MARGIN)
    title = w["invoice"] if d.status != "draft" else f"{w['invoice']} ({w['draft']})"
    pdf.font(18, True)
    pdf.cell(85, 9, pdf.text_of(title), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    due = (
        w["on_receipt"]
        if d.due_terms == "on_receipt" or d.due_date is None
        else fmt.day(d.due_date, d.language)
    )
    for label, value in (
        (w["number"], d.number),
        (w["date"], fmt.day(d.issue_date, d.language)),
        (w["due"], due),
    ):
        pdf.font(9)
        pdf.set_x(110)
        pdf.cell(
            85, LINE, pdf.text_of(f"{label}: {value}"), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT
        )
    pdf.set_y(max(bottom, pdf.get_y()) + 6)


def _parties(pdf: InvoicePdf) -> None:
    d, w = pdf.detail, pdf.words
    top = pdf.get_y()
    pdf.line_of(85, w["bill_to"], bold=True)
    pdf.line_of(85, "\n".join(p for p in (d.client.name, d.billing_address) if p))
    left_bottom = pdf.get_y()
    consignee = d.consignee.name if d.consignee else d.client.name
    if d.delivery_address and (d.delivery_address != d.billing_address or d.consignee):
        pdf.set_xy(110, top)
        pdf.line_of(85, w["ship_to"], bold=True)
        pdf.set_x(110)
        pdf.font(9)
        pdf.multi_cell(
            85,
            LINE,
            pdf.text_of(f"{consignee}\n{d.delivery_address}"),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_y(max(left_bottom, pdf.get_y()) + 2)
    extra = [
        f"{w['po']}: {d.po_number}" if d.po_number else "",
        f"{w['deal']}: {d.opportunity_title}" if d.opportunity_title else "",
    ]
    if any(extra):
        pdf.line_of(0, "   ".join(e for e in extra if e))
    pdf.ln(3)


def _tax_cell(taxes: tuple[LineTax, ...], locale: str) -> str:
    return " + ".join(f"{fmt.number(t.rate, locale)}%" for t in taxes)


def _line_cells(line: LineRow, amount: _Money, locale: str) -> tuple[str, ...]:
    discount = f"{fmt.number(line.discount_pct, locale)} %" if line.discount_pct else ""
    return (
        line.description,
        fmt.number(line.quantity, locale),
        amount(line.unit_price_minor),
        discount,
        _tax_cell(line.taxes, locale),
        amount(line.net_minor),
    )


def _wrap(pdf: InvoicePdf, text: str, width: float) -> list[str]:
    """Greedy word wrap measured with the current font (far cheaper than
    ``multi_cell``'s character-by-character line breaking)."""
    room = width - 2 * pdf.c_margin
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if not line or pdf.get_string_width(candidate) <= room:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _row(pdf: InvoicePdf, cells: tuple[str, ...], *, bold: bool = False) -> None:
    """One table row: the description wraps, the other cells sit on its first line.

    Drawn by hand rather than with ``FPDF.table``, which is several times
    slower on a 50-line invoice.
    """
    pdf.font(8.5, bold)
    texts = [pdf.text_of(c) for c in cells]
    wrapped = _wrap(pdf, texts[0], COLUMNS[0])
    height = LINE * len(wrapped) + 1
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        if pdf.heading and not bold:  # repeat the column titles on every page
            _row(pdf, pdf.heading, bold=True)
            pdf.font(8.5)
    top = pdf.get_y()
    if bold:
        pdf.set_fill_color(235, 235, 235)
        pdf.rect(MARGIN, top, sum(COLUMNS), height, style="F")
    for n, text in enumerate(wrapped):
        pdf.set_xy(MARGIN, top + 0.5 + n * LINE)
        pdf.cell(COLUMNS[0], LINE, text)
    x = MARGIN + COLUMNS[0]
    for width, text in zip(COLUMNS[1:], texts[1:], strict=True):
        pdf.set_xy(x, top + 0.5)
        pdf.cell(width, LINE, text, align="R")
        x += width
    pdf.set_draw_color(200, 200, 200)
    pdf.line(MARGIN, top + height, MARGIN + sum(COLUMNS), top + height)
    pdf.set_xy(MARGIN, top + height)


def _lines(pdf: InvoicePdf, amount: _Money) -> None:
    d, w = pdf.detail, pdf.words
    pdf.heading = (w["description"], w["qty"], w["unit"], w["discount_pct"], w["taxes"], w["net"])
    _row(pdf, pdf.heading, bold=True)
    for line in d.lines:
        _row(pdf, _line_cells(line, amount, d.language))
    pdf.ln(3)


def _total_row(pdf: InvoicePdf, label: str, value: str, *, bold: bool = False) -> None:
    pdf.font(10 if bold else 9, bold)
    pdf.set_x(95)
    pdf.cell(65, LINE + (1 if bold else 0), pdf.text_of(label), align="R")
    pdf.cell(
        35,
        LINE + (1 if bold else 0),
        pdf.text_of(value),
        align="R",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )


def _tax_label(tax: TaxTotal, amount: _Money, on: str, locale: str) -> str:
    return f"{tax.name} ({fmt.number(tax.rate, locale)} %) {on} {amount(tax.base_minor)}"


def _totals(pdf: InvoicePdf, amount: _Money) -> None:
    d, w, t = pdf.detail, pdf.words, pdf.detail.totals
    _total_row(pdf, w["subtotal"], amount(t.subtotal_minor))
    if t.discount_minor:
        _total_row(pdf, w["discount"], amount(-t.discount_minor))
    for tax in t.taxes:
        _total_row(pdf, _tax_label(tax, amount, w["on"], d.language), amount(tax.amount_minor))
    _total_row(pdf, w["total"], amount(t.total_minor), bold=True)
    if d.currency != d.default_currency:
        converted = Money(t.total_minor, d.currency).convert(d.default_currency, d.exchange_rate)
        rate = f"1 {d.currency} = {fmt.number(d.exchange_rate, d.language)} {d.default_currency}"
        _total_row(pdf, f"{w['rate']}: {rate}", "")
        _total_row(pdf, f"{w['in_default']} {d.default_currency}", fmt.money(converted, d.language))
    pdf.ln(4)


def _footnotes(pdf: InvoicePdf) -> None:
    d, w = pdf.detail, pdf.words
    for title, body in ((w["terms"], d.terms), (w["notes"], d.notes)):
        if body:
            pdf.line_of(0, title, bold=True)
            pdf.line_of(0, body)
            pdf.ln(2)


def write_invoice(detail: InvoiceDetail, path: Path) -> Path:
    """Render ``detail`` into the file ``path`` (written whole, then renamed)."""
    data = render_invoice(detail)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
