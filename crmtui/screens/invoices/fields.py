"""The invoice editor's fields and what they do as you type: the client and
consignee pickers, the due date and exchange rate shown when they apply, and
the line grid with its live totals. ``InvoiceEditor`` adds loading and saving.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.events import DescendantFocus
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from ...store.invoicing import totals
from ...store.queries.catalog import TaxRow
from ...store.queries.invoice_editing import (
    ClientDefaults,
    EditorChoices,
    ProductLine,
    client_defaults,
    delivery_address,
    product_line,
)
from ...store.queries.invoices import InvoiceDetail
from ...widgets.form import FormField, selected, text_of
from ...widgets.workers import ReportsWorkerErrors
from ..contact_picker import ContactPicker
from ..context import UiContext
from . import values
from .lines import InvoiceLineRow, ReadLine
from .product_picker import ProductPicker
from .start import DealStart, Start


class InvoiceFields(ReportsWorkerErrors, ModalScreen[str | None]):
    """What the editor holds: the choices read, the parties picked, the lines."""

    def __init__(self, ctx: UiContext, start: Start | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.start = start or Start()
        self.detail: InvoiceDetail | None = None
        self.choices: EditorChoices | None = None
        self.taxes: tuple[TaxRow, ...] = ()
        self.client: tuple[str, str] | None = None
        self.consignee: tuple[str, str] | None = None
        self.current_row: InvoiceLineRow | None = None
        self.deal: DealStart | None = None
        self.deal_ids: set[str] = set()  # the deals the Deal choice offers

    @property
    def locked(self) -> bool:
        return self.detail is not None and self.detail.status != "draft"

    # -- small helpers --------------------------------------------------------------

    def _input(self, name: str) -> str:
        return text_of(self.query_one(f"#{name}", Input))

    def _set(self, name: str, value: str) -> None:
        self.query_one(f"#{name}", Input).value = value

    @property
    def rows(self) -> list[InvoiceLineRow]:
        return list(self.query(InvoiceLineRow))

    def _default_currency(self) -> str:
        return self.choices.default_currency if self.choices else ""

    # -- client, consignee, deal -------------------------------------------------------

    def _contact_picker(self, title: str) -> ContactPicker:
        return ContactPicker(self.ctx.store, title)

    @on(Button.Pressed, "#client")
    def action_pick_client(self) -> None:
        self.app.push_screen(self._contact_picker("Bill which contact?"), self._picked)

    def _picked(self, picked: tuple[str, str] | None) -> None:
        if picked:
            self._read_client(picked[0])
        elif self.client is None:
            self.query_one("#client", Button).focus()

    @work(thread=True, exclusive=True, group="invoice-client", exit_on_error=False)
    def _read_client(self, contact_id: str) -> None:
        with self.ctx.store.read() as session:
            found = client_defaults(session, contact_id)
        if found is None:
            raise ValueError("that contact no longer exists")
        self.app.call_from_thread(self._client_picked, found)

    def _client_picked(self, found: ClientDefaults, keep: bool = False) -> None:
        """Show the client; unless ``keep`` (an invoice's own values), take its defaults."""
        self.client = (found.id, found.name)
        self.query_one("#client", Button).label = found.name
        self.query_one("#f-client", FormField).set_error(None)
        deal = self.query_one("#deal", Select)
        linked = selected(deal)
        deal.set_options([(d.name, d.id) for d in found.deals])
        self.deal_ids = {d.id for d in found.deals}
        if linked in self.deal_ids:
            deal.value = linked
        if keep:
            return
        self._set("currency", found.currency)
        self.query_one("#billing", TextArea).text = found.billing_address
        if self.consignee is None:
            self.query_one("#delivery", TextArea).text = found.delivery_address
        self.call_after_refresh(self._focus_lines)

    def _focus_lines(self) -> None:
        if self.rows:
            self.rows[0].query_one(".l-desc", Input).focus()

    @on(Button.Pressed, "#consignee")
    def _pick_consignee(self) -> None:
        self.app.push_screen(
            self._contact_picker("Deliver to which contact?"), self._consignee_picked
        )

    def _consignee_picked(self, picked: tuple[str, str] | None) -> None:
        if picked:
            self._set_consignee(picked)
            self._read_delivery(picked[0])

    @work(thread=True, exclusive=True, group="invoice-consignee", exit_on_error=False)
    def _read_delivery(self, contact_id: str) -> None:
        with self.ctx.store.read() as session:
            address = delivery_address(session, contact_id)
        self.app.call_from_thread(self._show_delivery, address)

    def _show_delivery(self, address: str) -> None:
        self.query_one("#delivery", TextArea).text = address

    def _set_consignee(self, consignee: tuple[str, str] | None) -> None:
        self.consignee = consignee
        label = consignee[1] if consignee else "same as the client"
        self.query_one("#consignee", Button).label = label

    @on(Button.Pressed, "#no-consignee")
    def _no_consignee(self) -> None:
        self._set_consignee(None)

    # -- header reactions -------------------------------------------------------------

    @on(Select.Changed, "#due-terms")
    def _show_due(self) -> None:
        on_date = self.query_one("#due-terms", Select).value == "date"
        self.query_one("#f-due-date").display = on_date

    @on(Input.Changed, "#currency")
    def _show_rate(self) -> None:
        currency = self._input("currency").upper()
        rate_field = self.query_one("#f-rate", FormField)
        rate_field.display = bool(currency) and currency != self._default_currency()
        known = {c.code: c.rate for c in self.choices.currencies} if self.choices else {}
        hint = (
            f"blank: the admin's rate, {known[currency]}"
            if currency in known
            else "no rate set by an admin: type one"
        )
        rate_field.set_hint(f"{self._default_currency()} per {currency} · {hint}")

    # -- lines ----------------------------------------------------------------------

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        for node in event.widget.ancestors:
            if isinstance(node, InvoiceLineRow):
                self.current_row = node
                return

    @on(Input.Changed)
    @on(Select.Changed)
    def recompute(self) -> None:
        """Read every line and show each net and the totals, or what is wrong."""
        if self.choices is None:
            return
        if self.locked and self.detail is not None:
            self._show_totals(self.detail.totals, self.detail.currency)
            for row in self.rows:
                row.show_stored(self.detail.currency, self.detail.language)
            return
        currency = self._currency_or_default()
        read = [row.read(currency) for row in self.rows]
        for row, line in zip(self.rows, read, strict=True):
            row.show_net(line, currency, self._input("language"))
        problems = [f"line {n}: {r}" for n, r in enumerate(read, 1) if isinstance(r, str)]
        note = self.query_one("#line-note", Static)
        note.update(Text("; ".join(problems)))
        note.set_class(not problems, "-empty")
        self._show_totals(totals([r.amounts for r in read if isinstance(r, ReadLine)]), currency)

    def _currency_or_default(self) -> str:
        errors: dict[str, str] = {}
        currency = values.a_currency(self._input("currency"), errors)
        return currency or self._default_currency()

    def _show_totals(self, result: Any, currency: str) -> None:
        table = values.totals_table(result, currency, self._input("language"))
        self.query_one("#totals", Static).update(table)

    def action_add_line(self) -> None:
        row = InvoiceLineRow(self.taxes, self._currency_or_default())
        lines = self.query_one("#lines")
        if self.current_row is not None and self.current_row in self.rows:
            lines.mount(row, after=self.current_row)
        else:
            lines.mount(row)
        self.call_after_refresh(lambda: row.query_one(".l-desc", Input).focus())

    def action_remove_line(self) -> None:
        row = self.current_row
        if row is None or row not in self.rows:
            self.notify("Go to the line to remove first", severity="warning")
            return
        rows = self.rows
        following = rows[min(rows.index(row) + 1, len(rows) - 1)] if len(rows) > 1 else None
        self.current_row = following if following is not row else rows[-2]
        row.remove()
        self.call_after_refresh(self._after_removal)

    def _after_removal(self) -> None:
        if self.current_row is not None and self.current_row in self.rows:
            self.current_row.query_one(".l-desc", Input).focus()
        self.recompute()

    def action_pick_product(self) -> None:
        if self.current_row is None or self.current_row not in self.rows:
            self.action_add_line()
        target = self.current_row or self.rows[-1]
        self.app.push_screen(
            ProductPicker(self.ctx.store, self.ctx.locale),
            lambda product_id: (
                self._read_product(target, product_id, self._currency_or_default())
                if product_id
                else None
            ),
        )

    @work(thread=True, group="invoice-product", exit_on_error=False)
    def _read_product(self, row: InvoiceLineRow, product_id: str, currency: str) -> None:
        with self.ctx.store.read() as session:
            found = product_line(session, product_id, currency)
        if found is None:
            raise ValueError("that product no longer exists")
        self.app.call_from_thread(self._product_read, row, found, currency)

    def _product_read(self, row: InvoiceLineRow, found: ProductLine, currency: str) -> None:
        if row in self.rows:
            row.fill(found, currency)
            row.query_one(".l-qty", Input).focus()
            self.recompute()
