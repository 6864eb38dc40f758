"""Create a contact from a call's number (``call.create_contact``).

The names start from the caller ID the phone system gave; left empty, the
contact is named after its number, which can be edited later. The call, and
every other unmatched call of the same number, is linked to the new contact.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from ...widgets.form import FormField, text_of


def split_name(caller_id: str) -> tuple[str, str]:
    """``Alice Martin`` -> (``Alice``, ``Martin``); one word is a last name."""
    words = caller_id.split()
    if len(words) < 2:
        return "", caller_id.strip()
    return words[0], " ".join(words[1:])


def new_caller_args(call_id: str, caller_id: str) -> dict[str, Any]:
    """``call.create_contact`` for a person named after the caller ID."""
    first, last = split_name(caller_id)
    return {"call_id": call_id, "kind": "person", "first_name": first, "last_name": last}


class CallerForm(ModalScreen[dict[str, Any] | None]):
    """Returns the arguments of ``call.create_contact``, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("f2", "save", "Create", id="form.save"),
    ]

    def __init__(self, call_id: str, number: str, caller_id: str) -> None:
        super().__init__()
        self.call_id = call_id
        self.number = number
        self.caller_id = caller_id

    def compose(self) -> ComposeResult:
        first, last = split_name(self.caller_id)
        with VerticalScroll(classes="form"):
            yield Static(Text(f"New contact from {self.number}"), classes="form-title")
            yield FormField(
                "Kind",
                Select(
                    [("person", "person"), ("company", "company")],
                    value="person",
                    allow_blank=False,
                    id="kind",
                ),
            )
            with Horizontal(classes="form-row", id="person-names"):
                yield FormField("First name", Input(first, id="first"))
                yield FormField("Last name", Input(last, id="last"))
            yield FormField("Company name", Input(self.caller_id, id="company"), id="company-name")
            yield Static(
                Text("Left empty, the contact is named after the number."), classes="form-hint"
            )
            with Horizontal(classes="form-buttons"):
                yield Button("Create (F2)", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self._show_kind("person")
        self.query_one("#first", Input).focus()

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._show_kind(str(event.value))

    def _show_kind(self, kind: str) -> None:
        self.query_one("#person-names").display = kind == "person"
        self.query_one("#company-name").display = kind == "company"

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        kind = str(self.query_one("#kind", Select).value)
        args: dict[str, Any] = {"call_id": self.call_id, "kind": kind}
        if kind == "company":
            args["company_name"] = text_of(self.query_one("#company", Input))
        else:
            args["first_name"] = text_of(self.query_one("#first", Input))
            args["last_name"] = text_of(self.query_one("#last", Input))
        self.dismiss(args)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
