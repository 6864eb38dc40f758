"""The ``crmtui`` command: opens the TUI, or runs one sub-command per noun."""

from __future__ import annotations

from pathlib import Path

import typer

from .. import __version__
from . import common, contacts

app = typer.Typer(
    name="crmtui",
    help="A keyboard-driven CRM that lives in the terminal. With no command, opens the app.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
)
app.add_typer(contacts.app, name="contacts", rich_help_panel="Records")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crmtui {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    db: Path | None = typer.Option(
        None, "--db", envvar="CRMTUI_DB", help="The store file (default: the user data dir)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    common.state.db = db
    if ctx.invoked_subcommand is None:
        open_tui()


def open_tui() -> None:
    """Open the TUI on the store (imported here: scripts never pay for Textual)."""
    from ..app import CrmApp

    with common.store() as opened:
        CrmApp(opened).run()


def run() -> None:
    app()
