"""The calls, most recent first (read-only until the telephony panel lands)."""

from __future__ import annotations

from typing import Any

from .. import commands
from ..store.queries.browse import CallRow, calls
from ..store.queries.keyset import Listing
from ..widgets.columns import Column
from ..widgets.format import duration, phone, when
from .record_list import RecordListScreen


class CallsScreen(RecordListScreen):
    SCOPE = "calls"
    TITLE_TEXT = "Calls"
    NOUN = ("call", "calls")
    BINDINGS = commands.bindings("calls")

    def columns(self) -> list[Column[Any]]:
        ctx = self.ctx
        return [
            Column("When", 16, lambda r: when(r.started_at, ctx.tz)),
            Column("Direction", 9, lambda r: r.direction),
            Column("Status", 9, lambda r: r.status),
            Column("Number", 16, lambda r: phone(r.remote_raw, r.remote_e164, ctx.region)),
            Column("Who", 16, lambda r: r.who, grow=3),
            Column("Length", 7, lambda r: duration(r.duration_s)),
            Column("Agent", 10, lambda r: r.agent),
        ]

    def listing(self) -> Listing[CallRow]:
        return calls()
