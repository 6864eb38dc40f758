"""The Typer app of the ``crmtui`` command: one sub-command per noun.

``crmtui.cli.main.run`` comes here for everything but opening the TUI.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .. import __version__
from . import calls as calls_cli
from . import common, contacts, demo
from . import duplicates as duplicates_cli
from . import export as export_cli
from . import imports as imports_cli
from . import invoices as invoices_cli
from . import opportunities as opportunities_cli
from . import report as report_cli
from . import serve as serve_cli
from . import server as server_cli
from . import sync as sync_cli
from . import tasks as tasks_cli
from . import telephony as telephony_cli
from .main import open_tui

app = typer.Typer(
    name="crmtui",
    help="A keyboard-driven CRM that lives in the terminal. With no command, opens the app.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode="rich",
)
app.add_typer(contacts.app, name="contacts", rich_help_panel="Records")
app.add_typer(tasks_cli.app, name="tasks", rich_help_panel="Records")
app.add_typer(calls_cli.app, name="calls", rich_help_panel="Records")
app.add_typer(duplicates_cli.app, name="duplicates", rich_help_panel="Records")
app.add_typer(opportunities_cli.app, name="opportunities", rich_help_panel="Records")
app.add_typer(invoices_cli.app, name="invoices", rich_help_panel="Records")
app.add_typer(imports_cli.app, name="import", rich_help_panel="Exchange")
app.add_typer(export_cli.app, name="export", rich_help_panel="Exchange")
app.add_typer(report_cli.app, name="report", rich_help_panel="Exchange")
app.add_typer(telephony_cli.app, name="telephony", rich_help_panel="Telephony")
app.command("demo", rich_help_panel="Setup")(demo.demo)
app.command("sync", rich_help_panel="Sync")(sync_cli.sync)
app.command("serve", rich_help_panel="Sync")(serve_cli.serve)
app.add_typer(server_cli.app, name="server", rich_help_panel="Sync")


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
