"""The ``crmtui`` command line, driven through Typer's CliRunner on real store files."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
import typer.testing
from sqlmodel import select
from typer.testing import CliRunner, Result

from crmtui import __version__
from crmtui.cli.main import app
from crmtui.store import open_store
from crmtui.store.models import Contact, ContactPhone

SUB_APPS = sorted(group.name for group in app.registered_groups if group.name)


@functools.cache
def click_command(typer_app: typer.Typer) -> Any:
    return typer.main.get_command(typer_app)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose default store (CRMTUI_DB) is a file nobody else uses.

    Typer rebuilds the Click command on every invoke (a quarter of a second
    with all the sub-apps); the runner here builds it once.
    """
    monkeypatch.setattr(typer.testing, "_get_command", click_command)
    return CliRunner(env={"CRMTUI_DB": str(tmp_path / "env.db")})


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "crm.db"
    open_store(path).close()
    return path


@pytest.fixture
def db(migrated: Path, tmp_path: Path) -> Path:
    """An empty, already migrated store file (migrating every test's store is slow)."""
    path = tmp_path / "crm.db"
    shutil.copy(migrated, path)
    return path


def run(cli: CliRunner, *args: str, **kwargs: Any) -> Result:
    return cli.invoke(app, list(args), **kwargs)


def squeezed(text: str) -> str:
    """Text without whitespace: Rich wraps long messages (and paths) at 80 columns."""
    return "".join(text.split())


def add(cli: CliRunner, db: Path, *args: str) -> str:
    result = run(cli, "--db", str(db), "contacts", "add", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def listed(cli: CliRunner, db: Path, *args: str) -> list[dict[str, str]]:
    result = run(cli, "--db", str(db), "contacts", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, str]] = json.loads(result.stdout)
    return rows


def count(cli: CliRunner, db: Path, *args: str) -> int:
    result = run(cli, "--db", str(db), "contacts", "count", *args)
    assert result.exit_code == 0, result.output
    return int(result.stdout)


