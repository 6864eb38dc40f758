"""The Reports screen (``9``): choose a report, its period and its users, and
write it as an xlsx workbook.

The form sits on the left; the right side previews the chosen report as soon
as the choices make sense, computed in a worker by the same functions the xlsx
is drawn from (``reports.catalog``), as a table and, for the funnel and the
forecast, as a bar chart. F2 writes the file in another worker and says where;
a missing exchange rate stops both with the message naming the currencies.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import platformdirs
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, ProgressBar, Select, SelectionList, Static

from ... import commands
from ...reports.catalog import REPORTS
from ...reports.model import Period, Report, ReportError
from ...reports.periods import quick_period
from ...reports.workbook import write_report
from ...store.queries.lookups import Choice, choices
from ...widgets.bar_chart import BarChart
from ...widgets.form import FormField, text_of
from ..base import CrmScreen
from ..confirm import Confirm
from ..context import UiContext
from . import preview

TITLES = {
    "won": "Won deals",
    "forecast": "Sales forecast",
    "funnel": "Sales funnel",
    "managers": "Per manager",
    "calls": "Calls by agent",
    "summary": "Summary of the period",
}
Request = tuple[str, Period, list[str] | None]


def documents() -> Path:
    """The user's documents folder, or the working directory without one."""
    folder = Path(platformdirs.user_documents_dir())
    return folder if folder.is_dir() else Path.cwd()


