"""``crmtui sync``: one sync cycle with the server, printing what moved."""

from __future__ import annotations

import os

import typer

from ..config import ConfigError, config_path, load_config, save_config
from . import common


def _remember(server: str | None, token: str | None) -> tuple[str, str]:
    """The server and token to use; new ones given on the command line are saved."""
    try:
        config = load_config()
    except ConfigError as exc:
        common.fail(str(exc))
    section = dict(config.get("sync", {}))
    if server or token:
        section.update({k: v for k, v in (("server", server), ("token", token)) if v})
        config["sync"] = section
        save_config(config)
        os.chmod(config_path(), 0o600)  # the token is a password
    if not section.get("server") or not section.get("token"):
        common.fail("no sync server yet: run `crmtui sync --server URL --token TOKEN` once")
    return str(section["server"]), str(section["token"])


def sync(
    server: str | None = typer.Option(None, "--server", help="The server's URL (remembered)."),
    token: str | None = typer.Option(None, "--token", help="Your token (remembered)."),
    page: int = typer.Option(20_000, "--page", min=1, max=50_000, help="Records per pull page."),
) -> None:
    """Push local changes, pull the server's, and print what moved."""
    from ..sync.client import Client
    from ..sync.cycle import run_cycle

    url, secret = _remember(server, token)
    with common.store() as opened, Client(url, secret) as client:
        outcome = run_cycle(opened, client, limit=page)
    for line in outcome.lines():
        (common.console if outcome.ok else common.err_console).print(line, highlight=False)
    if not outcome.ok:
        raise typer.Exit(common.UNUSABLE if not outcome.offline else common.PARTIAL)
    if outcome.rejected:
        raise typer.Exit(common.PARTIAL)
