"""The form every settings section uses: fields from a :class:`FormPlan`.

Values are parsed as typed (whole numbers within their bounds, decimals as
``1 234,5`` or ``1234.5``, comma-separated lists); a bad one is shown under
its field and named on the error line. Saving runs the plan's mutations in a
worker; the store's refusal lands under the field it names too.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, TextArea

from ...store import Store
from ...store.money import MoneyError, parse_decimal
from ...widgets.form import FormField
from ...widgets.workers import ReportsWorkerErrors
from .plans import FieldError, FormPlan, Spec, whole

YES_NO = (("yes", True), ("no", False))


class RecordForm(ReportsWorkerErrors, ModalScreen[bool]):
    """Returns True once saved, False when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("f2", "save", "Save", id="form.save"),
    ]

    def __init__(self, store: Store, plan: FormPlan) -> None:
        super().__init__()
        self.store = store
        self.plan = plan
        self.specs = {spec.key: spec for spec in plan.fields}

    def compose(self) -> ComposeResult:
        plan = self.plan
        with VerticalScroll(classes="form settings-form"):
            yield Static(plan.title, classes="form-title")
            if plan.note:
                yield Static(Text(plan.note), classes="settings-form-note")
            for row in self._rows():
                with Horizontal(classes="form-row"):
                    for spec in row:
                        yield FormField(
                            spec.label, self._control(spec), hint=spec.hint, id=f"f-{spec.key}"
                        )
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="form-buttons"):
                variant = "error" if plan.submit == "Delete" else "primary"
                yield Button(f"{plan.submit} (F2)", variant=variant, id="save")
                yield Button("Cancel (Esc)", id="cancel")

    def _rows(self) -> list[list[Spec]]:
        """Two fields to a row (so that a form fits 80x24); a text area has its own."""
        rows: list[list[Spec]] = []
        for spec in self.plan.fields:
            if spec.kind != "lines" and rows and len(rows[-1]) == 1 and rows[-1][0].kind != "lines":
                rows[-1].append(spec)
            else:
                rows.append([spec])
        return rows

    def _control(self, spec: Spec) -> Widget:
        name = f"v-{spec.key}"
        if spec.kind in ("choice", "flag"):
            options = YES_NO if spec.kind == "flag" else spec.options
            known = any(value == spec.value for _, value in options)
            return Select(
                options,
                value=spec.value if known else Select.NULL,
                allow_blank=not (spec.required or spec.kind == "flag"),
                prompt="(none)",
                id=name,
                disabled=spec.locked,
            )
        if spec.kind == "lines":
            return TextArea(str(spec.value), id=name, disabled=spec.locked, soft_wrap=True)
        value = ", ".join(spec.value) if spec.kind == "list" else str(spec.value)
        return Input(value, id=name, disabled=spec.locked)

    def on_mount(self) -> None:
        editable = [w for w in self.query("Input, Select, TextArea") if not w.disabled]
        if editable:
            editable[0].focus()

    # -- parsing ------------------------------------------------------------------

    def _value(self, spec: Spec) -> Any:
        widget = self.query_one(f"#v-{spec.key}")
        if isinstance(widget, Select):
            value = None if widget.value is Select.NULL else widget.value
            if value is None and spec.required:
                raise FieldError(spec.key, "choose one")
            return value
        if isinstance(widget, TextArea):
            text = "\n".join(line.rstrip() for line in widget.text.strip().splitlines())
        else:
            assert isinstance(widget, Input)
            text = widget.value.strip()
        if not text and spec.required:
            raise FieldError(spec.key, "cannot be empty")
        if spec.kind == "whole":
            return whole(text, spec)
        if spec.kind == "decimal":
            if not text:
                return None
            try:
                return parse_decimal(text, field=spec.key)
            except MoneyError:
                raise FieldError(spec.key, f"{text!r} is not a number") from None
        if spec.kind == "list":
            return [part.strip() for part in text.split(",") if part.strip()]
        return text

    def _parse(self) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for spec in self.plan.fields:
            if spec.locked:
                values[spec.key] = spec.value
                continue
            self.query_one(f"#f-{spec.key}", FormField).set_error(None)
            try:
                values[spec.key] = self._value(spec)
            except FieldError as exc:
                errors.append(exc)
        if errors:
            self._show_errors([(e.key, e.message) for e in errors])
            return None
        return values

    def _show_errors(self, errors: list[tuple[str | None, str]]) -> None:
        """Mark each field in error; the error line names them all."""
        lines = []
        for key, message in errors:
            spec = self.specs.get(key) if key else None
            if spec is None:
                lines.append(message)
                continue
            self.query_one(f"#f-{spec.key}", FormField).set_error(message)
            lines.append(f"{spec.label}: {message}")
        self.query_one("#form-error", Static).update(Text("\n".join(lines)))
        first = next((key for key, _ in errors if key in self.specs), None)
        if first is not None:
            self.query_one(f"#v-{first}").focus()

    # -- saving -------------------------------------------------------------------

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        values = self._parse()
        if values is not None:
            self.query_one("#form-error", Static).update("")
            self._save(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)

    @work(thread=True, exclusive=True, group="settings-save", exit_on_error=False)
    def _save(self, values: dict[str, Any]) -> None:
        names: list[str] = []
        try:
            if self.plan.verify is not None:
                self.plan.verify(values)
            batch = self.plan.build(values)
            names = [name for name, _ in batch]
            self.store.mutate_many(batch)
        except FieldError as exc:
            self.app.call_from_thread(self._show_errors, [(exc.key, exc.message)])
        except ValueError as exc:  # MutationError: the store's reason
            self.app.call_from_thread(self._show_errors, self._split(str(exc), names))
        else:
            self.app.call_from_thread(self.dismiss, True)

    def _split(self, message: str, names: list[str]) -> list[tuple[str | None, str]]:
        """A refusal ("stage.update: probability: ...; name: ...") as (field, message)s."""
        for name in names:
            if message.startswith(f"{name}: "):
                message = message[len(name) + 2 :]
                break
        found: list[tuple[str | None, str]] = []
        for part in message.split("; "):
            head, sep, rest = part.partition(": ")
            key = self.plan.aliases.get(head.split(".")[0], head.split(".")[0])
            found.append((key, rest) if sep and key in self.specs else (None, part))
        return found
