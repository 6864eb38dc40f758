"""Notifications: what others did to the contacts and deals I follow, newest first.

They arrive with sync (the server writes one for each follower when someone
else changes a followed record, deletes it, or logs an activity, a call or a
task on it). Enter opens the record and marks it read; ``r`` marks the
highlighted one read, ``R`` all of them.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable

from .. import commands
from ..store.models import SyncNotification
from ..sync import review
from ..widgets.format import when
from .base import CrmScreen
from .contact_screen import ContactScreen
from .opportunities.deal_screen import DealScreen

COLUMNS = ("", "When", "About", "What happened")
KINDS = {"contact": "contact", "opportunity": "deal"}


class NotificationsScreen(CrmScreen):
    SCOPE = "notifications"
    TITLE_TEXT = "Notifications"
    BINDINGS = commands.bindings("notifications")

    notes: tuple[SyncNotification, ...] = ()

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="notifications", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="notifications", exit_on_error=False)
    def _read(self) -> None:
        notes = tuple(review.notifications(self.store))
        self.app.call_from_thread(self._show, notes)

    def _show(self, notes: tuple[SyncNotification, ...]) -> None:
        self.notes = notes
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for n in notes:
            style = "" if n.read_at else "bold"
            table.add_row(
                "" if n.read_at else "●",
                Text(when(n.at, self.ctx.tz), style=style),
                Text(KINDS.get(n.tbl, n.tbl), style=style),
                Text(n.summary, style=style),
            )
        if notes:
            table.move_cursor(row=min(row, len(notes) - 1))
        unread = sum(n.read_at is None for n in notes)
        self.show_detail(f"{unread} unread of {len(notes)}, newest first")
        self.refresh_bindings()

    def _current(self) -> SyncNotification | None:
        row = self.query_one(DataTable).cursor_row
        return self.notes[row] if 0 <= row < len(self.notes) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"open", "mark_read"} and self._current() is None:
            return None
        return True

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        note = self._current()
        if note is None:
            return
        self._mark([note.seq])
        if note.kind == "deleted":
            self.notify("That record was deleted", severity="warning")
        elif note.tbl == "contact":
            self.app.push_screen(ContactScreen(self.ctx, note.row_id))
        elif note.tbl == "opportunity":
            self.app.push_screen(DealScreen(self.ctx, note.row_id))

    def action_mark_read(self) -> None:
        note = self._current()
        if note is not None:
            self._mark([note.seq])

    def action_mark_all_read(self) -> None:
        self._mark(None)

    @work(thread=True, group="notifications-read", exit_on_error=False)
    def _mark(self, seqs: list[int] | None) -> None:
        review.mark_read(self.store, seqs)
        self.app.call_from_thread(self.refresh_data)

    def action_back(self) -> None:
        self.dismiss()
