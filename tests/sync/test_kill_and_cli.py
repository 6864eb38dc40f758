"""A client killed with SIGKILL mid-push, and the sync commands end to end."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from crmtui.cli.main import app
from crmtui.store.models import Contact, SyncClient, SyncState
from crmtui.sync.cycle import run_cycle

from .server import Laptop, LiveServer, free_port, migrated_copy
from .test_sync import assert_converged

CHILD = """
import sys
from crmtui.store import open_store
from crmtui.sync import cycle
from crmtui.sync.client import Client
store = open_store(sys.argv[1])
store.mutate_many([("contact.create", {"first_name": f"K{i}"}) for i in range(120)])
cycle.PUSH_BATCH = 10  # many small pushes, so the kill lands between two of them
print("ready", flush=True)
cycle.run_cycle(store, Client(sys.argv[2], sys.argv[3]))
"""


def _applied(server: LiveServer) -> int:
    with server.db.snapshot() as session:
        return max([c.last_mutation_id for c in session.exec(select(SyncClient))], default=0)


def test_a_client_killed_mid_push_loses_and_repeats_nothing(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    _uid, token = sqlite_server.add_user("kim")
    path = migrated_copy(tmp_path / "kim.db")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), sqlite_server.url, token],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    while _applied(sqlite_server) == 0 and child.poll() is None:
        time.sleep(0.01)  # wait for the first push to land, then kill without warning
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert _applied(sqlite_server) > 0
    lap = Laptop(path, sqlite_server, token, fresh=False)  # the same store, restarted
    outcome = run_cycle(lap.store, lap.client)
    assert outcome.ok and outcome.rejected == []
    with sqlite_server.db.snapshot() as session:
        assert session.exec(select(func.count()).select_from(Contact)).one() == 120
    with lap.store.read() as session:
        assert session.exec(select(SyncState)).one().last_acked_id == 120
    assert _applied(sqlite_server) == 120
    assert_converged(sqlite_server, lap)
    lap.close()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRMTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("CRMTUI_DB", str(migrated_copy(tmp_path / "me.db")))
    monkeypatch.setenv("CRMTUI_SERVER_DB", str(migrated_copy(tmp_path / "server.db")))
    return tmp_path


def test_server_user_commands(cli_env: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["server", "user", "add", "zoe", "--role", "readonly"])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("crm_") and token not in (cli_env / "server.db").read_bytes().decode(
        "latin-1"
    )  # only its hash is stored
    again = runner.invoke(app, ["server", "user", "add", "zoe"])
    assert again.exit_code == 2 and "reset-token" in again.output
    listed = runner.invoke(app, ["server", "user", "list", "--json"])
    assert '"name": "zoe"' in listed.stdout and '"role": "readonly"' in listed.stdout
    assert runner.invoke(app, ["server", "user", "disable", "zoe"]).exit_code == 0
    assert '"active": "no"' in runner.invoke(app, ["server", "user", "list", "--json"]).stdout
    fresh = runner.invoke(app, ["server", "user", "reset-token", "zoe"])
    assert fresh.exit_code == 0 and fresh.stdout.strip() != token
    assert '"active": "yes"' in runner.invoke(app, ["server", "user", "list", "--json"]).stdout
    assert runner.invoke(app, ["server", "user", "disable", "nobody"]).exit_code == 2


def test_serve_over_tls_and_sync_commands(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trustme

    ca = trustme.CA()
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(
        str(cli_env / "server.pem")
    )
    ca.cert_pem.write_to_path(str(cli_env / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(cli_env / "ca.pem"))  # the client trusts our CA
    runner = CliRunner()
    token = runner.invoke(app, ["server", "user", "add", "max"]).stdout.strip().splitlines()[-1]
    port, pem = free_port(), str(cli_env / "server.pem")
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crmtui",
            "serve",
            "--port",
            str(port),
            "--tls-cert",
            pem,
            "--tls-key",
            pem,
        ],
        env=dict(os.environ),
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"https://127.0.0.1:{port}"
    try:
        health = _wait_healthy(url, serve, str(cli_env / "ca.pem"))
        assert health["ok"] is True and health["database"] == "sqlite"
        first = runner.invoke(app, ["sync", "--server", url, "--token", token])
        assert first.exit_code == 0, first.output
        assert "everything synced" in first.stdout
        assert token in (cli_env / "config.toml").read_text()  # remembered
        assert (cli_env / "config.toml").stat().st_mode & 0o077 == 0
        again = runner.invoke(app, ["sync"])
        assert again.exit_code == 0 and "pushed 0 change(s)" in again.stdout
        bad = runner.invoke(app, ["sync", "--token", "crm_wrong"])
        assert bad.exit_code == 2 and "401" in bad.output
    finally:
        serve.terminate()
        serve.wait(20)


def _wait_healthy(url: str, proc: subprocess.Popen[str], ca: str) -> dict[str, object]:
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            context = ssl.create_default_context(cafile=ca)
            return dict(httpx.get(f"{url}/healthz", timeout=2, verify=context).json())
        except httpx.TransportError:
            time.sleep(0.05)
