"""``crmtui tasks``: what is due, for scripts and cron."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer

from ..store.queries.tasks import due_within
from . import common

app = typer.Typer(help="The to-do list.", no_args_is_help=True)

HEADERS = ("id", "due_at", "title", "contact", "opportunity", "responsible")
_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_span(text: str) -> timedelta:
    """``30m``, ``2h``, ``1d`` or ``1w`` as a timedelta."""
    match = _SPAN.match(text.lower())
    if match is None:
        raise typer.BadParameter(f"{text!r}: give a number and a unit, like 30m, 2h, 1d or 1w")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


@app.command("due")
def due(
    within: str = typer.Option("1d", "--within", help="How far ahead: 30m, 2h, 1d, 1w."),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """Open tasks due within the span from now, overdue ones first (times in UTC)."""
    span = parse_span(within)
    with common.store(create=False) as st, st.snapshot() as db:
        rows = due_within(db, datetime.now(UTC), span)
    common.print_rows(
        HEADERS,
        [
            (
                t.id,
                t.due_at.isoformat() if t.due_at else "",
                t.title,
                t.contact,
                t.opportunity,
                t.responsible,
            )
            for t in rows
        ],
        as_json=as_json,
        title=f"Tasks due within {within}",
    )
