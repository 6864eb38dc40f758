"""``crmtui import calls``: call logs from a PBX or a phone.

Exit codes: 0 every call logged (or already there), 1 some rows rejected,
2 the file cannot be used at all (missing, wrong format, no usable row).
"""

from __future__ import annotations

import csv
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlmodel import col, select

from ..store.db import Store
from ..store.models import User
from ..telephony.importers import ImportFileError, read_calls
from ..telephony.importers.mapped_csv import FIELDS, parse_map
from ..telephony.processing import CallProcessor, ImportSummary
from . import common

SHOWN = 20  # rejected rows listed on the terminal; the rest are counted


class CallFormat(StrEnum):
    asterisk_csv = "asterisk-csv"
    android_xml = "android-xml"
    ios_db = "ios-db"
    csv = "csv"


# Phone exports are the phone owner's own calls; a PBX's CDR is everybody's.
OWN_CALLS = (CallFormat.android_xml, CallFormat.ios_db)


def _zone(name: str | None) -> tzinfo:
    if not name:
        return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        common.fail(f"--tz {name!r}: not a time zone (e.g. Europe/Paris, UTC)")


def _region(code: str | None) -> str | None:
    if code is not None and code.upper() not in phonenumbers.SUPPORTED_REGIONS:
        common.fail(f"--region {code!r}: not a country code (e.g. FR, PL, DE, US)")
    return code.upper() if code else None


def find_agent(st: Store, name: str) -> str:
    """The id of the user called ``name`` (or with that id); fails otherwise."""
    with st.read() as session:
        ids = session.exec(
            select(User.id).where((col(User.id) == name) | (col(User.name) == name))
        ).all()
    if len(ids) != 1:
        common.fail(f"--agent {name!r}: {'no such user' if not ids else 'several users'}")
    return ids[0]


def _agent(st: Store, name: str | None, fmt: CallFormat) -> str | None:
    """--agent, else the store's own user for a phone's export, else nobody."""
    if name is not None:
        return find_agent(st, name)
    if fmt not in OWN_CALLS:
        return None
    with st.read() as session:
        return st.context(session).user_id


def import_calls(
    file: Path = typer.Argument(..., help="The call log file."),
    fmt: CallFormat = typer.Option(..., "--format", "-f", help="What the file is."),
    map_: list[str] = typer.Option(
        [], "--map", help=f'"Column=field" for --format csv. Fields: {", ".join(FIELDS)}.'
    ),
    agent: str | None = typer.Option(None, "--agent", help="The user the calls belong to."),
    region: str | None = typer.Option(
        None, "--region", help="Country of national numbers, e.g. FR (default: the setting)."
    ),
    tz: str | None = typer.Option(
        None, "--tz", help="Zone of times written without one (default: this machine's)."
    ),
    no_create: bool = typer.Option(
        False, "--no-create-contacts", help="Leave unknown numbers unmatched."
    ),
    rejects: Path | None = typer.Option(None, "--rejects", help="Write rejected rows here."),
    as_json: bool = typer.Option(False, "--json", help="The summary as JSON."),
) -> None:
    """Import calls from Asterisk Master.csv, an Android or iOS call log, or any CSV."""
    if map_ and fmt != CallFormat.csv:
        common.fail("--map applies to --format csv only")
    try:
        mapping = parse_map(map_)
    except ImportFileError as exc:
        common.fail(str(exc))
    zone, country = _zone(tz), _region(region)
    with common.store() as st:
        agent_id = _agent(st, agent, fmt)
        processor = CallProcessor(
            st, region=country, agent_id=agent_id, create_contacts=not no_create
        )
        summary = _run(processor, file, fmt, zone, mapping)
    report(summary, as_json=as_json, rejects=rejects)
    if summary.rejected and not summary.rows:
        common.fail(f"{file}: no usable call in the file", common.UNUSABLE)
    raise typer.Exit(common.PARTIAL if summary.rejected else common.OK)


def _run(
    processor: CallProcessor, file: Path, fmt: CallFormat, zone: tzinfo, mapping: dict[str, str]
) -> ImportSummary:
    bar = Progress(
        SpinnerColumn(),
        TextColumn("importing {task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        console=common.err_console,
        disable=not common.err_console.is_terminal,
    )
    with bar:
        task = bar.add_task("import", rows=0)
        try:
            events = read_calls(file, fmt.value, zone=zone, mapping=mapping)
            return processor.run(events, progress=lambda n: bar.update(task, rows=n))
        except ImportFileError as exc:
            done = processor.summary
            if done.new or done.merged:
                common.err_console.print(f"{done.new + done.merged} calls were logged before:")
            common.fail(str(exc), common.UNUSABLE)


def report(summary: ImportSummary, *, as_json: bool, rejects: Path | None) -> None:
    rows = [
        ("rows read", summary.rows),
        ("legs collapsed", summary.legs),
        ("calls new", summary.new),
        ("calls merged", summary.merged),
        ("unchanged", summary.unchanged),
        ("matched", summary.matched),
        ("contacts created", summary.created),
        ("unmatched", summary.unmatched),
        ("rejected", len(summary.rejected)),
    ]
    common.print_rows(("result", "count"), rows, as_json=as_json, title="Call import")
    for r in summary.rejected[:SHOWN]:
        common.err_console.print(f"line {r.line}: {r.reason}", highlight=False, markup=False)
    if len(summary.rejected) > SHOWN:
        common.err_console.print(f"... and {len(summary.rejected) - SHOWN} more rejected rows")
    if rejects is not None and summary.rejected:
        with rejects.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(("line", "reason"))
            writer.writerows((r.line, r.reason) for r in summary.rejected)
        common.err_console.print(f"rejected rows written to {rejects}", highlight=False)
