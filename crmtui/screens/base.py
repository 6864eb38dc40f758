"""What every main screen shares: its keys from the registry, the status bar
and footer, and running mutations off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen

from ..widgets.keys_footer import KeysFooter
from ..widgets.mode_bar import ModeBar
from ..widgets.status_bar import StatusBar
from ..widgets.workers import ReportsWorkerErrors
from .context import UiContext
from .telephony.panel import TelephonyPanel


class DataChanged(Message):
    """A mutation landed; lists showing its records should read again."""


class CrmScreen(ReportsWorkerErrors, Screen[None]):
    SCOPE = ""  # which commands of the registry are this screen's
    TITLE_TEXT = ""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.store = ctx.store

    def compose(self) -> ComposeResult:
        yield ModeBar()
        yield from self.compose_body()
        yield StatusBar(self.store, self.ctx.tz)
        yield KeysFooter()
        yield TelephonyPanel(self.ctx)  # docked at the right, shown with ctrl+t or a call

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.title = self.TITLE_TEXT

    def show_detail(self, detail: str) -> None:
        """A few words after the screen names: what is shown, how sorted."""
        self.query_one(ModeBar).set_detail(detail)

    def on_screen_resume(self) -> None:
        self.refresh_data()
        self.call_after_refresh(self.query_one(ModeBar).redraw)  # keys may have been remapped

    def refresh_data(self) -> None:
        """Read again what the screen shows (after a change, or coming back)."""

    def on_data_changed(self, event: DataChanged) -> None:
        self.refresh_data()
        self.query_one(StatusBar).reread()

    def action_search(self) -> None:
        """Screens without a search of their own offer the palette instead."""
        self.app.action_command_palette()

    @work(thread=True, group="mutate", exit_on_error=False)
    def mutate(
        self, name: str, args: dict[str, Any], then: Callable[[Any], None] | None = None
    ) -> None:
        """Run a mutation in a worker; a refusal becomes a notification."""
        result = self.store.mutate(name, args)
        self.app.call_from_thread(self._mutated, result, then)

    def _mutated(self, result: Any, then: Callable[[Any], None] | None) -> None:
        if then is not None:
            then(result)
        self.post_message(DataChanged())
