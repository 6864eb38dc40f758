"""``crmtui export``: records to CSV, JSON or xlsx; contacts to vCard; tasks to
iCalendar. Streams in constant memory, whatever the store's size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from ..exchange.export import ENTITIES, ExportError, export, formats_for
from . import common

app = typer.Typer(
    help="Write records to CSV, JSON, xlsx, vCard or iCalendar.", no_args_is_help=True
)


def _command(entity: str) -> Callable[..., None]:
    choices = formats_for(entity)

    def command(
        fmt: str = typer.Option("csv", "--format", "-f", help=" | ".join(choices)),
        output: Path = typer.Option(..., "--output", "-o", help="The file to write."),
    ) -> None:
        if fmt not in choices:
            common.fail(f"{entity} cannot be exported as {fmt!r}; use {', '.join(choices)}")
        run(entity, fmt, output)

    command.__doc__ = f"Export every one of the {entity} ({', '.join(choices)})."
    return command


for _entity in ENTITIES:
    app.command(_entity)(_command(_entity))


def run(entity: str, fmt: str, output: Path) -> None:
    with common.store(create=False) as st:
        try:
            with common.err_console.status(f"exporting {entity}...") as status:
                count = export(
                    st, entity, fmt, output, progress=lambda n: status.update(f"{n:,} {entity}...")
                )
        except (ExportError, OSError) as exc:
            common.fail(str(exc))
    common.err_console.print(f"{count:,} {entity} written to {output}", highlight=False)
