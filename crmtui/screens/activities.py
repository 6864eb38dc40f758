"""The history: every activity, newest first, filtered by type, status, dates
(typed as ``YYYY-MM-DD`` in the user's time zone, the end day included) and
user. Enter opens the activity's contact."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from .. import commands
from ..store.models.activities import ACTIVITY_STATUSES, ACTIVITY_TYPES
from ..store.queries.activities import ActivityFilter, ActivityRow, activities
from ..store.queries.lookups import Choices, choices
from ..widgets.columns import Column
from ..widgets.form import options, selected
from ..widgets.format import when
from ..widgets.virtual_list import VirtualList
from .confirm import Confirm
from .contact_actions import ContactActions
from .contact_screen import ContactScreen
from .context import UiContext


def activity_columns(ctx: UiContext) -> list[Column[ActivityRow]]:
    return [
        Column("When", 16, lambda r: when(r.starts_at, ctx.tz)),
        Column("Type", 8, lambda r: r.type),
        Column("Subject", 20, lambda r: ("🔒 " if r.private else "") + r.subject, grow=3),
        Column("Contact", 14, lambda r: r.contact, grow=2),
        Column("Status", 9, lambda r: r.status),
        Column("Outcome", 8, lambda r: r.outcome),
        Column("User", 10, lambda r: r.owner),
    ]


class ActivitiesScreen(ContactActions):
    SCOPE = "activities"
    TITLE_TEXT = "Activities"
    BINDINGS = commands.bindings("activities")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.filters = ActivityFilter()

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Static("All activities, newest first", id="summary", classes="toolbar-title")
            yield Static("", id="count", classes="toolbar-info")
        with Horizontal(id="filters", classes="filters -hidden"):
            yield Select(
                [(t, t) for t in ACTIVITY_TYPES], prompt="any type", compact=True, id="f-type"
            )
            yield Select(
                [(s, s) for s in ACTIVITY_STATUSES],
                prompt="any status",
                compact=True,
                id="f-status",
            )
            yield Input(placeholder="from YYYY-MM-DD", id="f-since", classes="date", compact=True)
            yield Input(placeholder="to YYYY-MM-DD", id="f-until", classes="date", compact=True)
            yield Select([], prompt="any user", compact=True, id="f-user")
        yield VirtualList(self.store, activity_columns(self.ctx), id="list")

    @property
    def list(self) -> VirtualList[ActivityRow]:
        return self.query_one("#list", VirtualList)

    def on_mount(self) -> None:
        super().on_mount()
        self.list.focus()
        self._load_choices()

    def refresh_data(self) -> None:
        if self.list.listing is None:
            self.list.show(activities(self.filters))
        else:
            self.list.reload()

    @work(thread=True, exclusive=True, group="activity-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.store.snapshot() as db:
            found = choices(db)
        self.app.call_from_thread(self._fill, found)

    def _fill(self, found: Choices) -> None:
        self.query_one("#f-user", Select).set_options(options(found.users))

    def action_toggle_filters(self) -> None:
        bar = self.query_one("#filters")
        bar.toggle_class("-hidden")
        if not bar.has_class("-hidden"):
            self.query_one("#f-type", Select).focus()

    def action_search(self) -> None:
        self.query_one("#filters").remove_class("-hidden")
        self.query_one("#f-type", Select).focus()

    def _day(self, widget_id: str, extra_days: int = 0) -> datetime | None:
        field = self.query_one(widget_id, Input)
        raw = field.value.strip()
        field.set_class(False, "-invalid")
        if not raw:
            return None
        try:
            day = date.fromisoformat(raw) + timedelta(days=extra_days)
        except ValueError:
            field.set_class(True, "-invalid")
            self.notify(f"{raw!r} is not a date like 2026-03-14", severity="warning")
            return None
        return datetime.combine(day, time(), self.ctx.tz)

    @on(Select.Changed, "#filters Select")
    @on(Input.Submitted, "#filters Input")
    def _filter(self) -> None:
        chosen = ActivityFilter(
            type=selected(self.query_one("#f-type", Select)),
            status=selected(self.query_one("#f-status", Select)),
            since=self._day("#f-since"),
            until=self._day("#f-until", extra_days=1),
            user_id=selected(self.query_one("#f-user", Select)),
        )
        if chosen != self.filters:
            self.filters = chosen
            self.list.show(activities(chosen))

    @on(VirtualList.Counted)
    def _counted(self, event: VirtualList.Counted) -> None:
        noun = "activity" if event.total == 1 else "activities"
        self.query_one("#count", Static).update(Text(f"{event.total:,} {noun}"))

    @on(VirtualList.Selected)
    def _open(self, event: VirtualList.Selected) -> None:
        if event.row.contact_id:
            self.app.push_screen(ContactScreen(self.ctx, event.row.contact_id))

    def contact_in_view(self) -> tuple[str, str] | None:
        row = self.list.current
        return (row.contact_id, row.contact) if row and row.contact_id else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return True if self.list.current else None
        return super().check_action(action, parameters)

    def action_delete(self) -> None:
        """Here ``d`` deletes the highlighted activity, not its contact."""
        row = self.list.current
        if row is not None:
            self.app.push_screen(
                Confirm(f"Delete the activity {row.subject!r}?"),
                lambda yes: self.mutate("activity.delete", {"id": row.id}) if yes else None,
            )
