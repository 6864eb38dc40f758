"""The line above the footer: which store, who, and how sync is doing."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual import work
from textual.widgets import Static

from ..store import Store
from ..store.queries.lookups import SyncStatus, sync_status
from .format import when
from .workers import ReportsWorkerErrors

REFRESH_SECONDS = 3.0


class StatusBar(ReportsWorkerErrors, Static):
    """Reads the sync state and the outbox in a worker, every few seconds
    while its screen is the one shown, and whenever :meth:`reread` is called."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, store: Store, tz: tzinfo | None) -> None:
        super().__init__(Text(f"{store.path.name} · reading…"))
        self.store = store
        self.tz = tz

    def on_mount(self) -> None:
        self.reread()
        self.set_interval(REFRESH_SECONDS, self._on_timer)

    def _on_timer(self) -> None:
        if self.screen.is_current:
            self.reread()

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def reread(self) -> None:
        with self.store.read() as session:
            status = sync_status(session)
        self.app.call_from_thread(self._show, status)

    def _show(self, status: SyncStatus) -> None:
        self.tooltip = str(self.store.path)
        self.update(
            Text(f"{self.store.path.name} · {status.user} · {describe_sync(status, self.tz)}")
        )


def describe_sync(status: SyncStatus, tz: tzinfo | None) -> str:
    pending = f"{status.pending} pending" if status.pending else "nothing pending"
    if not status.server_url:
        return f"sync: no server set · {pending}"
    if status.last_error:
        return f"sync failed: {status.last_error} · {pending}"
    if status.last_success_at:
        return f"synced {when(status.last_success_at, tz)} · {pending}"
    return f"never synced · {pending}"
