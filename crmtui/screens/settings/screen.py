"""The admin settings: a list of sections on the left, the chosen one on the right.

Each section lists its records in a table; ``n`` adds one, ``e`` (or enter)
edits the highlighted one, ``d`` deletes it after a confirmation, ``m`` merges
a tag into another and shift+up/down reorders stages and choice lists. Only an
admin may change anything: anyone else sees the same lists read-only, with a
note saying why, and the mutations refuse them too.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from ... import commands
from ...store.queries.settings_lists import SettingsOverview, settings_overview
from ..base import CrmScreen, DataChanged
from ..confirm import Confirm
from .catalog import Currencies, Products, Stages, Taxes
from .lists import Categories, Fields, Tags, Users
from .plans import Batch, Deletion, FormPlan
from .profile import Company, Invoices, Regional
from .record_form import RecordForm
from .section import ACTIONS, Section

MAX_COLUMN = 60


def all_sections(locale: str) -> list[Section]:
    def choices(scope: str, title: str, help: str) -> Section:
        return Categories(scope, title, help, locale)

    return [
        Stages(locale),
        Currencies(locale),
        Taxes(locale),
        Products(locale),
        choices("task_category", "Task categories", "The categories a task form offers."),
        choices("activity_category", "Activity categories", "The categories of activities."),
        choices("contact_type", "Contact types", "Client, supplier, partner..."),
        choices("temperature", "Temperature levels", "How warm a contact is, coldest first."),
        Tags(locale),
        Fields("contact", "Contact fields", locale),
        Fields("opportunity", "Deal fields", locale),
        Company(locale),
        Invoices(locale),
        Regional(locale),
        Users(locale),
    ]


class SettingsScreen(CrmScreen):
    SCOPE = "settings"
    TITLE_TEXT = "Settings"
    BINDINGS = commands.bindings("settings")
    CSS_PATH = "settings.tcss"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = all_sections(self.ctx.locale)
        self.section = self.sections[0]
        self.overview: SettingsOverview | None = None
        self._cursor: int | None = None  # where the cursor goes on the next redraw

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="settings-body"):
            yield OptionList(
                *[Option(s.title, id=s.key) for s in self.sections], id="settings-sections"
            )
            with Vertical(id="settings-editor"):
                yield Static("", id="settings-note")
                yield Static("", id="settings-readonly", classes="-hidden")
                yield DataTable(id="settings-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#settings-sections", OptionList).focus()

    # -- reading ------------------------------------------------------------------

    def refresh_data(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="settings-read", exit_on_error=False)
    def _read(self) -> None:
        with self.store.read() as session:
            overview = settings_overview(session)
        self.app.call_from_thread(self._show, overview)

    def _show(self, overview: SettingsOverview) -> None:
        self.overview = overview
        # Every screen reads these from the shared context: a change applies at once.
        self.ctx.region, self.ctx.locale = overview.region, overview.locale
        for section in self.sections:
            section.locale = overview.locale
        self._draw()

    def _draw(self) -> None:
        o, section = self.overview, self.section
        if o is None:
            return
        table = self.query_one("#settings-table", DataTable)
        cursor = table.cursor_row if self._cursor is None else self._cursor
        self._cursor = None
        table.clear(columns=True)
        rows = section.rows(o)
        cells = [section.cells(o, row) for row in rows]
        # Widths measured here, not by the table when idle: the same on every redraw.
        for i, header in enumerate(section.columns):
            width = max([cell_len(header), *(cell_len(c[i]) for c in cells)])
            table.add_column(header, width=min(width, MAX_COLUMN))
        for line in cells:
            table.add_row(*(Text(cell, no_wrap=True, overflow="ellipsis") for cell in line))
        if rows:
            table.move_cursor(row=max(0, min(cursor, len(rows) - 1)))
        self.query_one("#settings-note", Static).update(self._note(o, section, bool(rows)))
        readonly = self.query_one("#settings-readonly", Static)
        readonly.set_class(o.role == "admin", "-hidden")
        role = "read-only user" if o.role == "readonly" else o.role
        readonly.update(f"Read-only: only an admin can change settings (you are a {role}).")
        self.show_detail(f"Settings · {section.title}")
        self.refresh_bindings()

    @staticmethod
    def _note(o: SettingsOverview, section: Section, any_rows: bool) -> Text:
        note = Text(section.help)
        if o.role == "admin" and not any_rows and "new" in section.actions:
            note.append("\nNothing here yet: n adds one.", style="italic")
        return note

    def _row(self) -> Any:
        if self.overview is None:
            return None
        rows = self.section.rows(self.overview)
        cursor = self.query_one("#settings-table", DataTable).cursor_row
        return rows[cursor] if 0 <= cursor < len(rows) else None

    # -- moving around ------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#settings-sections")
    def _section_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.section = self.sections[event.option_index]
        self._cursor = 0
        self._draw()

    @on(OptionList.OptionSelected, "#settings-sections")
    def _section_chosen(self) -> None:
        self.query_one("#settings-table", DataTable).focus()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.refresh_bindings()  # what the keys do depends on the row (the default currency)

    @on(DataTable.RowSelected)
    def _row_chosen(self) -> None:
        if self.check_action("edit", ()):
            self.action_edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ACTIONS:
            return True
        o = self.overview
        if o is None or o.role != "admin":
            return None  # greyed out: shown, not run
        return True if self.section.allows(action, o, self._row()) else None

    # -- actions ------------------------------------------------------------------

    def action_new(self) -> None:
        assert self.overview is not None
        self._open(self.section.new(self.overview))

    def action_edit(self) -> None:
        assert self.overview is not None
        self._open(self.section.edit(self.overview, self._row()))

    def action_merge(self) -> None:
        assert self.overview is not None
        self._open(self.section.merge(self.overview, self._row()))

    def action_delete(self) -> None:
        assert self.overview is not None
        plan = self.section.delete(self.overview, self._row())
        if isinstance(plan, FormPlan):
            self._open(plan)
            return
        deletion: Deletion = plan

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(deletion.batch)

        self.app.push_screen(Confirm(deletion.question), answered)

    def action_move(self, delta: int) -> None:
        assert self.overview is not None
        batch = self.section.move(self.overview, self._row(), delta)
        if batch:
            self._cursor = self.query_one("#settings-table", DataTable).cursor_row + delta
            self._run(batch)

    def action_back(self) -> None:
        self.dismiss()

    def _open(self, plan: FormPlan) -> None:
        def saved(done: bool | None) -> None:
            if done:
                self.post_message(DataChanged())

        self.app.push_screen(RecordForm(self.store, plan), saved)

    @work(thread=True, group="settings-mutate", exit_on_error=False)
    def _run(self, batch: Batch) -> None:
        self.store.mutate_many(batch)
        self.app.call_from_thread(self.post_message, DataChanged())
