"""``crmtui demo`` fills a store with every kind of record, as base state."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from crmtui.cli.main import app
from crmtui.store import open_store

# Each query counts the rows of one kind of record the demo promises.
KINDS = {
    "people": "SELECT count(*) FROM contact WHERE kind = 'person'",
    "companies": "SELECT count(*) FROM contact WHERE kind = 'company'",
    "people at a company": "SELECT count(*) FROM contact WHERE company_id IS NOT NULL",
    "titles": "SELECT count(*) FROM contact WHERE title <> ''",
    "accented names": "SELECT count(*) FROM contact WHERE display_name <> sort_key "
    "AND lower(display_name) GLOB '*[éèëłżźśóąęü]*'",
    "Polish companies": "SELECT count(*) FROM contact WHERE company_name LIKE '%Sp. z o.o.'",
    "national numbers": "SELECT count(*) FROM contact_phone WHERE raw GLOB '0[67] *'",
    "international numbers": "SELECT count(*) FROM contact_phone WHERE raw GLOB '+4[48] *'",
    "00 numbers": "SELECT count(*) FROM contact_phone WHERE raw GLOB '00*'",
    "numbers kept raw": "SELECT count(*) FROM contact_phone WHERE NOT valid",
    "e-mails": "SELECT count(*) FROM contact_email",
    "addresses": "SELECT count(*) FROM contact_address",
    "tags": "SELECT count(*) FROM contact_tag",
    "contact types": "SELECT count(*) FROM contact c JOIN category k ON k.id = c.type_id "
    "WHERE k.scope = 'contact_type'",
    "temperatures": "SELECT count(DISTINCT temperature) - 2 FROM contact",
    "sales reps": "SELECT count(*) - 2 FROM user_account WHERE role = 'user'",
    "past activities": "SELECT count(*) FROM activity WHERE status = 'done'",
    "planned activities": "SELECT count(*) FROM activity WHERE status = 'planned' "
    "AND starts_at > datetime('now')",
    "overdue tasks": "SELECT count(*) FROM task WHERE closed_at IS NULL "
    "AND due_at < datetime('now')",
    "tasks due later": "SELECT count(*) FROM task WHERE closed_at IS NULL "
    "AND due_at > datetime('now', '+7 days')",
    "closed tasks": "SELECT count(*) FROM task WHERE closed_at IS NOT NULL",
    "won deals": "SELECT count(*) FROM opportunity o JOIN stage s ON s.id = o.stage_id "
    "WHERE s.state = 'won'",
    "lost deals": "SELECT count(*) FROM opportunity o JOIN stage s ON s.id = o.stage_id "
    "WHERE s.state = 'lost'",
    "open deals": "SELECT count(*) FROM opportunity o JOIN stage s ON s.id = o.stage_id "
    "WHERE s.state = 'open'",
    "deal currencies": "SELECT count(DISTINCT currency) - 2 FROM opportunity",
    "invoice statuses": "SELECT count(DISTINCT status) - 3 FROM invoice",
    "invoice lines with two taxes": "SELECT count(*) FROM invoice_line WHERE tax2_id IS NOT NULL",
    "exchange rates": "SELECT count(*) FROM exchange_rate",
    "products": "SELECT count(*) FROM product",
    "answered inbound calls": "SELECT count(*) FROM call WHERE direction = 'inbound' "
    "AND status = 'answered' AND billsec_s > 0",
    "missed calls": "SELECT count(*) FROM call WHERE status = 'missed'",
    "outbound calls": "SELECT count(*) FROM call WHERE direction = 'outbound'",
    "call keys": "SELECT count(*) FROM call_key",
}


def test_demo_builds_every_kind_of_record(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = CliRunner().invoke(app, ["--db", str(db), "demo", "--contacts", "400", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "contact\t400" in result.output  # plain lines when piped
    with open_store(db, create=False) as store, store.read() as session:
        missing = [
            kind for kind, sql in KINDS.items() if session.execute(text(sql)).scalar_one() <= 0
        ]
        assert not missing
        assert session.execute(text("SELECT count(*) FROM _outbox")).scalar_one() == 0


def test_demo_refuses_a_store_with_data(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "demo", "-n", "20"]).exit_code == 0
    again = runner.invoke(app, ["--db", str(db), "demo", "-n", "20"])
    assert again.exit_code == 2
    assert "already holds data" in again.output


def test_demo_refuses_an_unknown_region(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "x.db"), "demo", "--region", "XX"])
    assert result.exit_code == 2
    assert "FR, PL, GB" in result.output
