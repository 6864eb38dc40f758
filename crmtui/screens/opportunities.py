"""The opportunities, newest first (read-only until the deals feature lands)."""

from __future__ import annotations

from typing import Any

from .. import commands
from ..store.queries.browse import OpportunityRow, opportunities
from ..store.queries.keyset import Listing
from ..widgets.columns import Column
from ..widgets.format import day, money
from .record_list import RecordListScreen


class OpportunitiesScreen(RecordListScreen):
    SCOPE = "opportunities"
    TITLE_TEXT = "Opportunities"
    NOUN = ("opportunity", "opportunities")
    BINDINGS = commands.bindings("opportunities")

    def columns(self) -> list[Column[Any]]:
        locale = self.ctx.locale
        return [
            Column("Title", 20, lambda r: r.title, grow=3),
            Column("Contact", 14, lambda r: r.contact, grow=2),
            Column("Stage", 12, lambda r: r.stage),
            Column("Budget", 14, lambda r: money(r.budget_minor, r.currency, locale)),
            Column("Closes", 10, lambda r: day(r.expected_close)),
            Column("Responsible", 11, lambda r: r.responsible),
        ]

    def listing(self) -> Listing[OpportunityRow]:
        return opportunities()