def test_version(cli: CliRunner, tmp_path: Path) -> None:
    result = run(cli, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"crmtui {__version__}\n"
    assert not (tmp_path / "env.db").exists()  # printing the version opens no store


def test_help_lists_every_sub_app(cli: CliRunner) -> None:
    result = run(cli, "--help")
    assert result.exit_code == 0
    for name in SUB_APPS:
        assert name in result.stdout


def test_there_are_sub_apps() -> None:
    assert {"contacts"} <= set(SUB_APPS)


@pytest.mark.parametrize("name", SUB_APPS)
def test_sub_app_without_arguments_shows_help(cli: CliRunner, tmp_path: Path, name: str) -> None:
    result = run(cli, name)
    assert result.exit_code in (0, 2)  # Click 8.2+ exits 2 after no_args_is_help
    assert f"Usage: crmtui {name}" in result.output
    assert "Commands" in result.output
    assert not (tmp_path / "env.db").exists()


def test_contacts_add_list_count_delete(cli: CliRunner, tmp_path: Path, db: Path) -> None:
    zoe = add(
        cli,
        db,
        "--first",
        "Zoé",
        "--last",
        "Martin",
        "--phone",
        "06 12 34 56 78",
        "--email",
        "Zoe@Example.org",
        "--tag",
        "vip",
        "--tag",
        "lead",
    )
    acme = add(cli, db, "--company", "Acme SA", "--phone", "+48 512 345 678")
    assert zoe != acme
    assert count(cli, db) == 2
    assert count(cli, db, "--kind", "company") == 1
    assert count(cli, db, "--kind", "person") == 1

    rows = {row["id"]: row for row in listed(cli, db)}
    assert rows[zoe]["name"] == "Zoé Martin"
    assert rows[zoe]["kind"] == "person"
    assert rows[zoe]["phone"] == "06 12 34 56 78"  # national format for the store's region
    assert rows[zoe]["email"] == "zoe@example.org"
    assert set(rows[zoe]["tags"].split(", ")) == {"vip", "lead"}
    assert rows[acme]["kind"] == "company"
    assert rows[acme]["phone"] == "+48 512 345 678"  # international: another country
    assert [r["id"] for r in listed(cli, db, "--search", "zoe")] == [zoe]
    assert [r["id"] for r in listed(cli, db, "--search", "06 12")] == [zoe]
    assert [r["id"] for r in listed(cli, db, "--kind", "company")] == [acme]
    assert len(listed(cli, db, "--limit", "1")) == 1

    result = run(cli, "--db", str(db), "contacts", "delete", zoe, "--yes")
    assert result.exit_code == 0, result.output
    assert zoe in result.stdout
    assert count(cli, db) == 1
    assert [r["id"] for r in listed(cli, db)] == [acme]
    assert not (tmp_path / "env.db").exists()


def test_add_keeps_an_unparsable_phone(cli: CliRunner, db: Path) -> None:
    zoe = add(cli, db, "--first", "Zoé", "--phone", "ask the switchboard")
    with open_store(db) as store, store.read() as session:
        phone = session.exec(select(ContactPhone).where(ContactPhone.contact_id == zoe)).one()
        assert (phone.raw, phone.valid, phone.e164) == ("ask the switchboard", False, None)
    assert listed(cli, db)[0]["phone"] == "ask the switchboard"


def test_delete_asks_first(cli: CliRunner, db: Path) -> None:
    zoe = add(cli, db, "--first", "Zoé")
    refused = run(cli, "--db", str(db), "contacts", "delete", zoe, input="n\n")
    assert refused.exit_code == 1
    assert count(cli, db) == 1
    accepted = run(cli, "--db", str(db), "contacts", "delete", zoe, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert count(cli, db) == 0


def test_delete_errors_are_exit_code_2(cli: CliRunner, db: Path) -> None:
    add(cli, db, "--first", "Zoé")
    result = run(cli, "--db", str(db), "contacts", "delete", "ghost", "--yes")
    assert result.exit_code == 2
    assert "nocontactwithidghost" in squeezed(result.stderr)
    assert count(cli, db) == 1


def test_invalid_input_is_exit_code_2(cli: CliRunner, db: Path) -> None:
    result = run(cli, "--db", str(db), "contacts", "add", "--first", "Zoé", "--email", "zoe@")
    assert result.exit_code == 2
    assert "emails.0.address" in result.stderr
    assert count(cli, db) == 0


def test_env_var_chooses_the_store(cli: CliRunner, tmp_path: Path) -> None:
    env_db = tmp_path / "env.db"
    result = run(cli, "contacts", "add", "--first", "Zoé")
    assert result.exit_code == 0, result.output
    assert env_db.exists()
    other = CliRunner(env={"CRMTUI_DB": str(tmp_path / "other.db")})
    assert run(other, "contacts", "count").stdout.strip() == "0"
    assert run(cli, "contacts", "count").stdout.strip() == "1"


def test_db_option_wins_over_the_env_var(cli: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "option.db"
    add(cli, db, "--first", "Zoé")
    assert count(cli, db) == 1
    assert not (tmp_path / "env.db").exists()
    with open_store(db) as store, store.read() as session:
        assert [c.first_name for c in session.exec(select(Contact))] == ["Zoé"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "command",
    [("contacts", "count"), ("contacts", "list"), ("contacts", "add", "--first", "Zoé")],
)
def test_a_file_that_is_not_a_store_is_refused(
    cli: CliRunner, tmp_path: Path, command: tuple[str, ...]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Call Zoé back on Monday\n", encoding="utf-8")
    before = digest(notes)
    result = run(cli, "--db", str(notes), *command)
    assert result.exit_code == 2
    assert squeezed(str(notes)) in squeezed(result.stderr)
    assert "not a crmtui store" in " ".join(result.stderr.split())
    assert result.stdout == ""
    assert digest(notes) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_store_from_a_newer_crmtui_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    open_store(db).close()
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    before = digest(db)
    result = run(cli, "--db", str(db), "contacts", "count")
    assert result.exit_code == 2
    assert "newer crmtui" in " ".join(result.stderr.split())
    assert digest(db) == before
