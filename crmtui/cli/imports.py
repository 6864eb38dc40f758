"""``crmtui import``: contacts (CSV or vCard), activities, tasks, opportunities.

Exit codes: 0 every row imported (or already there), 1 some rows rejected
(see --rejects), 2 the file cannot be used at all.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..exchange.csv_import import (
    Opened,
    contact_handler,
    import_opened,
    open_contacts,
    open_records_csv,
    records_handler,
)
from ..exchange.headers import MappingError, parse_map_options
from ..exchange.importer import ACTIONS, Handler, Summary
from ..exchange.source import UnusableFile
from . import common
from .import_calls import import_calls

app = typer.Typer(help="Bring records in from CSV or vCard files.", no_args_is_help=True)


class OnDuplicate(StrEnum):
    skip = "skip"
    update = "update"
    create = "create"


FILE = typer.Argument(..., help="The file to import.", exists=False)
DUP = typer.Option(
    OnDuplicate.skip,
    "--on-duplicate",
    help="What a duplicate row does: skip it, update the stored record, or "
    "create a new one anyway.",
)
DRY = typer.Option(False, "--dry-run", help="Say what would happen; change nothing.")
REJECTS = typer.Option(None, "--rejects", help="Write rejected rows (line, reason, row) here.")
MAP = typer.Option([], "--map", help='"Column=field" for a column not recognised. Repeatable.')
SHOWN = 20  # rejected rows and warnings listed on the terminal; the rest are counted


@app.command("contacts")
def contacts(
    file: Path = FILE,
    on_duplicate: OnDuplicate = DUP,
    dry_run: bool = DRY,
    rejects: Path | None = REJECTS,
    map_: list[str] = MAP,
) -> None:
    """Import people and companies from CSV (ours, Google, Outlook...) or vCard."""

    def opener() -> Opened:
        return open_contacts(file, parse_map_options(map_))

    run(opener, lambda o: contact_handler(o, on_duplicate.value), dry_run, rejects)


def _records(family: str) -> Callable[..., None]:
    def command(
        file: Path = FILE,
        on_duplicate: OnDuplicate = DUP,
        dry_run: bool = DRY,
        rejects: Path | None = REJECTS,
        map_: list[str] = MAP,
    ) -> None:
        run(
            lambda: open_records_csv(file, family, map_),
            lambda o: records_handler(o, family, on_duplicate.value),
            dry_run,
            rejects,
        )

    command.__doc__ = f"Import {family} from CSV (the columns of `crmtui export {family}`)."
    return command


for _family in ("activities", "tasks", "opportunities"):
    app.command(_family)(_records(_family))


def run(
    opener: Callable[[], Opened],
    make_handler: Callable[[Opened], Handler],
    dry_run: bool,
    rejects: Path | None,
) -> None:
    """Open, import with a progress bar, print the summary, exit with its code."""
    try:
        opened = opener()
    except (UnusableFile, MappingError) as exc:
        common.fail(str(exc), common.UNUSABLE)
    for note in opened.notes:
        common.err_console.print(f"[dim]{note}[/]", highlight=False)
    with common.store() as st, _progress() as bar:
        task = bar.add_task("importing", total=opened.size or None, rows=0)

        def tick(summary: Summary, done: int) -> None:
            bar.update(task, completed=done, rows=summary.rows)

        summary = import_opened(
            st, opened, make_handler(opened), dry_run=dry_run, rejects_path=rejects, progress=tick
        )
    report(summary, dry_run=dry_run, rejects=rejects)
    raise typer.Exit(common.PARTIAL if summary.counts["rejected"] else common.OK)


class _RowRate(ProgressColumn):
    """Rows per second (the bar itself advances by bytes, which gives the ETA)."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rows = int(task.fields.get("rows", 0))
        return Text(f"{rows / elapsed:,.0f} rows/s" if elapsed > 0 else "")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        _RowRate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=common.err_console,
        disable=not common.err_console.is_terminal,
        transient=False,
    )


def report(summary: Summary, *, dry_run: bool, rejects: Path | None) -> None:
    rows = [(action, summary.counts[action]) for action in ACTIONS]
    rows += [(what, count) for what, count in sorted(summary.extra.items())]
    title = "Import (dry run: nothing was written)" if dry_run else "Import"
    common.print_rows(("result", "rows"), rows, title=title)
    _listing("warning", summary.warnings, summary.warned)
    _listing("rejected", summary.rejected, summary.counts["rejected"])
    if dry_run:
        common.err_console.print("dry run: nothing was written", highlight=False)
    if rejects and summary.counts["rejected"]:
        common.err_console.print(f"rejected rows written to {rejects}", highlight=False)


def _listing(what: str, items: list[tuple[int, str]], total: int) -> None:
    for line, message in items[:SHOWN]:
        common.err_console.print(f"line {line}: {what}: {message}", highlight=False, markup=False)
    if total > SHOWN:
        common.err_console.print(f"... and {total - SHOWN} more ({what})", highlight=False)


# Call logs have their own reader and summary (crmtui.telephony); see import_calls.py.
app.command("calls")(import_calls)
