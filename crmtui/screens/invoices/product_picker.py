"""Pick a product or service for an invoice line by typing part of its name or code."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual.widgets.option_list import Option

from ...store import Store
from ...store.money import Money
from ...store.queries.catalog import ProductRow, list_products
from ..picker import SearchPicker

HITS = 20


def _label(row: ProductRow, locale: str) -> Text:
    text = Text(row.name, style="bold")
    price = Money(row.price_minor, row.currency).format(locale)
    details = " · ".join(p for p in (row.code, price, row.tax_name) if p)
    text.append(f"  {details}", style="dim")
    return text


class ProductPicker(SearchPicker[str]):
    """Returns the picked product's id, or None when cancelled."""

    PLACEHOLDER = "name or code"
    SEARCH_BLANK = True  # a short catalogue: list it all before anything is typed

    def __init__(self, store: Store, locale: str) -> None:
        super().__init__(store, "Product or service")
        self.locale = locale

    def find(self, session: Session, query: str) -> list[ProductRow]:
        return list(list_products(session, query, limit=HITS))

    def option(self, row: ProductRow) -> Option:
        return Option(_label(row, self.locale), id=row.id)

    def empty_note(self, query: str) -> str:
        return "no product matches (an admin adds them in the settings)"

    def picked(self, option_id: str) -> str:
        return option_id
