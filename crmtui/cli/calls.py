"""``crmtui calls``: the call log: list, show, wrap up, link, call back, statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum

import typer

from ..config import ConfigError, load_config
from ..store.phones import format_for_display
from ..store.queries.calls import (
    CallFilter,
    CallRow,
    call_detail,
    call_stats_by_agent,
    contact_call_stats,
    day_range,
    list_calls,
)
from ..telephony.calllog import CallBackError, call_back
from . import common
from .import_calls import find_agent

app = typer.Typer(help="The call log.", no_args_is_help=True)

HEADERS = ("id", "date", "direction", "status", "number", "contact", "agent", "duration", "cost")


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"
    internal = "internal"


def _duration(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    return (
        f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
        if minutes >= 60
        else f"{minutes}:{secs:02d}"
    )


def _cost(row: CallRow) -> str:
    if row.cost_minor is None:
        return ""
    return f"{row.cost_minor / 100:.2f} {row.cost_currency or ''}".strip()


def _line(row: CallRow, region: str) -> tuple[str, ...]:
    local = row.started_at.astimezone()
    number = format_for_display(row.remote_raw, row.remote_e164, region) or "withheld"
    return (
        row.id,
        local.strftime("%Y-%m-%d %H:%M"),
        row.direction,
        row.status,
        number,
        row.contact_name or row.remote_name,
        row.agent_name,
        _duration(row.billsec_s),
        _cost(row),
    )


@app.command("list")
def list_(
    missed: bool = typer.Option(False, "--missed", help="Inbound calls nobody answered."),
    today: bool = typer.Option(False, "--today", help="Calls of today (local time)."),
    agent: str | None = typer.Option(None, "--agent", help="A user's name or id."),
    direction: Direction | None = typer.Option(None, "--direction"),
    unmatched: bool = typer.Option(False, "--unmatched", help="Calls without a contact."),
    contact: str | None = typer.Option(None, "--contact", help="A contact's id."),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """List calls, newest first."""
    since = until = None
    if today:
        now = datetime.now(UTC)
        since, until = day_range(now, now.astimezone().tzinfo or UTC)
    with common.store() as st:
        agent_id = find_agent(st, agent) if agent else None
        filters = CallFilter(
            missed=missed,
            unmatched=unmatched,
            agent_id=agent_id,
            direction=direction.value if direction else None,
            contact_id=contact,
            since=since,
            until=until,
        )
        with st.read() as session:
            region = st.context(session).region
            page = list_calls(session, limit=limit, filters=filters)
    common.print_rows(HEADERS, [_line(r, region) for r in page.rows], as_json=as_json)


@app.command("show")
def show(call_id: str) -> None:
    """Show one call with its wrap-up and the sources it was heard from."""
    with common.store() as st, st.read() as session:
        detail = call_detail(session, call_id)
        region = st.context(session).region
    if detail is None:
        common.fail(f"no call with id {call_id}")
    rows = list(zip(HEADERS, _line(detail.row, region), strict=True))
    rows += [
        ("local party", detail.row.local_party),
        ("hangup cause", detail.hangup_cause),
        ("description", detail.wrapup_description),
        ("notes", detail.wrapup_notes),
        ("outcome", detail.wrapup_outcome or ""),
        ("person", detail.wrapup_person_id or ""),
        ("sources", ", ".join(f"{s}:{k}" for s, k in detail.sources)),
    ]
    common.print_rows(("field", "value"), rows)


class Outcome(StrEnum):
    success = "success"
    failure = "failure"


@app.command("wrapup")
def wrapup(
    call_id: str,
    description: str | None = typer.Option(None, "--description", "-d"),
    notes: str | None = typer.Option(None, "--notes", "-n"),
    outcome: Outcome | None = typer.Option(None, "--outcome"),
    person: str | None = typer.Option(None, "--person", help="Id of the person spoken to."),
) -> None:
    """Fill the after-call wrap-up (only the options given change)."""
    args: dict[str, object] = {"id": call_id}
    for key, value in (("description", description), ("notes", notes), ("person_id", person)):
        if value is not None:
            args[key] = value
    if outcome is not None:
        args["outcome"] = outcome.value
    with common.store() as st:
        st.mutate("call.wrapup", args)
    typer.echo(f"wrapped up {call_id}")


@app.command("link")
def link(
    call_id: str,
    contact_id: str,
    person: str | None = typer.Option(None, "--person", help="The person spoken to."),
    same_number: bool = typer.Option(
        False, "--same-number", help="Also link the other unmatched calls of this number."
    ),
) -> None:
    """Link a call to an existing contact."""
    with common.store() as st:
        n = st.mutate(
            "call.link_contact",
            {
                "id": call_id,
                "contact_id": contact_id,
                "person_id": person,
                "same_number": same_number,
            },
        )
    typer.echo(f"linked {n} call(s)")


@app.command("create-contact")
def create_contact(
    call_id: str,
    first: str = typer.Option("", "--first"),
    last: str = typer.Option("", "--last"),
    company: str = typer.Option("", "--company", help="Make a company of this name."),
) -> None:
    """Create a contact from a call's number and link its unmatched calls; prints its id."""
    args = {
        "call_id": call_id,
        "kind": "company" if company and not (first or last) else "person",
        "first_name": first,
        "last_name": last,
        "company_name": company,
    }
    with common.store() as st:
        typer.echo(st.mutate("call.create_contact", args))


@app.command("back")
def back(
    target: str = typer.Argument(..., help="A call's id, or a number."),
    agent: str | None = typer.Option(None, "--agent", help="Who calls (default: you)."),
) -> None:
    """Call back: log an outbound attempt and run the config file's telephony dial_command."""
    try:
        config = load_config()
    except ConfigError as exc:
        common.fail(str(exc))
    with common.store() as st:
        agent_id = find_agent(st, agent) if agent else None
        if agent_id is None:
            with st.read() as session:
                agent_id = st.context(session).user_id
        try:
            dialled = call_back(st, target, config=config, agent_id=agent_id)
        except CallBackError as exc:
            common.fail(str(exc))
    state = "running" if dialled.returncode is None else f"exited {dialled.returncode}"
    typer.echo(
        f"dialling {dialled.number} ({' '.join(dialled.command)}: {state}); "
        f"logged as call {dialled.call_id}"
    )
    if dialled.returncode not in (0, None):
        raise typer.Exit(common.PARTIAL)


def _day(text: str | None, end: bool = False) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        common.fail(f"{text!r}: write a date as YYYY-MM-DD")
    local = datetime.combine(day, time()).astimezone()
    return day_range(local, local.tzinfo or UTC)[1 if end else 0]


@app.command("stats")
def stats(
    contact: str | None = typer.Option(None, "--contact", help="One contact's calls."),
    since: str | None = typer.Option(None, "--since", help="First day, YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Last day, YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """Call counts and talk time per agent, or for one contact."""
    lo, hi = _day(since), _day(until, end=True)
    headers = ("agent", "calls", "answered", "missed", "inbound", "outbound", "talk")
    with common.store() as st, st.read() as session:
        if contact:
            found = [("", contact_call_stats(session, contact, since=lo, until=hi))]
        else:
            found = [
                (a.agent_name or "(none)", a.stats)
                for a in call_stats_by_agent(session, since=lo, until=hi)
            ]
    rows = [
        (name, s.calls, s.answered, s.missed, s.inbound, s.outbound, _duration(s.talk_s))
        for name, s in found
    ]
    common.print_rows(headers, rows, as_json=as_json)
