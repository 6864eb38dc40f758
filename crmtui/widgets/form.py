"""Pieces every form uses: a labelled field with its error line, and choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from ..store.queries.lookups import Choice


class FormField(Vertical):
    """A label, a control and, under it, a line for its error or a hint."""

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0 0 0 0; }
    FormField > .form-field--label { color: $text-muted; }
    FormField > .form-field--note { height: auto; color: $text-muted; }
    FormField > .form-field--note.-empty { display: none; }
    FormField.-invalid > .form-field--note { color: $text-error; }
    FormField.-invalid > Input, FormField.-invalid > Select { background: $error 30%; }
    """

    def __init__(
        self, label: str, control: Widget, *, hint: str = "", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.control = control
        if hasattr(control, "compact"):
            control.compact = True  # one line per field: a form fits 80x24
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="form-field--label")
        yield self.control
        yield Static(Text(self.hint), classes="form-field--note" + ("" if self.hint else " -empty"))

    def _note(self, text: str) -> None:
        note = self.query_one(".form-field--note", Static)
        note.update(Text(text))
        note.set_class(not text, "-empty")  # no blank line under a field with nothing to say

    def set_error(self, message: str | None) -> None:
        """Show ``message`` under the control (None clears it back to the hint)."""
        self.set_class(bool(message), "-invalid")
        self._note(message or self.hint)

    def set_hint(self, hint: str) -> None:
        self.hint = hint
        if not self.has_class("-invalid"):
            self._note(hint)


def options(choices: Iterable[Choice]) -> list[tuple[str, str]]:
    """``Select`` options (prompt, value) from store choices."""
    return [(c.name, c.id) for c in choices]


def selected(select: Select[Any]) -> Any:
    """A Select's value, with "nothing chosen" as None."""
    value = select.value
    return None if value is Select.NULL else value


def text_of(widget: Input) -> str:
    return widget.value.strip()
