"""The top line: the main screens with their keys, the current one lit, and
the screen's title. Keys are read from the active bindings, so a remapped key
shows as the user set it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# (binding id, label) of the main screens, in key order.
MODES = (
    ("app.contacts", "Contacts"),
    ("app.activities", "Activities"),
    ("app.tasks", "Tasks"),
    ("app.opportunities", "Deals"),
    ("app.invoices", "Invoices"),
    ("app.calls", "Calls"),
)


class ModeBar(Static):
    DEFAULT_CSS = """
    ModeBar { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.detail = ""
        self.keys: dict[str | None, str] = {}

    def on_mount(self) -> None:
        self.current = f"app.{self.app.current_mode}"  # the main screen this bar sits in
        self.call_after_refresh(self.redraw)

    def set_detail(self, detail: str) -> None:
        if detail != self.detail:
            self.detail = detail
            self.redraw()

    def redraw(self) -> None:
        # While a text field has focus the digit keys type digits and drop out of
        # the active bindings, so keep the keys seen before.
        self.keys.update(
            (b.binding.id, self.app.get_key_display(b.binding))
            for b in self.screen.active_bindings.values()
        )
        keys = self.keys
        line = Text(no_wrap=True, overflow="ellipsis")
        for binding_id, label in MODES:
            style = "reverse bold" if binding_id == self.current else ""
            line.append(f" {keys.get(binding_id, '')} ", style="bold")
            line.append(f"{label} ", style=style)
        if self.detail:
            line.append(f"  {self.detail}", style="italic")
        self.update(line, layout=False)  # one line across the screen: its size never changes
