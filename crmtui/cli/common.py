"""What every CLI command shares: the store it works on, output, exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from ..config import default_db_path
from ..store.db import Store, StoreError, open_store
from ..store.mutations import MutationError

# Exit codes scripts can rely on.
OK, PARTIAL, UNUSABLE = 0, 1, 2

console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # never wrap a path in an error


class State:
    """Options given before the sub-command (``crmtui --db X contacts ...``)."""

    db: Path | None = None


state = State()


def db_path() -> Path:
    return state.db or default_db_path()


@contextmanager
def store(*, create: bool = True) -> Iterator[Store]:
    """Open the store for a command, turning store errors into a clean exit."""
    try:
        opened = open_store(db_path(), create=create)
    except StoreError as exc:
        fail(str(exc))
    try:
        yield opened
    except MutationError as exc:
        fail(str(exc))
    finally:
        opened.close()


def fail(message: str, code: int = UNUSABLE) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def print_rows(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    as_json: bool = False,
    title: str | None = None,
) -> None:
    """A Rich table on a terminal; tab-separated lines when piped; JSON on request."""
    if as_json:
        sys.stdout.write(
            json.dumps(
                [dict(zip(headers, r, strict=True)) for r in rows], default=str, ensure_ascii=False
            )
            + "\n"
        )
    elif console.is_terminal:
        table = Table(*headers, title=title)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)
    else:
        for row in rows:
            sys.stdout.write("\t".join("" if v is None else str(v) for v in row) + "\n")