def parse_day(value: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise ReportError("a date like 2026-01-31") from None


class ReportsScreen(CrmScreen):
    SCOPE = "reports"
    TITLE_TEXT = "Reports"
    BINDINGS = commands.bindings("reports")
    CSS_PATH = "reports.tcss"

    def __init__(self, ctx: UiContext, folder: Path | None = None) -> None:
        super().__init__(ctx)
        self.folder = folder  # where files go by default; looked up in a worker if None
        self.auto_path = ""  # the path filled in for the user, followed until they edit it
        self.running = False
        self.previewing = False  # a preview is being computed
        self.next_preview: Request | None = None  # asked for meanwhile, computed next

    def compose_body(self) -> ComposeResult:
        names = [(title, name) for name, title in TITLES.items()]
        with Horizontal(id="reports-body"):
            with VerticalScroll(id="reports-form"):
                yield FormField(
                    "Report",
                    Select(names, value="funnel", allow_blank=False, id="report-name"),
                    hint=REPORTS["funnel"][1],
                    id="name-field",
                )
                with Horizontal(classes="form-row"):
                    yield FormField("From", Input(placeholder="YYYY-MM-DD", id="report-from"))
                    yield FormField("To", Input(placeholder="YYYY-MM-DD", id="report-to"))
                yield Static("F3 this month · F4 last month\nF5 quarter · F6 year", id="quick")
                yield FormField("Users (none ticked: everyone)", SelectionList[str](id="users"))
                yield FormField("File", Input(id="report-path"), id="path-field")
                yield Button("Write xlsx (F2)", id="report-run", variant="primary", compact=True)
                yield ProgressBar(
                    total=None, show_eta=False, show_percentage=False, id="report-progress"
                )
                yield Static("", id="report-status")
            with VerticalScroll(id="reports-preview"):
                yield Static("Preview", id="preview-title", classes="section-title")
                yield Static("", id="preview-error")
                yield BarChart(id="preview-chart")
                yield DataTable(id="preview-table", zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        super().on_mount()
        self.show_detail("xlsx workbooks with charts, previewed here")
        self.query_one("#report-progress").display = False
        self.query_one("#report-name", Select).focus()
        self.action_period("this_year")
        self._load_choices()

    @work(thread=True, exclusive=True, group="reports-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.store.snapshot() as db:
            users = choices(db).users
        folder = self.folder or documents()
        self.app.call_from_thread(self._choices_loaded, users, folder)

    def _choices_loaded(self, users: tuple[Choice, ...], folder: Path) -> None:
        self.folder = folder
        self.query_one("#users", SelectionList).add_options([(u.name, u.id) for u in users])
        self._changed()

    # -- the choices ----------------------------------------------------------------

    def action_period(self, name: str) -> None:
        period = quick_period(name, self.ctx.now().astimezone(self.ctx.tz).date())
        with self.prevent(Input.Changed):
            self.query_one("#report-from", Input).value = period.start.isoformat()
            self.query_one("#report-to", Input).value = period.end.isoformat()
        self._changed()

    @on(Select.Changed, "#report-name")
    @on(Input.Changed, "#report-from, #report-to")
    @on(SelectionList.SelectedChanged)
    def _changed(self) -> None:
        name = self._report_name()
        self.query_one("#name-field", FormField).set_hint(REPORTS[name][1])
        self.query_one("#users", SelectionList).disabled = name == "summary"  # covers all
        request = self._request()
        if request is None:
            return
        self._follow_path(request)
        self._show_error("")
        self.query_one("#preview-title", Static).update(
            f"Preview · {TITLES[name]} · {request[1]} · computing…"
        )
        self._preview(request)

    def _report_name(self) -> str:
        return str(self.query_one("#report-name", Select).value)

    def _request(self) -> Request | None:
        """(report, period, users) from the form, or None with the fields' errors shown."""
        days: list[date] = []
        for input_id in ("#report-from", "#report-to"):
            field = self.query_one(input_id, Input)
            try:
                days.append(parse_day(field.value))
            except ReportError as exc:
                self._field_error(field, str(exc))
            else:
                self._field_error(field, None)
        if len(days) < 2:
            return None
        try:
            period = Period(days[0], days[1])
        except ReportError as exc:
            self._field_error(self.query_one("#report-to", Input), str(exc))
            return None
        name = self._report_name()
        users = list(self.query_one("#users", SelectionList).selected)
        return name, period, (users or None) if name != "summary" else None

    @staticmethod
    def _field_error(field: Input, message: str | None) -> None:
        parent = field.parent
        if isinstance(parent, FormField):
            parent.set_error(message)

    def _follow_path(self, request: Request) -> None:
        """Name the file after the report and period, unless the user typed one."""
        path_input = self.query_one("#report-path", Input)
        if self.folder is None or path_input.value not in ("", self.auto_path):
            return
        name, period, _users = request
        self.auto_path = str(self.folder / f"{name}-{period.start}-{period.end}.xlsx")
        with self.prevent(Input.Changed):
            path_input.value = self.auto_path

    # -- the preview ----------------------------------------------------------------

    def _preview(self, request: Request) -> None:
        """Compute one preview at a time: on a big store a report takes seconds, and
        choices made meanwhile (ticking users) are coalesced into the next one."""
        if self.previewing:
            self.next_preview = request
        else:
            self.previewing = True
            self._compute_preview(request)

    @work(thread=True, group="reports-preview", exit_on_error=False)
    def _compute_preview(self, request: Request) -> None:
        name, period, users = request
        report, error = None, None
        try:
            with self.store.read() as session:
                report = REPORTS[name][0](session, period, users)
        except ReportError as exc:
            error = str(exc)
        finally:  # any other error is reported by the worker handler
            self.app.call_from_thread(self._previewed, name, report, error)

    def _previewed(self, name: str, report: Report | None, error: str | None) -> None:
        self.previewing = False
        if self.next_preview is not None:  # this one is out of date already
            request, self.next_preview = self.next_preview, None
            self._preview(request)
        elif report is not None:
            self._show_preview(report)
        else:
            self._preview_failed(name, error or "")

    def _show_preview(self, report: Report) -> None:
        locale = self.ctx.locale
        self.query_one("#preview-title", Static).update(
            f"Preview · {report.title} · {report.period} · amounts in {report.currency}"
        )
        chart = preview.chart(report, locale)
        self.query_one(BarChart).show(*(chart or ("", [], None)))
        table = self.query_one("#preview-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*(c.title for c in report.table.columns))
        table.add_rows(preview.table_rows(report, locale))

    def _preview_failed(self, name: str, message: str) -> None:
        self.query_one("#preview-title", Static).update(f"Preview · {TITLES[name]}")
        self._show_error(message)
        self.query_one(BarChart).show("", [])
        self.query_one("#preview-table", DataTable).clear(columns=True)

    def _show_error(self, message: str) -> None:
        error = self.query_one("#preview-error", Static)
        error.update(Text(message))
        error.display = bool(message)

    # -- writing the file -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run" and self.running:
            return None
        return True

    @on(Button.Pressed, "#report-run")
    def action_run(self) -> None:
        request = self._request()
        path_field = self.query_one("#path-field", FormField)
        value = text_of(self.query_one("#report-path", Input))
        path_field.set_error(
            None if value.lower().endswith(".xlsx") else "a file name ending in .xlsx"
        )
        if request is not None and value.lower().endswith(".xlsx"):
            self._start(request, Path(value).expanduser(), replace=False)

    def _start(self, request: Request, path: Path, *, replace: bool) -> None:
        self._set_running(True, f"Computing the {TITLES[request[0]].lower()}…")
        self._write(request, path, replace)

    def _set_running(self, running: bool, status: str, *, error: bool = False) -> None:
        self.running = running
        self.query_one("#report-progress").display = running
        self.query_one("#report-run", Button).disabled = running
        line = self.query_one("#report-status", Static)
        line.update(Text(status))
        line.set_class(error, "-error")
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="reports-run", exit_on_error=False)
    def _write(self, request: Request, path: Path, replace: bool) -> None:
        name, period, users = request
        if path.exists() and not replace:
            self.app.call_from_thread(self._ask_replace, request, path)
            return
        try:
            with self.store.read() as session:
                report = REPORTS[name][0](session, period, users)
            self.app.call_from_thread(self._set_running, True, f"Writing {path}…")
            write_report(report, path)
        except ReportError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except OSError as exc:
            self.app.call_from_thread(self._failed, f"{path}: {exc.strerror or exc}")
            return
        self.app.call_from_thread(self._written, report, path.resolve())

    def _ask_replace(self, request: Request, path: Path) -> None:
        self._set_running(False, "")

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(request, path, replace=True)

        self.app.push_screen(Confirm(f"{path} exists. Replace it?", yes="Replace"), answered)

    def _failed(self, message: str) -> None:
        self._set_running(False, message, error=True)
        self.notify(message, title="No report written", severity="error", timeout=10)

    def _written(self, report: Report, path: Path) -> None:
        said = f"{report.title} ({report.period}) written to {path}"
        self._set_running(False, said)
        self.notify(said, title="Report written", timeout=8)

    def action_back(self) -> None:
        self.dismiss()
