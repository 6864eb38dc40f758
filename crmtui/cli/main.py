"""The ``crmtui`` command: opens the TUI, or runs one sub-command per noun.

``crmtui`` alone (or with just ``--db PATH``) opens the TUI without importing
Typer and every sub-command (they cost a good part of a second before the
first paint); anything else is the Typer app's (``typer_app``), which also
reports a store that cannot be opened.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def run() -> None:
    args = sys.argv[1:]
    if _tui_only(args) and _open_tui_directly(_db_option(args)):
        return
    from .typer_app import app

    app()


def _tui_only(args: list[str]) -> bool:
    """No sub-command and no option but ``--db``."""
    if not args:
        return True
    if len(args) == 1:
        return args[0].startswith("--db=")
    return len(args) == 2 and args[0] == "--db"


def _db_option(args: list[str]) -> Path | None:
    if not args:
        return None
    return Path(args[0].removeprefix("--db=") if len(args) == 1 else args[1])


def _open_tui_directly(db: Path | None) -> bool:
    """Open the TUI; False (nothing done) when the store cannot be opened, so
    that the CLI says why, as for any command."""
    from ..config import default_db_path  # CRMTUI_DB, as the --db option reads it
    from ..store import StoreError, open_store

    try:
        store = open_store(db or default_db_path())
    except StoreError:
        return False
    from ..app import CrmApp

    with store:
        CrmApp(store).run()
    return True


def open_tui() -> None:
    """Open the TUI on the store the CLI was given (``crmtui demo --open``)."""
    from ..app import CrmApp
    from . import common

    with common.store() as opened:
        CrmApp(opened).run()


def __getattr__(name: str) -> Any:
    # ``from crmtui.cli.main import app``: the Typer app, imported when asked for.
    if name == "app":
        from .typer_app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
