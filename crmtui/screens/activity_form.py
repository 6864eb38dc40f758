"""Log an activity (call, mail, meeting, note...) on a contact, or edit one.

Opened with one key wherever a contact or a deal is in view (a deal's
activity comes with the deal ticked), and with enter on a timeline entry to
edit it. Times are typed in the user's time zone as ``YYYY-MM-DD HH:MM`` and
stored in UTC.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, SelectionList, Static, TextArea

from ..store.models.activities import ACTIVITY_STATUSES, ACTIVITY_TYPES
from ..store.queries.activity_edit import ActivityEdit
from ..store.queries.lookups import Choice, categories, contact_opportunities
from ..widgets.form import FormField, options, selected, text_of
from ..widgets.workers import ReportsWorkerErrors
from .context import UiContext

TIME_FORMAT = "%Y-%m-%d %H:%M"


def parse_local(text: str, tz: tzinfo) -> datetime:
    """``2026-03-14 09:30`` (or just the date) in ``tz``; raises ValueError."""
    text = text.strip()
    for fmt in (TIME_FORMAT, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date and time like 2026-03-14 09:30")


class ActivityForm(ReportsWorkerErrors, ModalScreen[str | None]):
    """Returns the saved activity's id, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("f2", "save", "Save", id="form.save"),
    ]

    def __init__(
        self,
        ctx: UiContext,
        contact_id: str | None,
        contact_name: str,
        *,
        editing: ActivityEdit | None = None,
        deal: Choice | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.contact_id = contact_id
        self.contact_name = contact_name
        self.editing = editing
        # deals ticked from the start: the one it is logged on, or those it has
        self.ticked = editing.opportunities if editing else ((deal,) if deal else ())

    def _local(self, at: datetime | None) -> str:
        return at.astimezone(self.ctx.tz).strftime(TIME_FORMAT) if at else ""

    def compose(self) -> ComposeResult:
        a = self.editing
        now = self._local(self.ctx.now())
        heading = (
            f"Edit activity · {a.contact_name}" if a else f"Log an activity · {self.contact_name}"
        )
        with VerticalScroll(classes="form"):
            yield Static(Text(heading), classes="form-title")
            with Horizontal(classes="form-row"):
                yield FormField(
                    "Type",
                    Select(
                        [(t, t) for t in ACTIVITY_TYPES],
                        value=a.type if a else "call",
                        allow_blank=False,
                        id="type",
                    ),
                )
                yield FormField("Category", Select([], id="category", prompt="(none)"))
                yield FormField(
                    "Status",
                    Select(
                        [(s, s) for s in ACTIVITY_STATUSES],
                        value=a.status if a else "done",
                        allow_blank=False,
                        id="status",
                    ),
                )
                yield FormField(
                    "Outcome",
                    Select(
                        [("success", "success"), ("failure", "failure")],
                        value=a.outcome if a and a.outcome else Select.NULL,
                        id="outcome",
                        prompt="(no goal)",
                    ),
                )
            with Horizontal(classes="form-row"):
                starts = self._local(a.starts_at) if a else now
                yield FormField("Starts", Input(starts, id="starts"), id="f-starts")
                ends = self._local(a.ends_at) if a else ""
                yield FormField(
                    "Ends (optional)", Input(ends, id="ends", placeholder=now), id="f-ends"
                )
            yield FormField("Subject", Input(a.subject if a else "", id="subject"), id="f-subject")
            yield FormField("Details", TextArea(a.details if a else "", id="details"))
            yield FormField(
                "Linked opportunities",
                SelectionList[str](id="opportunities"),
                hint="space ticks one",
            )
            yield Checkbox(
                "Private (only you see it)", value=a.private if a else False, id="private"
            )
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (F2)", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#subject", Input).focus()
        self._load_choices()

    @work(thread=True, exclusive=True, group="form-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        with self.ctx.store.snapshot() as db:
            cats = categories(db, "activity_category")
            deals = contact_opportunities(db, self.contact_id) if self.contact_id else ()
        self.app.call_from_thread(self._fill, cats, deals)

    def _fill(self, cats: tuple[Choice, ...], deals: tuple[Choice, ...]) -> None:
        category = self.query_one("#category", Select)
        category.set_options(options(cats))
        if self.editing and self.editing.category_id:
            category.value = self.editing.category_id
        ticked = {d.id for d in self.ticked}
        offered = [*deals, *(d for d in self.ticked if d not in deals)]
        self.query_one("#opportunities", SelectionList).add_options(
            [(d.name, d.id, d.id in ticked) for d in offered]
        )

    def _parse_time(self, widget_id: str, errors: list[tuple[str, str]]) -> datetime | None:
        raw = text_of(self.query_one(f"#{widget_id}", Input))
        if not raw and widget_id == "ends":
            return None
        try:
            return parse_local(raw, self.ctx.tz)
        except ValueError as exc:
            errors.append((f"f-{widget_id}", str(exc)))
            return None

    def _validate(self) -> dict[str, Any] | None:
        errors: list[tuple[str, str]] = []
        starts, ends = self._parse_time("starts", errors), self._parse_time("ends", errors)
        if starts and ends and ends < starts:
            errors.append(("f-ends", "the end is before the start"))
        subject = text_of(self.query_one("#subject", Input))
        details = self.query_one("#details", TextArea).text.strip()
        if not (subject or details):
            errors.append(("f-subject", "give a subject or some details"))
        for field_id in ("f-starts", "f-ends", "f-subject"):
            self.query_one(f"#{field_id}", FormField).set_error(
                next((m for f, m in errors if f == field_id), None)
            )
        if errors or starts is None:
            return None
        return {
            "type": self.query_one("#type", Select).value,
            "starts_at": starts,
            "ends_at": ends,
            "category_id": selected(self.query_one("#category", Select)),
            "status": self.query_one("#status", Select).value,
            "outcome": selected(self.query_one("#outcome", Select)),
            "subject": subject,
            "details": details,
            "contact_id": self.contact_id,
            "private": self.query_one("#private", Checkbox).value,
            "opportunity_ids": list(self.query_one("#opportunities", SelectionList).selected),
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
            if self.editing is None:
                saved = self.ctx.store.mutate("activity.create", args)
            else:
                del args["contact_id"]  # not shown on the form: it keeps its contact
                update = {"id": self.editing.id, "base_version": self.editing.version, **args}
                saved = self.ctx.store.mutate("activity.update", update)
        except ValueError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, str(saved))

    def _refused(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))
