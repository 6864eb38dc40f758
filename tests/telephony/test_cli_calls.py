"""``crmtui import calls`` and ``crmtui calls``, through Typer's CliRunner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crmtui.cli.main import app
from crmtui.store import open_store

runner = CliRunner()
GOOD = (
    '"","0612345678","201","from-pstn","""Zoé"" <0612345678>","SIP/t-1","SIP/201-2","Dial",'
    '"x","2026-03-02 10:00:00","2026-03-02 10:00:05","2026-03-02 10:01:05",65,60,'
    '"ANSWERED","DOC","u{n}","","","l{n}",1'
)


def invoke(db: Path, *args: str) -> object:
    return runner.invoke(app, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    open_store(path).close()
    return path


def _summary(output: str) -> dict[str, int]:
    start = output.index("[")
    return {r["result"]: r["count"] for r in json.loads(output[start : output.rindex("]") + 1])}


def test_import_exit_codes_and_summary(db: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("\n".join(GOOD.format(n=n) for n in range(3)) + "\n", encoding="utf-8")
    result = invoke(
        db, "import", "calls", str(good), "--format", "asterisk-csv", "--tz", "UTC", "--json"
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    counts = _summary(result.output)  # type: ignore[attr-defined]
    assert (counts["calls new"], counts["contacts created"], counts["rejected"]) == (3, 1, 0)

    again = invoke(db, "import", "calls", str(good), "-f", "asterisk-csv", "--json")
    assert _summary(again.output)["unchanged"] == 3  # type: ignore[attr-defined]

    partial = tmp_path / "partial.csv"
    partial.write_text(GOOD.format(n=9) + '\n"broken","row"\n', encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    result = invoke(
        db, "import", "calls", str(partial), "-f", "asterisk-csv", "--rejects", str(rejects)
    )
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "line 2: expected 16, 17, 18 or 21 columns" in result.output  # type: ignore[attr-defined]
    assert rejects.read_text(encoding="utf-8").splitlines()[1].startswith("2,")

    bad = tmp_path / "bad.xml"
    bad.write_text("not xml at all", encoding="utf-8")
    result = invoke(db, "import", "calls", str(bad), "-f", "android-xml")
    assert result.exit_code == 2 and "not an XML call log" in result.output  # type: ignore[attr-defined]
    result = invoke(db, "import", "calls", str(tmp_path / "none.csv"), "-f", "asterisk-csv")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    result = invoke(db, "import", "calls", str(good), "-f", "asterisk-csv", "--agent", "nobody")
    assert result.exit_code == 2 and "no such user" in result.output  # type: ignore[attr-defined]


def test_mapped_csv_import_and_region(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "pbx.csv"
    path.write_text("When,Who,Dir\n2026-03-02 10:00:00,512 345 678,out\n", encoding="utf-8")
    result = invoke(
        db,
        "import",
        "calls",
        str(path),
        "-f",
        "csv",
        "--region",
        "PL",
        "--map",
        "When=started_at",
        "--map",
        "Who=remote",
        "--map",
        "Dir=direction",
        "--json",
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    listed = invoke(db, "calls", "list", "--json")
    (row,) = json.loads(listed.output)  # type: ignore[attr-defined]
    assert (row["direction"], row["status"], row["number"]) == (
        "outbound",
        "cancelled",
        "+48 512 345 678",
    )
    assert invoke(db, "import", "calls", str(path), "-f", "csv", "--region", "XX").exit_code == 2  # type: ignore[attr-defined]


def test_calls_commands(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD.format(n=1) + "\n", encoding="utf-8")
    invoke(db, "import", "calls", str(good), "-f", "asterisk-csv", "--tz", "UTC")
    (row,) = json.loads(invoke(db, "calls", "list", "--json").output)  # type: ignore[attr-defined]
    assert (row["contact"], row["duration"]) == ("Zoé", "1:00")
    assert json.loads(invoke(db, "calls", "list", "--missed", "--json").output) == []  # type: ignore[attr-defined]
    assert (
        invoke(db, "calls", "wrapup", row["id"], "-d", "Quote", "--outcome", "success").exit_code
        == 0
    )  # type: ignore[attr-defined]
    shown = invoke(db, "calls", "show", row["id"]).output  # type: ignore[attr-defined]
    assert "Quote" in shown and "asterisk-csv:l1" in shown
    stats = json.loads(invoke(db, "calls", "stats", "--json").output)  # type: ignore[attr-defined]
    assert stats[0]["calls"] == 1 and stats[0]["talk"] == "1:00"
    config = tmp_path / "config.toml"
    config.write_text(f'[telephony]\ndial_command = "{sys.executable} -c pass {{number}}"\n')
    monkeypatch.setenv("CRMTUI_CONFIG", str(config))
    result = invoke(db, "calls", "back", row["id"])
    assert result.exit_code == 0 and "+33612345678" in result.output  # type: ignore[attr-defined]
    assert len(json.loads(invoke(db, "calls", "list", "--json").output)) == 2  # type: ignore[attr-defined]
    assert invoke(db, "calls", "show", "nope").exit_code == 2  # type: ignore[attr-defined]
