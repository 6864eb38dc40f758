"""The line above the footer: which store, who, and how sync is doing."""

from __future__ import annotations

from datetime import datetime, tzinfo

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
        with self.store.snapshot() as db:
            status = sync_status(db)
        self.app.call_from_thread(self._show, status)

    def _show(self, status: SyncStatus) -> None:
        self.tooltip = str(self.store.path)
        self.update(
            Text(f"{self.store.path.name} · {status.user} · {describe_sync(status, self.tz)}")
        )


def describe_sync(status: SyncStatus, tz: tzinfo | None) -> str:
    pending = f"{status.pending} pending" if status.pending else "nothing pending"
    # An outage or an error is told even before the first success has recorded the server.
    if status.offline_since:
        return f"offline since {_short(status.offline_since, tz)} · {pending}"
    if status.last_error:
        last = _short(status.last_success_at, tz) if status.last_success_at else "never"
        error = status.last_error if len(status.last_error) <= 60 else status.last_error[:59] + "…"
        return f"sync failed: {error} (last success {last}) · {pending}"
    if not status.server_url:
        return f"sync: no server set · {pending}"
    if status.last_success_at:
        return f"synced {_short(status.last_success_at, tz)} · {pending}"
    return f"never synced · {pending}"


def _short(value: datetime, tz: tzinfo | None) -> str:
    """``10:42`` today, the date and time otherwise."""
    local = value.astimezone(tz)
    return f"{local:%H:%M}" if local.date() == datetime.now(tz).date() else when(value, tz)
