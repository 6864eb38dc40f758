"""Exports of every record family, and CSV imports of activities, tasks and deals."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import text

from crmtui.store import Store

from .helpers import Stores, run_cli


def _seed(store: Store) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["open"] = store.mutate("stage.create", {"name": "Proposal", "probability": 40})
    ids["won"] = store.mutate("stage.create", {"name": "Won", "probability": 100, "state": "won"})
    ids["zoe"] = store.mutate(
        "contact.create",
        {"first_name": "Zoé", "last_name": "Lefèvre", "emails": [{"address": "zoe@creme.fr"}]},
    )
    ids["deal"] = store.mutate(
        "opportunity.create",
        {
            "title": 'Fours, "grand" modèle',
            "contact_id": ids["zoe"],
            "budget_minor": 1234567,
            "currency": "EUR",
            "expected_close": date(2026, 12, 1),
            "stage_id": ids["open"],
        },
    )
    ids["activity"] = store.mutate(
        "activity.create",
        {
            "type": "call",
            "subject": "Appel; relance",
            "details": "Ligne 1\nLigne 2",
            "contact_id": ids["zoe"],
            "starts_at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        },
    )
    ids["task"] = store.mutate(
        "task.create",
        {
            "title": "Envoyer le devis",
            "contact_id": ids["zoe"],
            "opportunity_id": ids["deal"],
            "due_at": datetime(2026, 11, 20, 16, 0, tzinfo=UTC),
            "reminder_minutes": 60,
        },
    )
    ids["done"] = store.mutate("task.create", {"title": "Fait", "contact_id": ids["zoe"]})
    store.mutate("task.close", {"id": ids["done"], "at": datetime(2026, 11, 3, 8, 0, tzinfo=UTC)})
    return ids


def _table(store: Store, sql: str) -> list[tuple[Any, ...]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(text(sql))]


ACTIVITY_SQL = (
    "SELECT id, type, starts_at, subject, details, status, contact_id FROM activity ORDER BY id"
)
TASK_SQL = (
    "SELECT id, title, due_at, closed_at, reminder_minutes, contact_id, opportunity_id "
    "FROM task ORDER BY id"
)
DEAL_SQL = (
    "SELECT id, title, contact_id, budget_minor, currency, expected_close, stage_id "
    "FROM opportunity ORDER BY id"
)


def test_export_then_import_activities_tasks_and_deals(tmp_path: Path, stores: Stores) -> None:
    source, target = stores.new(), stores.new()
    _seed(source)
    for family in ("contacts", "opportunities", "activities", "tasks"):
        out = tmp_path / f"{family}.csv"
        assert run_cli(source.path, "export", family, "-o", str(out)).exit_code == 0
        if family == "opportunities":  # stages are settings, not data: make them first
            target.mutate("stage.create", {"name": "Proposal", "probability": 40})
            target.mutate("stage.create", {"name": "Won", "probability": 100, "state": "won"})
        result = run_cli(target.path, "import", family, str(out))
        assert result.exit_code == 0, result.output
    assert _table(target, ACTIVITY_SQL) == _table(source, ACTIVITY_SQL)
    assert _table(target, TASK_SQL) == _table(source, TASK_SQL)
    deals = _table(target, DEAL_SQL)
    assert [d[:6] for d in deals] == [d[:6] for d in _table(source, DEAL_SQL)]
    again = run_cli(target.path, "import", "tasks", str(tmp_path / "tasks.csv"))
    assert "unchanged\t2" in again.output


def test_foreign_task_file_with_map_and_references_by_name(
    tmp_path: Path, db: Path, store: Store
) -> None:
    ids = _seed(store)
    path = tmp_path / "todo.csv"
    path.write_text(
        "Quoi;Échéance;Client\n"
        "Rappeler;2026-12-01 10:00;zoe@creme.fr\n"
        "Relancer;2026-12-02T09:00:00+01:00;Zoé Lefèvre\n"
        "Inconnu;2026-12-03;Personne\n"
        "Date fausse;demain;\n",
        encoding="cp1252",
    )
    result = run_cli(
        db,
        "import",
        "tasks",
        str(path),
        "--map",
        "Quoi=title",
        "--map",
        "Échéance=due_at",
        "--map",
        "Client=contact",
    )
    assert result.exit_code == 1
    assert "line 4: rejected: contact: no contact 'Personne'" in result.output
    assert "line 5: rejected: due_at: 'demain' is not a date and time" in result.output
    rows = _table(
        store, "SELECT title, due_at, contact_id FROM task WHERE title LIKE 'R%' ORDER BY title"
    )
    assert [(r[0], r[2]) for r in rows] == [("Rappeler", ids["zoe"]), ("Relancer", ids["zoe"])]
    assert str(rows[1][1]).startswith("2026-12-02 08:00:00")


def test_formats(tmp_path: Path, db: Path, store: Store) -> None:
    ids = _seed(store)
    out = tmp_path / "deals.xlsx"
    assert run_cli(db, "export", "opportunities", "-f", "xlsx", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    header = rows[0]
    deal = dict(zip(header, rows[1], strict=True))
    assert (deal["title"], deal["budget"], deal["stage"]) == (
        'Fours, "grand" modèle',
        "12345.67",
        "Proposal",
    )
    out = tmp_path / "calls.json"
    assert run_cli(db, "export", "activities", "-f", "json", "-o", str(out)).exit_code == 0
    [activity] = json.loads(out.read_text(encoding="utf-8"))
    assert activity["starts_at"] == "2026-11-02T09:30:00Z"
    assert activity["details"] == "Ligne 1\nLigne 2"
    out = tmp_path / "tasks.ics"
    assert run_cli(db, "export", "tasks", "-f", "ics", "-o", str(out)).exit_code == 0
    ics = out.read_bytes().decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert ics.count("BEGIN:VTODO") == 2 and "DUE:20261120T160000Z" in ics
    assert "TRIGGER;RELATED=END:-PT60M" in ics and "COMPLETED:20261103T080000Z" in ics
    assert f"UID:{ids['task']}@crmtui" in ics
    out = tmp_path / "invoices.csv"
    assert run_cli(db, "export", "invoices", "-o", str(out)).exit_code == 0
    with out.open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh))[:3] == ["id", "number", "issue_date"]


def test_wrong_format_or_unwritable_target(tmp_path: Path, db: Path, store: Store) -> None:
    result = run_cli(db, "export", "calls", "-f", "vcard", "-o", str(tmp_path / "x"))
    assert result.exit_code == 2 and "use csv, json, xlsx" in result.output
    result = run_cli(db, "export", "contacts", "-o", str(tmp_path / "no" / "dir.csv"))
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []  # no half-written file left anywhere


def test_xlsx_export_is_streamed(tmp_path: Path, store: Store) -> None:
    """constant_memory: the sheet is flushed row by row into a temporary file,
    so the workbook holds no shared strings table and rows stay in order."""
    store.mutate_many(
        [("contact.create", {"last_name": f"N{i:04d}", "first_name": "é,\n;"}) for i in range(300)]
    )
    out = tmp_path / "c.xlsx"
    assert run_cli(store.path, "export", "contacts", "-f", "xlsx", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as z:
        assert "xl/sharedStrings.xml" not in z.namelist()  # inline strings: streamed
    rows = list(
        openpyxl.load_workbook(out, read_only=True).active.iter_rows(  # type: ignore[union-attr]
            values_only=True
        )
    )
    assert [r[3] for r in rows[1:]] == [f"N{i:04d}" for i in range(300)]
    assert rows[1][2] == "é,\n;"
