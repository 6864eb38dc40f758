"""The Sync screen: what is waiting, what the server refused, and the conflicts.

Three tables, newest first except the outbox (in the order it will be
pushed): the conflict log (field, my value, the value that won, and who set
it), refused changes with the server's reason, and pending changes. ``r``
writes my value of the highlighted conflict again (through
``sync.review.reapply_conflict``, a new change based on the current
version), ``x`` dismisses it, ``s`` syncs at once. The screen reads again
after every sync cycle.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from ... import commands
from ...store.mutations import MutationError
from ...store.queries.lookups import sync_status
from ...sync import review
from ...sync.overview import Change, Conflict, Overview, overview
from ...widgets.format import when
from ...widgets.status_bar import describe_sync
from ..base import CrmScreen, DataChanged
from ..context import UiContext
from .desk import SyncDesk

CONFLICT_COLUMNS = ("When", "Record", "Field", "Mine", "Theirs (won)", "By")
REFUSED_COLUMNS = ("When", "Change", "Record", "Reason")
OUTBOX_COLUMNS = ("#", "Queued", "Change", "Record", "Fields")


class SyncScreen(CrmScreen):
    SCOPE = "sync"
    TITLE_TEXT = "Sync"
    BINDINGS = commands.bindings("sync")

    def __init__(self, ctx: UiContext, desk: SyncDesk) -> None:
        super().__init__(ctx)
        self.desk = desk
        self.shown = Overview((), (), ())

    def compose_body(self) -> ComposeResult:
        yield Static("…", id="sync-summary")
        yield Static("Conflicts", id="conflicts-title", classes="section-title")
        yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Static("Refused changes", id="refused-title", classes="section-title")
        yield DataTable(id="refused", cursor_type="row", zebra_stripes=True)
        yield Static("Outbox", id="outbox-title", classes="section-title")
        yield DataTable(id="outbox", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        for table_id, columns in (
            ("#conflicts", CONFLICT_COLUMNS),
            ("#refused", REFUSED_COLUMNS),
            ("#outbox", OUTBOX_COLUMNS),
        ):
            self.query_one(table_id, DataTable).add_columns(*columns)
        self.desk.changed.subscribe(self, lambda _desk: self.refresh_data())
        self.query_one("#conflicts", DataTable).focus()
        self.show_detail("what waits, what was refused, what conflicted")
        self.refresh_data()

    def refresh_data(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="sync-screen", exit_on_error=False)
    def _read(self) -> None:
        found = overview(self.store)
        with self.store.snapshot() as db:
            status = sync_status(db)
        where = (
            f"server {self.desk.server}"
            if self.desk.server
            else "crmtui sync --server URL --token T sets one"
        )
        summary = f"{describe_sync(status, self.ctx.tz)} · {where}"
        self.app.call_from_thread(self._show, found, summary)

    def _show(self, found: Overview, summary: str) -> None:
        self.shown = found
        self.query_one("#sync-summary", Static).update(summary)
        self._fill("conflicts", [self._conflict_row(c) for c in found.conflicts])
        self._fill("refused", [self._refused_row(c) for c in found.rejected])
        self._fill("outbox", [self._outbox_row(c) for c in found.outbox])
        counts = (
            ("conflicts", f"Conflicts · {len(found.conflicts)} to review"),
            ("refused", f"Refused changes · {len(found.rejected)}"),
            ("outbox", f"Outbox · {len(found.outbox)} pending"),
        )
        for name, title in counts:
            self.query_one(f"#{name}-title", Static).update(title)
        self.refresh_bindings()

    def _fill(self, name: str, rows: list[tuple[str, ...]]) -> None:
        table = self.query_one(f"#{name}", DataTable)
        row = table.cursor_row
        table.clear()
        table.add_rows(rows)
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))

    def _conflict_row(self, c: Conflict) -> tuple[str, ...]:
        return (when(c.at, self.ctx.tz), c.record, c.field, c.mine, c.theirs, c.by_user)

    def _refused_row(self, c: Change) -> tuple[str, ...]:
        return (when(c.at, self.ctx.tz), c.name, c.record, c.reason)

    def _outbox_row(self, c: Change) -> tuple[str, ...]:
        return (str(c.mutation_id), when(c.at, self.ctx.tz), c.name, c.record, c.fields)

    # -- keys ---------------------------------------------------------------------------

    def _conflict(self) -> Conflict | None:
        table = self.query_one("#conflicts", DataTable)
        conflicts = self.shown.conflicts
        return conflicts[table.cursor_row] if 0 <= table.cursor_row < len(conflicts) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"reapply", "dismiss"} and self._conflict() is None:
            return None  # greyed out: no conflict to act on
        if action == "sync_now" and not self.desk.running:
            return None
        return True

    def action_reapply(self) -> None:
        conflict = self._conflict()
        if conflict is not None:
            self._resolve(conflict.seq, reapply=True)

    def action_dismiss(self) -> None:
        conflict = self._conflict()
        if conflict is not None:
            self._resolve(conflict.seq, reapply=False)

    @work(thread=True, group="sync-resolve", exit_on_error=False)
    def _resolve(self, seq: int, *, reapply: bool) -> None:
        try:
            if reapply:
                review.reapply_conflict(self.store, seq)
            else:
                review.dismiss_conflict(self.store, seq)
        except MutationError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._resolved, reapply)

    def _resolved(self, reapplied: bool) -> None:
        self.notify("My value is written again" if reapplied else "Conflict dismissed")
        self.post_message(DataChanged())  # reads the screen again, and the app syncs

    def action_sync_now(self) -> None:
        self.notify("Syncing…")
        self.desk.sync_now()

    def action_back(self) -> None:
        self.dismiss()
