"""``crmtui demo``: fill a new store with realistic, reproducible demo data."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ..store.demo import DemoError, build
from . import common

REGIONS = ("FR", "PL", "GB")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[str, int], None] | None]:
    """A progress bar on a terminal (none when piped): contacts, then search."""
    if not common.err_console.is_terminal:
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=common.err_console) as bar:
        task = bar.add_task("contacts", total=total)

        def report(table: str, rows: int) -> None:
            if table == "contact":
                bar.advance(task, rows)
            elif table == "search":
                bar.update(task, description="search index")

        yield report


def demo(
    contacts: int = typer.Option(
        2000, "--contacts", "-n", min=1, max=5_000_000, help="How many people and companies."
    ),
    seed: int = typer.Option(7, "--seed", help="The same seed builds the same data."),
    region: str = typer.Option(
        "FR",
        "--region",
        help="The store's region (FR, PL or GB): its numbers are typed in national format.",
    ),
    open_app: bool = typer.Option(False, "--open", help="Open the app on the store afterwards."),
) -> None:
    """Fill a new store with demo data: French, Polish and British contacts and a year of
    activities, calls, tasks, deals and invoices. Written as base state (nothing to sync)."""
    region = region.upper()
    if region not in REGIONS:
        common.fail(f"--region must be one of {', '.join(REGIONS)}, not {region!r}")
    started = time.perf_counter()
    with common.store() as st, _progress(contacts) as report:
        try:
            counts = build(st, contacts=contacts, seed=seed, region=region, progress=report)
        except DemoError as exc:
            if not open_app:
                common.fail(str(exc))
            # Running the quick start twice opens the demo built the first time.
            common.err_console.print(f"{exc}; opening it as it is", highlight=False)
            counts = None
    if counts is not None:
        rows = [(table, n) for table, n in counts.items() if not table.startswith("_")]
        common.print_rows(("table", "rows"), rows, title=f"Demo store {common.db_path()}")
        elapsed = time.perf_counter() - started
        common.err_console.print(f"built in {elapsed:.1f} s", highlight=False)
    if open_app:
        from .main import open_tui  # main imports this module

        open_tui()
