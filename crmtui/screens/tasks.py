"""The to-do list in five lists: overdue, today, this week, later, closed.

Left/right (or h/l) move between the lists; ``x`` closes the highlighted task
or reopens a closed one. "Today" and "this week" follow the user's calendar,
recomputed each time the screen reads its lists.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Tab, Tabs

from .. import commands
from ..store.queries.tasks import BUCKETS, Bounds, TaskRow, bucket_counts, tasks
from ..widgets.columns import Column
from ..widgets.format import when
from ..widgets.virtual_list import VirtualList
from .confirm import Confirm
from .contact_actions import ContactActions
from .contact_screen import ContactScreen
from .context import UiContext
from .task_form import TaskForm

LABELS = {
    "overdue": "Overdue",
    "today": "Today",
    "week": "This week",
    "later": "Later",
    "closed": "Closed",
}
REMINDER_NAMES = {
    None: "never",
    5: "5 min",
    15: "15 min",
    30: "30 min",
    60: "1 h",
    120: "2 h",
    1440: "1 day",
}


def task_columns(ctx: UiContext) -> list[Column[TaskRow]]:
    return [
        Column("Due", 16, lambda r: when(r.due_at, ctx.tz) or "no date"),
        Column("Title", 20, lambda r: ("✓ " if r.closed_at else "") + r.title, grow=3),
        Column("Contact", 14, lambda r: r.contact, grow=2),
        Column("Opportunity", 12, lambda r: r.opportunity, grow=1),
        Column("Reminder", 8, lambda r: REMINDER_NAMES.get(r.reminder_minutes, "")),
        Column("Responsible", 11, lambda r: r.responsible),
    ]


class TasksScreen(ContactActions):
    SCOPE = "tasks"
    TITLE_TEXT = "Tasks"
    BINDINGS = commands.bindings("tasks")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.bucket = "today"

    def compose_body(self) -> ComposeResult:
        yield Tabs(*[Tab(LABELS[b], id=b) for b in BUCKETS], active=self.bucket, id="buckets")
        yield VirtualList(self.store, task_columns(self.ctx), id="list")

    @property
    def list(self) -> VirtualList[TaskRow]:
        return self.query_one("#list", VirtualList)

    def on_mount(self) -> None:
        super().on_mount()
        self.list.focus()

    def refresh_data(self) -> None:
        bounds = Bounds.at(self.ctx.now(), self.ctx.tz)
        keep = self.list.listing is not None
        self.list.show(tasks(self.bucket, bounds), keep_cursor=keep)
        self._read_counts(bounds)

    @work(thread=True, exclusive=True, group="task-counts", exit_on_error=False)
    def _read_counts(self, bounds: Bounds) -> None:
        with self.store.snapshot() as db:
            counts = bucket_counts(db, bounds)
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        tabs = self.query_one(Tabs)
        for bucket, count in counts.items():
            tabs.query_one(f"#{bucket}", Tab).label = Text(f"{LABELS[bucket]} ({count:,})")

    @on(Tabs.TabActivated)
    def _switched(self, event: Tabs.TabActivated) -> None:
        if event.tab.id and event.tab.id != self.bucket:
            self.bucket = event.tab.id
            self.list.show(tasks(self.bucket, Bounds.at(self.ctx.now(), self.ctx.tz)))
            self.list.focus()

    def action_next_list(self, step: int) -> None:
        index = (BUCKETS.index(self.bucket) + step) % len(BUCKETS)
        self.query_one(Tabs).active = BUCKETS[index]

    @on(VirtualList.Selected)
    def _open(self, event: VirtualList.Selected) -> None:
        if event.row.contact_id:
            self.app.push_screen(ContactScreen(self.ctx, event.row.contact_id))

    def contact_in_view(self) -> tuple[str, str] | None:
        row = self.list.current
        return (row.contact_id, row.contact) if row and row.contact_id else None

    def contacts_for_task(self) -> list[tuple[str, str]]:
        return []  # a task made from the to-do list starts unlinked

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"toggle_closed", "edit", "delete"}:
            return True if self.list.current else None
        return super().check_action(action, parameters)

    def action_toggle_closed(self) -> None:
        row = self.list.current
        if row is not None:
            verb = "task.reopen" if row.closed_at else "task.close"
            args = {"id": row.id} if row.closed_at else {"id": row.id, "at": self.ctx.now()}
            done = "Reopened" if row.closed_at else "Closed"
            self.mutate(verb, args, then=lambda _: self.notify(f"{done}: {row.title}"))

    def action_edit(self) -> None:
        row = self.list.current
        if row is not None:
            contacts = [row.contact_id] if row.contact_id else []
            self.app.push_screen(
                TaskForm(self.ctx, contacts, row.contact, editing=row), self._tasks_made
            )

    def action_delete(self) -> None:
        row = self.list.current
        if row is not None:
            self.app.push_screen(
                Confirm(f"Delete the task {row.title!r}?"),
                lambda yes: self.mutate("task.delete", {"id": row.id}) if yes else None,
            )
