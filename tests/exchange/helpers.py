"""What exchange tests share: a canonical dump of a store's contacts, fresh
stores copied from one migrated template, and the CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner

from crmtui.cli.main import app
from crmtui.store import Store, open_store

_CONTACT_COLUMNS = (
    "id, kind, first_name, last_name, company_name, display_name, sort_key, "
    "company_id, title, website, description, type_id, temperature, currency, "
    "access, social"
)


def dump(store: Store) -> dict[str, Any]:
    """Every contact with its children, minus bookkeeping (times, versions,
    owner): what an export and re-import must carry over unchanged."""
    out: dict[str, Any] = {}
    with store.read() as s:
        for row in s.execute(text(f"SELECT {_CONTACT_COLUMNS} FROM contact")).mappings():
            out[row["id"]] = {**row, "phones": [], "emails": [], "addresses": [], "tags": []}
        for row in s.execute(
            text(
                "SELECT contact_id, label, raw, e164, valid FROM contact_phone "
                "ORDER BY contact_id, position"
            )
        ):
            out[row[0]]["phones"].append(tuple(row[1:]))
        for row in s.execute(
            text(
                "SELECT contact_id, label, address FROM contact_email ORDER BY contact_id, position"
            )
        ):
            out[row[0]]["emails"].append(tuple(row[1:]))
        for row in s.execute(
            text(
                "SELECT contact_id, label, street, postcode, city, region, "
                "country FROM contact_address ORDER BY contact_id, position"
            )
        ):
            out[row[0]]["addresses"].append(tuple(row[1:]))
        for row in s.execute(
            text(
                "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t "
                "ON t.id = ct.tag_id ORDER BY ct.contact_id, t.name"
            )
        ):
            out[row[0]]["tags"].append(row[1])
    return out


class Stores:
    """New stores made by copying one migrated, empty store file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        open_store(self.template).close()
        self.count = 0

    def new(self) -> Store:
        self.count += 1
        path = self.root / f"store{self.count}.db"
        shutil.copy(self.template, path)
        return open_store(path)


def run_cli(db: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False)
