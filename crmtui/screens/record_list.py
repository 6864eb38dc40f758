"""A read-only list of one kind of record; enter opens the linked contact.

The opportunities, invoices and calls screens start as this; their own
features (editing deals, issuing invoices, wrapping up calls) extend them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..store.queries.keyset import Listing
from ..widgets.columns import Column
from ..widgets.virtual_list import VirtualList
from .base import CrmScreen
from .contact_screen import ContactScreen


class RecordListScreen(CrmScreen):
    NOUN = ("record", "records")  # singular, plural
    CONTACT_FIELD = "contact_id"  # the row attribute naming the contact enter opens

    def columns(self) -> list[Column[Any]]:
        raise NotImplementedError

    def listing(self) -> Listing[Any]:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Static(Text(f"All {self.NOUN[1]}"), classes="toolbar-title")
            yield Static("", id="count", classes="toolbar-info")
        yield VirtualList(self.store, self.columns(), id="list")

    @property
    def list(self) -> VirtualList[Any]:
        return self.query_one("#list", VirtualList)

    def on_mount(self) -> None:
        super().on_mount()
        self.list.focus()

    def refresh_data(self) -> None:
        if self.list.listing is None:
            self.list.show(self.listing())
        else:
            self.list.reload()

    @on(VirtualList.Counted)
    def _counted(self, event: VirtualList.Counted) -> None:
        noun = self.NOUN[0] if event.total == 1 else self.NOUN[1]
        self.query_one("#count", Static).update(Text(f"{event.total:,} {noun}"))

    @on(VirtualList.Selected)
    def _open(self, event: VirtualList.Selected) -> None:
        contact_id = getattr(event.row, self.CONTACT_FIELD, None)
        if contact_id:
            self.app.push_screen(ContactScreen(self.ctx, contact_id))
