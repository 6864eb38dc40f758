"""Pick a product or service for an invoice line by typing part of its name or code."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...store import Store
from ...store.money import Money
from ...store.queries.catalog import ProductRow, list_products

HITS = 20


def _label(row: ProductRow, locale: str) -> Text:
    text = Text(row.name, style="bold")
    price = Money(row.price_minor, row.currency).format(locale)
    details = " · ".join(p for p in (row.code, price, row.tax_name) if p)
    text.append(f"  {details}", style="dim")
    return text


class ProductPicker(ModalScreen[str | None]):
    """Returns the picked product's id, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(self, store: Store, locale: str) -> None:
        super().__init__()
        self.store = store
        self.locale = locale
        self._asked = 0  # the newest search's number; older answers are dropped

    def compose(self) -> ComposeResult:
        with Vertical(classes="form picker"):
            yield Static(Text("Product or service"), classes="form-title")
            yield Input(placeholder="name or code", id="query")
            yield OptionList(id="hits")
            yield Static("", id="picker-note", classes="form-error")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self._search("")

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, query: str) -> None:
        self._asked += 1
        self._find(self._asked, query)

    @work(thread=True, group="product-search", exit_on_error=False)
    def _find(self, asked: int, query: str) -> None:
        with self.store.read() as session:
            rows = list_products(session, query, limit=HITS)
        self.app.call_from_thread(self._show, asked, rows)

    def _show(self, asked: int, rows: list[ProductRow]) -> None:
        if asked != self._asked:
            return
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        hits.add_options([Option(_label(r, self.locale), id=r.id) for r in rows])
        if rows:
            hits.highlighted = 0
        note = "" if rows else "no product matches (an admin adds them in the settings)"
        self.query_one("#picker-note", Static).update(Text(note))

    def action_move(self, step: int) -> None:
        hits = self.query_one("#hits", OptionList)
        if hits.option_count:
            current = hits.highlighted if hits.highlighted is not None else -step
            hits.highlighted = max(0, min(hits.option_count - 1, current + step))

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        hits = self.query_one("#hits", OptionList)
        if hits.highlighted is not None:
            self.dismiss(hits.get_option_at_index(hits.highlighted).id)

    @on(OptionList.OptionSelected, "#hits")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
