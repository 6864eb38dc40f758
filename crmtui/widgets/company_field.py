"""Choosing a person's company by typing part of its name.

Each keystroke searches the companies (names starting with the text first, in
name order, then names with a word starting with it) in a worker, and lists
them under the field with their city, and for namesakes what tells them apart
(first number, people). Down moves into the list, enter picks. Text left
unpicked is matched by exact name when the form saves; several companies of that name are refused
with the count, so the user picks one instead of getting one at random.
"""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ..store import Store
from ..store.queries.contacts import CompanyHit, companies_named, search_companies
from ..store.queries.lookups import Choice
from ..store.sql import connection_of
from .form import FormField
from .workers import ReportsWorkerErrors

HITS = 8


def label(hit: CompanyHit, namesakes: int) -> Text:
    """The company's name and city; for namesakes also its number and people,
    so that two companies of one name can be told apart."""
    text = Text(hit.name, style="bold")
    details = [hit.city]
    if namesakes > 1:
        people = f"{hit.people} {'person' if hit.people == 1 else 'people'}"
        details += [hit.phone, people]
        text.append("  ⚠ same name", style="bold")
    shown = " · ".join(d for d in details if d)
    if shown:
        text.append(f"  {shown}", style="dim")
    return text


def resolve(session: Session, typed: str, chosen: Choice | None) -> tuple[str | None, str | None]:
    """``(company id, None)`` for what the field holds, or ``(None, why not)``."""
    if not typed:
        return None, None
    if chosen is not None and chosen.name == typed:
        return chosen.id, None
    found = companies_named(connection_of(session), typed)
    if len(found) == 1:
        return found[0].id, None
    if not found:
        return None, f"no company is named {typed!r}: pick one from the list, or create it first"
    return None, (
        f"{len(found)} companies are named {typed!r}: press down and pick the one you mean "
        "(their city, number and people tell them apart)"
    )


class CompanyInput(Input):
    BINDINGS = [Binding("down", "to_hits", "Companies", show=False, id="company.hits")]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Down goes to the list only when it shows companies (else the form scrolls)."""
        if action == "to_hits":
            return self.screen.query_one("#company-hits", OptionList).option_count > 0
        return super().check_action(action, parameters)

    def action_to_hits(self) -> None:
        hits = self.screen.query_one("#company-hits", OptionList)
        hits.highlighted = hits.highlighted or 0
        hits.focus()


class CompanyField(ReportsWorkerErrors, Vertical):
    """A company name input with the matching companies listed under it."""

    DEFAULT_CSS = """
    CompanyField { height: auto; }
    CompanyField > OptionList {
        height: auto; max-height: 8; display: none; border: none; padding: 0;
        background: $boost;
    }
    CompanyField > OptionList:focus { border: none; background-tint: $foreground 5%; }
    CompanyField.-open > OptionList { display: block; }
    """
    BINDINGS = [Binding("escape", "close", "Back to the name", show=False, id="company.close")]

    def __init__(self, store: Store, current: Choice | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.chosen = current
        self._asked = 0  # the newest search's number; older answers are dropped

    def compose(self) -> ComposeResult:
        yield FormField(
            "Company (type to search)",
            CompanyInput(self.chosen.name if self.chosen else "", id="company"),
            id="f-company",
        )
        yield OptionList(id="company-hits")

    @property
    def field(self) -> FormField:
        return self.query_one("#f-company", FormField)

    @property
    def typed(self) -> str:
        return self.query_one("#company", Input).value.strip()

    @on(Input.Changed, "#company")
    def _typed(self, event: Input.Changed) -> None:
        self.field.set_error(None)
        if self.chosen is not None and event.value.strip() != self.chosen.name:
            self.chosen = None
        self._asked += 1
        if self.chosen is None and event.value.strip():
            self._find(self._asked, event.value)
        else:
            self._show(self._asked, [])
        self.field.set_hint(self._chosen_hint())

    @work(thread=True, group="company-search", exit_on_error=False)
    def _find(self, asked: int, typed: str) -> None:
        with self.store.snapshot() as db:
            hits = search_companies(db, typed, limit=HITS)
        self.app.call_from_thread(self._show, asked, hits)

    def _show(self, asked: int, hits: list[CompanyHit]) -> None:
        if asked != self._asked:
            return
        names = [h.name.casefold() for h in hits]
        options = self.query_one("#company-hits", OptionList)
        options.clear_options()
        options.add_options(
            [Option(label(h, names.count(h.name.casefold())), id=f"{h.id}\n{h.name}") for h in hits]
        )
        self.set_class(bool(hits), "-open")
        if self.typed and not hits:
            self.field.set_hint("no company matches: it must exist before a person joins it")

    @on(OptionList.OptionSelected, "#company-hits")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        company_id, name = (event.option.id or "\n").split("\n", 1)
        self.chosen = Choice(company_id, name)
        self._asked += 1
        self.query_one("#company", Input).value = name
        self._show(self._asked, [])
        self.field.set_hint(self._chosen_hint())
        self.query_one("#company", Input).focus()

    def _chosen_hint(self) -> str:
        return "✓ picked from the list" if self.chosen is not None and self.typed else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape closes an open list; with none open it cancels the form as usual."""
        if action == "close":
            return self.has_class("-open")
        return super().check_action(action, parameters)

    def action_close(self) -> None:
        self.remove_class("-open")
        self.query_one("#company", Input).focus()

    @on(Input.Submitted, "#company")
    def _enter(self, event: Input.Submitted) -> None:
        """Enter on the name picks the only match, or goes to the list to choose;
        with no list open it saves the form as in any other field."""
        hits = self.query_one("#company-hits", OptionList)
        if not self.has_class("-open") or not hits.option_count:
            return
        event.stop()
        if hits.option_count == 1:
            hits.highlighted = 0
            hits.action_select()
        else:
            self.query_one(CompanyInput).action_to_hits()
