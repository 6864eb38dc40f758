"""A modal that picks one record by typing: the hits follow every keystroke.

Up and down move through the hits, enter picks one, escape gives up. The
search runs in a worker; a slower search never overwrites a newer one.
Subclasses say what to search and how a hit reads.
"""

from __future__ import annotations

from typing import Any, TypeVar

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..store import Store

PickedT = TypeVar("PickedT")


class SearchPicker(ModalScreen[PickedT | None]):
    PLACEHOLDER = ""
    SEARCH_BLANK = False  # whether an empty query lists everything (or nothing)

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(self, store: Store, title: str, query: str = "") -> None:
        super().__init__()
        self.store = store
        self.title_text = title
        self.query_text = query
        self._asked = 0  # the newest search's number; older answers are dropped

    def find(self, session: Session, query: str) -> list[Any]:
        raise NotImplementedError

    def option(self, row: Any) -> Option:
        raise NotImplementedError

    def empty_note(self, query: str) -> str:
        """What to say when ``query`` finds nothing."""
        raise NotImplementedError

    def picked(self, option_id: str) -> PickedT:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="form picker"):
            yield Static(Text(self.title_text), classes="form-title")
            yield Input(self.query_text, placeholder=self.PLACEHOLDER, id="query")
            yield OptionList(id="hits")
            yield Static("", id="picker-note", classes="form-error")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()
        self._search(self.query_text)

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, query: str) -> None:
        self._asked += 1
        if query.strip() or self.SEARCH_BLANK:
            self._find(self._asked, query)
        else:
            self._show(self._asked, query, [])

    @work(thread=True, group="picker-search", exit_on_error=False)
    def _find(self, asked: int, query: str) -> None:
        with self.store.read() as session:
            rows = self.find(session, query)
        self.app.call_from_thread(self._show, asked, query, rows)

    def _show(self, asked: int, query: str, rows: list[Any]) -> None:
        if asked != self._asked:
            return
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        hits.add_options([self.option(row) for row in rows])
        if rows:
            hits.highlighted = 0
        note = self.empty_note(query) if not rows else ""
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
            self._pick(hits.get_option_at_index(hits.highlighted).id)

    @on(OptionList.OptionSelected, "#hits")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id:
            self.dismiss(self.picked(option_id))

    def action_cancel(self) -> None:
        self.dismiss(None)
