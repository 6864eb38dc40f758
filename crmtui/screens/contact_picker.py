"""Pick an existing contact by typing, with the contacts list's search
(names, company, e-mails, tags, phone digits)."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual.widgets.option_list import Option

from ..store.queries.contacts import ContactRow, search_contacts
from ..store.sql import connection_of
from .picker import SearchPicker

HITS = 12


def _label(row: ContactRow) -> Text:
    text = Text(row.display_name, style="bold")
    details = " · ".join(p for p in (row.company, row.phone_raw, row.email) if p)
    if details:
        text.append(f"  {details}", style="dim")
    return text


class ContactPicker(SearchPicker[tuple[str, str]]):
    """Returns ``(contact id, name)``, or None when cancelled."""

    PLACEHOLDER = "name, company, e-mail or number"

    def find(self, session: Session, query: str) -> list[ContactRow]:
        return list(search_contacts(connection_of(session), query, limit=HITS).rows)

    def option(self, row: ContactRow) -> Option:
        return Option(_label(row), id=f"{row.id}\n{row.display_name}")

    def empty_note(self, query: str) -> str:
        return "no contact matches" if query.strip() else ""

    def picked(self, option_id: str) -> tuple[str, str]:
        contact_id, name = option_id.split("\n", 1)
        return contact_id, name
