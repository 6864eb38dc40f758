"""``crmtui server user ...``: accounts on the sync server's database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from . import common

if TYPE_CHECKING:
    from sqlmodel import Session

T = TypeVar("T")

app = typer.Typer(help="Administer the sync server.", no_args_is_help=True)
users = typer.Typer(help="Users and their tokens.", no_args_is_help=True)
app.add_typer(users, name="user")

DB = typer.Option(
    None, "--db", envvar="CRMTUI_SERVER_DB", help="The server database (as for `crmtui serve`)."
)


def _run(db: str | None, action: Callable[[Session], T]) -> T:
    from ..sync import accounts
    from ..sync.serverdb import open_database

    try:
        database = open_database(db)
    except Exception as exc:  # unreachable or invalid database
        raise common.fail(f"cannot open the server database: {exc}") from None
    try:
        with database.write() as session:
            return action(session)
    except accounts.AccountError as exc:
        raise common.fail(str(exc)) from None
    finally:
        database.dispose()


@users.command("add")
def add(
    name: str = typer.Argument(..., help="The user's name, as the CRM shows it."),
    role: str = typer.Option("user", "--role", help="admin, user or readonly."),
    scope: str = typer.Option(
        "subset", "--scope", help="subset (the rules of DESIGN.md) or all (an admin widens it)."
    ),
    email: str | None = typer.Option(None, "--email"),
    db: str | None = DB,
) -> None:
    """Add a user and print their token (shown once: only its hash is kept)."""
    from ..sync import accounts

    if role not in ("admin", "user", "readonly"):
        common.fail("--role must be admin, user or readonly")
    _user_id, token = _run(db, lambda s: accounts.add_user(s, name, role, scope, email))
    common.err_console.print(f"added {name} ({role}); their token, shown only now:")
    typer.echo(token)


@users.command("list")
def list_(db: str | None = DB, as_json: bool = typer.Option(False, "--json")) -> None:
    """Every user, their role, scope, whether they may sync, and when last seen."""
    from ..sync import accounts

    rows = _run(db, accounts.accounts)
    common.print_rows(
        ["name", "role", "scope", "active", "clients", "last_seen"],
        [
            (r.name, r.role, r.scope, "yes" if r.active else "no", r.clients, r.last_seen_at)
            for r in rows
        ],
        as_json=as_json,
        title="Sync users",
    )


@users.command("disable")
def disable(name: str, db: str | None = DB) -> None:
    """Refuse a user's token from now on (their records stay)."""
    from ..sync import accounts

    _run(db, lambda s: accounts.disable(s, name))
    common.err_console.print(f"{name} can no longer sync; `reset-token` gives a new token")


@users.command("reset-token")
def reset_token(name: str, db: str | None = DB) -> None:
    """Issue a new token (the old one stops working) and print it once."""
    from ..sync import accounts

    token = _run(db, lambda s: accounts.reset_token(s, name))
    typer.echo(token)
