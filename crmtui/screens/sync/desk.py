"""Sync inside the TUI: the background loop, and what the screens see of it.

When the config file's ``[sync]`` table names a server and a token (written
by ``crmtui sync --server URL --token T``), the app starts a ``SyncLoop``:
a cycle at start, every ``interval`` seconds (default 60), after each local
write (the app pokes it on ``DataChanged``), and when the server's long-poll
says something changed. Without a server nothing runs.

The loop works on its own threads; each outcome is handed to the UI loop
with ``call_soon_threadsafe`` (never blocking the sync thread on the UI),
where the status bar is read again, the screen in front reloads if records
arrived, refusals and conflicts are mentioned, notifications about followed
records pop up, and ``changed`` is published for the Sync screen.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.signal import Signal

from ...config import ConfigError, load_config
from ...store.models import SyncNotification
from ...sync import review
from ...sync.client import Client
from ...sync.cycle import Outcome
from ...sync.loop import SyncLoop
from ...widgets.status_bar import StatusBar
from ..base import CrmScreen
from ..context import UiContext

if TYPE_CHECKING:
    from textual.app import App

INTERVAL = 60.0
SHOWN_AT_ONCE = 3  # notifications popped up after one cycle; the rest are counted


class SyncDesk:
    def __init__(self, app: App[Any], ctx: UiContext, config_file: Path) -> None:
        self.app = app
        self.store = ctx.store
        self.config_file = config_file
        self.changed: Signal[SyncDesk] = Signal(app, "sync")
        self.server: str | None = None
        self.last: Outcome | None = None
        self._loop: SyncLoop | None = None
        self._client: Client | None = None
        self._ui: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self._notified = 0  # the newest notification already popped up

    @property
    def running(self) -> bool:
        return self._loop is not None

    # -- starting and stopping (the app calls these) ----------------------------------

    def start(self) -> None:
        self._ui = asyncio.get_running_loop()
        self.app.run_worker(
            self._start, thread=True, group="sync-start", exclusive=True, exit_on_error=False
        )

    def _start(self) -> None:
        try:
            section = load_config(self.config_file).get("sync", {})
        except ConfigError:
            return  # the app already says the config file is unusable
        server, token = section.get("server"), section.get("token")
        if not server or not token:
            return
        shown = review.notifications(self.store, limit=1)
        self._notified = shown[0].seq if shown else 0  # earlier ones were seen in earlier runs
        client = Client(str(server), str(token))
        loop = SyncLoop(
            self.store,
            client,
            interval=float(section.get("interval", INTERVAL)),
            on_cycle=self._cycled,
        )
        with self._lock:
            if self._stopped:
                client.close()
                return
            self.server, self._client, self._loop = str(server), client, loop
            loop.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()

    def poke(self) -> None:
        """A local write landed: push it soon."""
        if self._loop is not None:
            self._loop.poke()

    def sync_now(self) -> None:
        if self._loop is not None:
            self._loop.sync_now()

    # -- each cycle -------------------------------------------------------------------

    def _cycled(self, outcome: Outcome) -> None:
        """On the loop's thread: read what is new to tell, then hand it to the UI."""
        fresh: list[SyncNotification] = []
        if outcome.notifications:
            unread = review.notifications(self.store, unread_only=True, limit=50)
            fresh = [n for n in unread if n.seq > self._notified]
            self._notified = max([self._notified, *(n.seq for n in fresh)])
        ui = self._ui
        if ui is not None and not ui.is_closed():
            ui.call_soon_threadsafe(self._show, outcome, fresh)

    def _show(self, outcome: Outcome, fresh: list[SyncNotification]) -> None:
        if not self.app.is_running:
            return
        self.last = outcome
        screen = self.app.screen
        for bar in screen.query(StatusBar):
            bar.reread()
        if isinstance(screen, CrmScreen) and (outcome.received or outcome.deleted):
            screen.refresh_data()
        if outcome.rejected:
            n = len(outcome.rejected)
            self.app.notify(
                f"the server refused {n} change{'s' if n > 1 else ''}; 7 shows why",
                title="Sync",
                severity="warning",
            )
        if outcome.conflicts:
            self.app.notify(
                f"{outcome.conflicts} conflict(s) to review on the Sync screen (7)", title="Sync"
            )
        for note in fresh[:SHOWN_AT_ONCE]:
            self.app.notify(note.summary, title="Followed", timeout=10)
        if len(fresh) > SHOWN_AT_ONCE:
            self.app.notify(
                f"and {len(fresh) - SHOWN_AT_ONCE} more; 8 lists them", title="Followed"
            )
        self.changed.publish(self)
