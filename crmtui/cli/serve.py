"""``crmtui serve``: run the sync server for a team."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from . import common


def serve(
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="CRMTUI_SERVER_DB",
        help="postgresql+psycopg://user@host/db, or an SQLite file (default: server.db "
        "in the user data dir).",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    tls_cert: Path | None = typer.Option(
        None, "--tls-cert", exists=True, dir_okay=False, help="PEM certificate: serve HTTPS."
    ),
    tls_key: Path | None = typer.Option(
        None, "--tls-key", exists=True, dir_okay=False, help="PEM private key of --tls-cert."
    ),
    access_log: bool = typer.Option(
        False, "--access-log", help="Log every request (costs CPU at hundreds a second)."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Server processes (default: one on SQLite, one per CPU up to 4 on PostgreSQL).",
    ),
) -> None:
    """Run the sync server (migrates the database first; GET /healthz answers when up)."""
    import uvicorn

    from ..sync.app import DB_ENV, create_app
    from ..sync.nodelay import NoDelayHttpToolsProtocol
    from ..sync.serverdb import open_database

    if (tls_cert is None) != (tls_key is None):
        common.fail("--tls-cert and --tls-key go together")
    try:
        database = open_database(db)
    except Exception as exc:  # a bad URL or an unreachable database: say so, exit 2
        common.fail(f"cannot open the server database: {exc}")
    if workers is None:
        workers = min(4, os.cpu_count() or 1) if database.is_pg else 1
    where = database.url.split("@")[-1]  # no credentials in the log
    common.err_console.print(f"crmtui sync server on {host}:{port} ({where}, {workers} worker(s))")
    options: dict[str, Any] = {
        "ssl_certfile": str(tls_cert) if tls_cert else None,
        "ssl_keyfile": str(tls_key) if tls_key else None,
        "http": NoDelayHttpToolsProtocol,
        "access_log": access_log,
    }
    if workers == 1:
        uvicorn.run(create_app(database), host=host, port=port, log_level="info", **options)
        return
    # Several processes (each its own GIL, pool and listener) share the socket;
    # uvicorn builds the app in each from the URL, already migrated above.
    database.dispose()
    os.environ[DB_ENV] = database.url
    uvicorn.run(
        "crmtui.sync.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        **options,
    )
