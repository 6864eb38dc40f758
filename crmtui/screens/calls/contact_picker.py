"""Pick an existing contact by typing: results follow every keystroke.

Up and down move through the hits, enter picks one, escape gives up. The
search is the contacts list's (names, company, e-mails, tags, phone digits),
run in a worker; a slower search never overwrites a newer one.
"""

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
from ...store.queries.contacts import ContactRow, search_contacts

HITS = 12


def _label(row: ContactRow) -> Text:
    text = Text(row.display_name, style="bold")
    details = " · ".join(p for p in (row.company, row.phone_raw, row.email) if p)
    if details:
        text.append(f"  {details}", style="dim")
    return text


class ContactPicker(ModalScreen[tuple[str, str] | None]):
    """Returns ``(contact id, name)``, or None when cancelled."""

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

    def compose(self) -> ComposeResult:
        with Vertical(classes="form picker"):
            yield Static(Text(self.title_text), classes="form-title")
            yield Input(self.query_text, placeholder="name, company, e-mail or number", id="query")
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
        if query.strip():
            self._find(self._asked, query)
        else:
            self._show(self._asked, [])

    @work(thread=True, group="picker-search", exit_on_error=False)
    def _find(self, asked: int, query: str) -> None:
        with self.store.read() as session:
            rows = search_contacts(session, query, limit=HITS).rows
        self.app.call_from_thread(self._show, asked, list(rows))

    def _show(self, asked: int, rows: list[ContactRow]) -> None:
        if asked != self._asked:
            return
        hits = self.query_one("#hits", OptionList)
        hits.clear_options()
        hits.add_options([Option(_label(r), id=f"{r.id}\n{r.display_name}") for r in rows])
        if rows:
            hits.highlighted = 0
        typed = bool(self.query_one("#query", Input).value.strip())
        note = "no contact matches" if typed and not rows else ""
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
            contact_id, name = option_id.split("\n", 1)
            self.dismiss((contact_id, name))

    def action_cancel(self) -> None:
        self.dismiss(None)
