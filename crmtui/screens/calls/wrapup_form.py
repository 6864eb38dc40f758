"""The after-call wrap-up: what the call was about, notes, the outcome, and
the person spoken to; saved with ``call.wrapup``.

Opened from the calls list (enter) and by the screen pop when a call ends;
escape skips it. A call just heard by the live listeners may not be in the
store yet when the form opens (the call log writes behind the pop), so the
form can be given the source's key and waits a moment for the call.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static, TextArea

from ...store.queries.calls import CallDetail, call_detail, call_id_by_key, people_to_speak_to
from ...store.queries.lookups import Choice
from ...widgets.form import FormField, options, selected, text_of
from ...widgets.format import duration, phone, when
from ...widgets.workers import ReportsWorkerErrors
from ..context import UiContext

WAIT_FOR_LOG_S = 5.0  # how long a call just heard may take to reach the store


class WrapupForm(ReportsWorkerErrors, ModalScreen[str | None]):
    """Returns the call's id once saved, or None when skipped."""

    BINDINGS = [
        Binding("escape", "cancel", "Skip", id="form.cancel"),
        Binding("f2", "save", "Save", id="form.save"),
    ]

    def __init__(
        self,
        ctx: UiContext,
        call_id: str | None = None,
        *,
        key: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.call_id = call_id
        self.key = key  # (source, source_call_id) of a call heard live
        self.detail: CallDetail | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Static(Text("Call wrap-up"), classes="form-title")
            yield Static(Text("…"), id="call-summary")
            yield FormField("What was it about", Input("", id="description"))
            yield FormField("Extra notes", TextArea("", id="notes"))
            with Horizontal(classes="form-row"):
                yield FormField(
                    "Outcome",
                    Select(
                        [("success", "success"), ("failure", "failure")],
                        id="outcome",
                        prompt="(no goal)",
                    ),
                )
                yield FormField(
                    "Person spoken to", Select([], id="person", prompt="(nobody named)")
                )
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save (F2)", variant="primary", id="save", disabled=True)
                yield Button("Skip (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#description", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="wrapup-load", exit_on_error=False)
    def _load(self) -> None:
        call_id = self.call_id or self._wait_for_call()
        detail, people = None, []
        if call_id:
            with self.ctx.store.read() as session:
                detail = call_detail(session, call_id)
                if detail is not None:
                    people = people_to_speak_to(session, detail.row.contact_id)
        self.app.call_from_thread(self._fill, detail, people)

    def _wait_for_call(self) -> str | None:
        if self.key is None:
            return None
        deadline = time.monotonic() + WAIT_FOR_LOG_S
        while True:
            with self.ctx.store.read() as session:
                found = call_id_by_key(session, *self.key)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def _fill(self, detail: CallDetail | None, people: list[Choice]) -> None:
        if detail is None:
            self._refused("this call is not in the store (yet); try again from the calls list")
            return
        self.detail = detail
        self.query_one("#call-summary", Static).update(self._summary(detail))
        self.query_one("#description", Input).value = detail.wrapup_description
        self.query_one("#notes", TextArea).text = detail.wrapup_notes
        if detail.wrapup_outcome:
            self.query_one("#outcome", Select).value = detail.wrapup_outcome
        person = self.query_one("#person", Select)
        person.set_options(options(people))
        if detail.wrapup_person_id in {p.id for p in people}:
            person.value = detail.wrapup_person_id
        self.query_one("#save", Button).disabled = False

    def _summary(self, detail: CallDetail) -> Text:
        row, ctx = detail.row, self.ctx
        number = phone(row.remote_raw, row.remote_e164, ctx.region) or "withheld"
        who = row.contact_name or row.remote_name or "unknown caller"
        text = Text(f"{who} · {number}\n", style="bold")
        parts = [row.direction, row.status, when(row.started_at, ctx.tz), duration(row.duration_s)]
        if row.agent_name:
            parts.append(row.agent_name)
        text.append(" · ".join(parts))
        return text

    def _args(self) -> dict[str, Any] | None:
        if self.detail is None:
            return None
        return {
            "id": self.detail.row.id,
            "description": text_of(self.query_one("#description", Input)),
            "notes": self.query_one("#notes", TextArea).text.strip(),
            "outcome": selected(self.query_one("#outcome", Select)),
            "person_id": selected(self.query_one("#person", Select)),
        }

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        args = self._args()
        if args is not None:
            self._save(args)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @work(thread=True, exclusive=True, group="wrapup-save", exit_on_error=False)
    def _save(self, args: dict[str, Any]) -> None:
        try:
            saved = self.ctx.store.mutate("call.wrapup", args)
        except ValueError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, str(saved))

    def _refused(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message))
