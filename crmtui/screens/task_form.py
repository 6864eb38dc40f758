"""Create a task (for one contact, several marked contacts, or none; on a deal
when opened from one), or edit one.

Due dates are picked quickly (today, in 3 days, in a week) or typed; the time
of day defaults to 17:00 in the user's time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from ..store.queries.lookups import Choice, Choices, choices, contact_opportunities
from ..store.queries.tasks import TaskRow
from ..widgets.form import FormField, options, selected, text_of
from ..widgets.workers import ReportsWorkerErrors
from .context import UiContext

DUE = [("Today", 0), ("In 3 days", 3), ("In a week", 7), ("On a date…", -1), ("No due date", -2)]
REMINDERS = [
    ("Never", 0),
    ("5 min before", 5),
    ("15 min before", 15),
    ("30 min before", 30),
    ("1 h before", 60),
    ("2 h before", 120),
    ("1 day before", 1440),
]


class TaskForm(ReportsWorkerErrors, ModalScreen[int | None]):
    """Returns how many tasks were saved, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("f2", "save", "Save", id="form.save"),
    ]

    def __init__(
        self,
        ctx: UiContext,
        contact_ids: list[str],
        about: str = "",
        editing: TaskRow | None = None,
        deal: Choice | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.contact_ids = contact_ids
        self.about = about
        self.editing = editing
        self.deal = deal  # the opportunity the task is on, chosen from the start

    def compose(self) -> ComposeResult:
        t = self.editing
        local_due = t.due_at.astimezone(self.ctx.tz) if t and t.due_at else None
        heading = f"Edit task · {t.title}" if t else f"New task · {self.about or 'no contact'}"
        with VerticalScroll(classes="form"):
            yield Static(Text(heading), classes="form-title")
            yield FormField("Title", Input(t.title if t else "", id="title"), id="f-title")
            with Horizontal(classes="form-row"):
                yield FormField(
                    "Due", Select(DUE, value=-1 if local_due else 0, allow_blank=False, id="due")
                )
                yield FormField(
                    "Date",
                    Input(
                        local_due.date().isoformat() if local_due else "",
                        id="date",
                        placeholder="2026-03-14",
                    ),
                    id="f-date",
                )
                yield FormField(
                    "Time",
                    Input(local_due.strftime("%H:%M") if local_due else "17:00", id="time"),
                    id="f-time",
                )
            with Horizontal(classes="form-row"):
                reminder = (t.reminder_minutes or 0) if t else 1440
                yield FormField(
                    "Reminder", Select(REMINDERS, value=reminder, allow_blank=False, id="reminder")
                )
                yield FormField("Responsible", Select([], id="responsible", prompt="(me)"))
                yield FormField("Category", Select([], id="category", prompt="(none)"))
            yield FormField(
                "Opportunity",
                Select([], id="opportunity", prompt="(none)"),
                hint="" if len(self.contact_ids) == 1 else "for one contact only",
            )
            yield FormField("Description", Input(t.description if t else "", id="description"))
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (F2)", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        self._load_choices()

    @work(thread=True, exclusive=True, group="form-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        one = self.contact_ids[0] if len(self.contact_ids) == 1 else None
        with self.ctx.store.snapshot() as db:
            found = choices(db)
            deals = contact_opportunities(db, one) if one else ()
        self.app.call_from_thread(self._fill, found, deals)

    def _fill(self, found: Choices, deals: tuple[Choice, ...]) -> None:
        self.query_one("#responsible", Select).set_options(options(found.users))
        self.query_one("#category", Select).set_options(options(found.task_categories))
        deal = self.query_one("#opportunity", Select)
        deal.set_options(
            options(deals if self.deal is None or self.deal in deals else (*deals, self.deal))
        )
        if self.deal is not None:
            deal.value = self.deal.id

    def _due(self, errors: list[tuple[str, str]]) -> datetime | None:
        choice = self.query_one("#due", Select).value
        if choice == -2:
            return None
        try:
            at = time.fromisoformat(text_of(self.query_one("#time", Input)) or "17:00")
        except ValueError:
            errors.append(("f-time", "a time like 17:00"))
            return None
        today = self.ctx.now().astimezone(self.ctx.tz).date()
        if choice != -1:
            return datetime.combine(today + timedelta(days=int(choice)), at, self.ctx.tz)
        try:
            day = date.fromisoformat(text_of(self.query_one("#date", Input)))
        except ValueError:
            errors.append(("f-date", "a date like 2026-03-14"))
            return None
        return datetime.combine(day, at, self.ctx.tz)

    def _validate(self) -> dict[str, Any] | None:
        errors: list[tuple[str, str]] = []
        title = text_of(self.query_one("#title", Input))
        if not title:
            errors.append(("f-title", "a task needs a title"))
        due = self._due(errors)
        for field_id in ("f-title", "f-date", "f-time"):
            self.query_one(f"#{field_id}", FormField).set_error(
                next((m for f, m in errors if f == field_id), None)
            )
        if errors:
            return None
        return {
            "title": title,
            "due_at": due,
            "reminder_minutes": self.query_one("#reminder", Select).value or None,
            "responsible_id": selected(self.query_one("#responsible", Select)),
            "category_id": selected(self.query_one("#category", Select)),
            "opportunity_id": selected(self.query_one("#opportunity", Select)),
            "description": text_of(self.query_one("#description", Input)),
        }

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        args = self._validate()
        if args is not None:
            self._save(args)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, args: dict[str, Any]) -> None:
        try:
            saved = self._store_write(args)
        except ValueError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, saved)

    def _store_write(self, args: dict[str, Any]) -> int:
        store = self.ctx.store
        if self.editing is not None:
            if self.editing.opportunity and args["opportunity_id"] is None:
                del args["opportunity_id"]  # not offered here: keep the one it has
            store.mutate("task.update", {"id": self.editing.id, **args})
            return 1
        if len(self.contact_ids) > 1:
            made = store.mutate(
                "task.create_for_contacts", {"contact_ids": self.contact_ids, **args}
            )
            return len(made)
        store.mutate("task.create", {"contact_id": next(iter(self.contact_ids), None), **args})
        return 1

    def _refused(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))
