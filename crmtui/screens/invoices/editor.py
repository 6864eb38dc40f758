"""Create or edit an invoice: its header, its lines, the totals as you type.

The client and the consignee are picked from the contacts (F3, or enter on
their buttons); picking the client fills its currency, addresses and deals. A
line starts from a product with F4 (name, price in the invoice's currency,
default tax); F5 adds a line and F6 removes one. Subtotal, discounts, each
tax and the total follow every keystroke, computed by ``store.invoicing``.

Only a draft can be edited: any other invoice opens read-only, with a note.
The rule itself lives in the mutations, whose refusals (a number already
taken, an invoice billed meanwhile) show under the field they are about.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Select, Static, TextArea

from ... import commands
from ...store.queries.board import deal_for_edit
from ...store.queries.catalog import TaxRow
from ...store.queries.invoice_editing import (
    ClientDefaults,
    EditorChoices,
    client_defaults,
    editor_choices,
)
from ...store.queries.invoices import InvoiceDetail, LineRow, invoice_detail
from ...widgets.form import FormField, selected
from ...widgets.keys_footer import KeysFooter
from ..context import UiContext
from . import values
from .fields import InvoiceFields
from .lines import InvoiceLineRow, ReadLine, line_header
from .start import Start, from_deal

LOCKED_ACTIONS = {"save", "pick_client", "pick_product", "add_line", "remove_line"}


class InvoiceEditor(InvoiceFields):
    """Returns the saved invoice's id, or None when closed without saving."""

    SCOPE = "invoice"
    BINDINGS = commands.bindings("invoice")

    @classmethod
    def for_contact(cls, ctx: UiContext, contact_id: str, name: str) -> InvoiceEditor:
        """A new invoice billing this contact."""
        return cls(ctx, Start(client=(contact_id, name)))

    @classmethod
    def for_deal(cls, ctx: UiContext, deal_id: str) -> InvoiceEditor:
        """A new invoice for a deal: its contact, currency and budget as a line."""
        return cls(ctx, Start(deal_id=deal_id))

    @classmethod
    def for_invoice(cls, ctx: UiContext, invoice_id: str) -> InvoiceEditor:
        """An existing invoice: editable if a draft, read-only otherwise."""
        return cls(ctx, Start(invoice_id=invoice_id))

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form invoice-form"):
            yield Static(Text("Invoice …"), id="invoice-title", classes="form-title")
            yield Static("", id="readonly-note", classes="form-error -empty")
            with Horizontal(classes="form-row"):
                yield FormField(
                    "Client (F3)",
                    Button("pick a client…", id="client", compact=True),
                    id="f-client",
                )
                yield FormField(
                    "Consignee", Button("same as the client", id="consignee", compact=True)
                )
                yield Button("none", id="no-consignee", compact=True, tooltip="No consignee")
            with Horizontal(classes="form-row"):
                yield FormField("Number", Input(id="number"), id="f-number")
                yield FormField("Issue date", Input(id="issue"), id="f-issue")
                yield FormField(
                    "Due", Select(values.DUE_TERMS, value="30", allow_blank=False, id="due-terms")
                )
                yield FormField(
                    "Due date", Input(id="due-date", placeholder="2030-07-31"), id="f-due-date"
                )
            with Horizontal(classes="form-row"):
                yield FormField("Currency", Input(id="currency", max_length=3), id="f-currency")
                yield FormField("Exchange rate", Input(id="rate"), id="f-rate")
                yield FormField("Language", Input(id="language"), id="f-language")
                yield FormField("PO number", Input(id="po"))
            yield FormField("Deal", Select([], prompt="(no deal)", id="deal"))
            with Horizontal(classes="form-row"):
                yield FormField("Billing address", TextArea(id="billing"))
                yield FormField("Delivery address", TextArea(id="delivery"))
            yield line_header()
            yield Vertical(id="lines")
            yield Static("", id="line-note", classes="form-error -empty")
            yield Static("", id="totals")
            yield FormField("Terms", Input(id="terms"))
            yield FormField("Notes", TextArea(id="notes"))
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (F2)", variant="primary", id="save")
                yield Button("Close (Esc)", id="cancel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="invoice-load", exit_on_error=False)
    def _load(self) -> None:
        start = self.start
        with self.ctx.store.read() as session:
            found = editor_choices(session)
            detail = invoice_detail(session, start.invoice_id) if start.invoice_id else None
            client, lines = start.client, list(detail.lines) if detail else []
            if start.deal_id:
                deal = deal_for_edit(session, start.deal_id, self.ctx.store.context(session))
                if deal is None:
                    raise ValueError("that deal no longer exists (or is not shown to you)")
                self.deal = from_deal(deal)
                client, lines = self.deal.client, self.deal.lines
            if detail is not None:
                client = (detail.client.id, detail.client.name)
            defaults = client_defaults(session, client[0]) if client else None
        self.app.call_from_thread(self._fill, found, detail, defaults, lines)

    def _fill(
        self,
        found: EditorChoices,
        detail: InvoiceDetail | None,
        defaults: ClientDefaults | None,
        lines: list[LineRow],
    ) -> None:
        if self.start.invoice_id and detail is None:
            self.notify("That invoice no longer exists", severity="warning")
            self.dismiss(None)
            return
        self.choices, self.detail = found, detail
        used = {t.tax_id for line in lines for t in line.taxes} - {t.id for t in found.taxes}
        self.taxes = found.taxes + tuple(  # a line's tax an admin has since switched off
            TaxRow(t.tax_id, t.name, t.rate, False)
            for line in lines
            for t in line.taxes
            if t.tax_id in used
        )
        self._fill_header(found, detail)
        if defaults is not None:
            self._client_picked(defaults, keep=detail is not None)
        if detail is not None or self.start.deal_id:
            self._fill_from(detail)
        currency = self._input("currency")
        for line in lines or [None]:
            self.query_one("#lines").mount(InvoiceLineRow(self.taxes, currency, line))
        self.call_after_refresh(self._ready)

    def _fill_header(self, found: EditorChoices, detail: InvoiceDetail | None) -> None:
        title = f"Invoice {detail.number} · {detail.status}" if detail else "New invoice"
        self.query_one("#invoice-title", Static).update(Text(title))
        self._set("number", detail.number if detail else "")
        self.query_one("#number", Input).placeholder = f"automatic ({found.next_number})"
        self._set("issue", (detail.issue_date if detail else self.ctx.now().date()).isoformat())
        self._set("currency", detail.currency if detail else found.default_currency)
        self._set("language", detail.language if detail else found.language)
        self._set("terms", detail.terms if detail else found.terms)

    def _fill_from(self, detail: InvoiceDetail | None) -> None:
        """An existing invoice's values, or a deal's (currency and link)."""
        if detail is None:
            assert self.deal is not None
            self._set("currency", self.deal.currency)
            deal = self.query_one("#deal", Select)
            if self.start.deal_id in self.deal_ids:
                deal.value = self.start.deal_id
            return
        if detail.consignee is not None:
            self._set_consignee((detail.consignee.id, detail.consignee.name))
        self.query_one("#due-terms", Select).value = detail.due_terms
        self._set("due-date", detail.due_date.isoformat() if detail.due_date else "")
        self._set("currency", detail.currency)
        if detail.currency != detail.default_currency:
            self._set("rate", str(detail.exchange_rate))
        self._set("po", detail.po_number)
        self.query_one("#billing", TextArea).text = detail.billing_address
        self.query_one("#delivery", TextArea).text = detail.delivery_address
        self.query_one("#notes", TextArea).text = detail.notes
        if detail.opportunity_id:
            deal = self.query_one("#deal", Select)
            deal.set_options([(detail.opportunity_title, detail.opportunity_id)])
            deal.value = detail.opportunity_id

    def _ready(self) -> None:
        self._show_due()
        self._show_rate()
        self.recompute()
        if self.locked:
            self._lock()
        elif self.client is None:
            self.action_pick_client()
        else:
            self._focus_lines()

    def _lock(self) -> None:
        assert self.detail is not None
        note = (
            f"{self.detail.number} is {self.detail.status}: only a draft can be edited. "
            "Duplicate it (c on the list) to start a new draft."
        )
        self.query_one("#readonly-note", Static).update(Text(note))
        self.query_one("#readonly-note").remove_class("-empty")
        for widget in self.query("Input, Select, TextArea, Button"):
            widget.disabled = widget.id != "cancel"
        self.query_one("#cancel", Button).focus(scroll_visible=False)  # the note stays in view
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LOCKED_ACTIONS and self.locked:
            return None
        return True

    # -- saving -------------------------------------------------------------------

    def _validate(self) -> dict[str, Any] | None:
        """The mutation's arguments, or None after marking the fields in error."""
        errors: dict[str, str] = {}
        if self.client is None:
            errors["f-client"] = "pick the client (F3)"
        issue = values.a_date(self._input("issue"), "f-issue", errors)
        terms = self.query_one("#due-terms", Select).value
        due: date | None = None
        if terms == "date":
            due = values.a_date(self._input("due-date"), "f-due-date", errors)
        currency = values.a_currency(self._input("currency"), errors)
        rate: Decimal | None = None
        if currency and currency != self._default_currency():
            rate = values.a_rate(self._input("rate"), errors)
        lines = [row.read(currency or self._default_currency()) for row in self.rows]
        if self._mark(errors, bad_lines=any(isinstance(r, str) for r in lines)):
            return None
        return {
            "client_id": self.client[0] if self.client else None,
            "consignee_id": self.consignee[0] if self.consignee else None,
            "billing_address": self.query_one("#billing", TextArea).text.strip(),
            "delivery_address": self.query_one("#delivery", TextArea).text.strip(),
            "opportunity_id": selected(self.query_one("#deal", Select)),
            "language": self._input("language") or None,
            "currency": currency,
            "exchange_rate": str(rate) if rate is not None else None,
            "issue_date": issue,
            "due_terms": terms,
            "due_date": due,
            "po_number": self._input("po"),
            "terms": self._input("terms"),
            "notes": self.query_one("#notes", TextArea).text.strip(),
            "lines": [r.args for r in lines if isinstance(r, ReadLine)],
        }

    def _mark(self, errors: dict[str, str], *, bad_lines: bool) -> bool:
        """Mark the fields in error; True when something (a field or a line) is wrong."""
        for field_id in values.LABELS:
            self.query_one(f"#{field_id}", FormField).set_error(errors.get(field_id))
        names = [values.LABELS[f] for f in errors] + (["the lines"] if bad_lines else [])
        self._refused(f"Please check: {', '.join(names)}" if names else "")
        return bool(names)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.locked or self.choices is None:
            return
        args = self._validate()
        if args is not None:
            self._save(args, self._input("number"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="invoice-save", exit_on_error=False)
    def _save(self, args: dict[str, Any], number: str) -> None:
        store = self.ctx.store
        try:
            if self.detail is None:
                saved = store.mutate("invoice.create", {**args, "number": number or None})
            else:
                update = {"id": self.detail.id, "base_version": self.detail.version, **args}
                if number != self.detail.number:
                    update.update(number=number or None, number_auto=not number)
                saved = store.mutate("invoice.update", update)
        except ValueError as exc:  # MutationError: the store's reason, for the user
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, str(saved))

    def _refused(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))
        field_id = values.refused_field(message) if message else None
        if field_id is not None:
            self.query_one(f"#{field_id}", FormField).set_error(message.split(": ", 1)[-1])
