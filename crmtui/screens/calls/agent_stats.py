"""Per-agent figures under the call list: calls, answered, missed, talk time.

They cover the calls the list shows (its filters, ``today`` included), so
``t`` then ``s`` answers "who took how many calls today". The screen reads
them in a worker and hands the rows over; this widget only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from textual.widgets import Static

from ...store.queries.calls import AgentCallStats


def talk_time(seconds: int) -> str:
    """Talk time: ``m:ss``, or ``h:mm:ss`` past the hour (totals run long)."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def stats_table(rows: Sequence[AgentCallStats], title: str) -> Table:
    table = Table(title=title, title_justify="left", expand=True, box=None, pad_edge=False)
    table.add_column("Agent", ratio=3, no_wrap=True, overflow="ellipsis")
    for name in ("Calls", "Answered", "Missed"):
        table.add_column(name, justify="right", ratio=1)
    table.add_column("Talk", justify="right", ratio=1)
    if len(rows) > 1:  # the total first: a long team list may not fit the panel
        calls, answered, missed, talk = (
            sum(getattr(r.stats, name) for r in rows)
            for name in ("calls", "answered", "missed", "talk_s")
        )
        table.add_row(
            "All agents", f"{calls:,}", f"{answered:,}", f"{missed:,}", talk_time(talk),
            end_section=True,
        )  # fmt: skip
    for row in rows:
        s = row.stats
        table.add_row(
            row.agent_name or ("(no agent)" if row.agent_id is None else row.agent_id),
            f"{s.calls:,}",
            f"{s.answered:,}",
            f"{s.missed:,}",
            talk_time(s.talk_s),
        )
    if not rows:
        table.add_row("No calls", "", "", "", "")
    return table


class AgentStats(Static):
    """The per-agent panel; hidden until the user asks for it."""

    DEFAULT_CSS = """
    AgentStats {
        display: none;
        height: auto;
        max-height: 45%;
        border-top: solid $primary;
        padding: 0 1;
    }
    AgentStats.shown {
        display: block;
    }
    """

    def show_rows(self, rows: Sequence[AgentCallStats], title: str) -> None:
        self.update(stats_table(rows, title))
