"""The xlsx reports: figures computed, converted at the configured rates,
written with a native chart, and read back with openpyxl."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from crmtui.reports import data, people
from crmtui.reports.model import Period, ReportError
from crmtui.store import Store

from ..exchange.helpers import run_cli

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def _seed(store: Store) -> dict[str, str]:
    ids = {"me": _me(store)}
    ids["bob"] = store.mutate("user.create", {"name": "Bob"})
    ids["lead"] = store.mutate("stage.create", {"name": "Lead", "probability": 10})
    ids["offer"] = store.mutate("stage.create", {"name": "Offer", "probability": 50})
    ids["won"] = store.mutate("stage.create", {"name": "Won", "probability": 100, "state": "won"})
    ids["lost"] = store.mutate("stage.create", {"name": "Lost", "probability": 0, "state": "lost"})
    ids["client"] = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    store.mutate("exchange_rate.set", {"currency": "USD", "rate": "0.9"})
    deals = [  # (stage, amount minor, currency, count, close, responsible)
        ("won", 100_000, "EUR", 1, date(2026, 3, 10), "me"),
        ("won", 50_000, "USD", 1, date(2026, 3, 20), "bob"),  # 450.00 EUR
        ("won", 10_000, "EUR", 12, date(2026, 5, 1), "bob"),  # 12 months of 100.00
        ("won", 99_999, "EUR", 1, date(2025, 12, 31), "me"),  # outside the year
        ("lead", 20_000, "EUR", 1, date(2026, 6, 1), "me"),
        ("offer", 30_000, "USD", 1, date(2026, 6, 15), "bob"),  # 270.00 EUR
        ("lost", 70_000, "EUR", 1, date(2026, 6, 30), "me"),
    ]
    for stage, minor, currency, count, close, who in deals:
        store.mutate(
            "opportunity.create",
            {
                "title": f"{stage} {minor}",
                "contact_id": ids["client"],
                "budget_minor": minor,
                "currency": currency,
                "budget_count": count,
                "budget_type": "fixed" if count == 1 else "month",
                "expected_close": close,
                "stage_id": ids[stage],
                "responsible_id": ids[who],
            },
        )
    for minor, agent, status in (
        (120, "me", "answered"),
        (300, "bob", "answered"),
        (0, "bob", "missed"),
    ):
        store.mutate(
            "call.log",
            {
                "source": "test",
                "source_call_id": f"{agent}{minor}",
                "status": status,
                "started_at": datetime(2026, 4, 1, 10, minor % 60, tzinfo=UTC),
                "duration_s": minor,
                "billsec_s": minor,
                "agent_id": ids[agent],
                "cost_minor": minor // 10,
                "cost_currency": "USD",
            },
        )
    return ids


def _me(store: Store) -> str:
    with store.read() as s:
        return str(store.context(s).user_id)


def test_won_by_month_converted_and_rounded_once(store: Store) -> None:
    _seed(store)
    with store.read() as s:
        report = data.won(s, YEAR)
    months = {r[0]: r[1:] for r in report.table.rows}
    assert len(months) == 12
    assert months["2026-03"] == (2, Decimal("1450.00"))
    assert months["2026-05"] == (1, Decimal("1200.00"))
    assert report.table.totals == ("Total", 3, Decimal("2650.00"))
    assert report.details is not None and len(report.details.rows) == 3
    with store.read() as s:
        only_bob = data.won(s, YEAR, ["bob"])
    assert only_bob.table.totals == ("Total", 2, Decimal("1650.00"))


def test_forecast_and_funnel(store: Store) -> None:
    _seed(store)
    with store.read() as s:
        forecast = data.forecast(s, YEAR)
        funnel = data.funnel(s, YEAR)
    june = next(r for r in forecast.table.rows if r[0] == "2026-06")
    assert june == ("2026-06", 2, Decimal("470.00"), Decimal("155.00"))  # 20 + 135 weighted
    assert [r[:3] for r in funnel.table.rows] == [
        ("Lead", 1, Decimal("200.00")),
        ("Offer", 1, Decimal("270.00")),
        ("Won", 3, Decimal("2650.00")),
    ]


def test_managers_and_calls(store: Store) -> None:
    ids = _seed(store)
    with store.read() as s:
        managers = people.managers(s, YEAR)
        calls = people.calls(s, YEAR)
    titles = [c.title for c in managers.table.columns]
    bob = dict(zip(titles, next(r for r in managers.table.rows if r[0] == "Bob"), strict=True))
    assert (bob["Opportunities"], bob["Calls"], bob["Won (EUR)"]) == (3, 2, Decimal("1650.00"))
    rows = {r[0]: r for r in calls.table.rows}
    # agent, calls, answered, missed, in, out, talk, average, billed, cost
    assert rows["Bob"] == ("Bob", 2, 1, 1, 2, 0, 300, 150, 300, Decimal("0.27"))  # 0.30 USD
    assert calls.table.totals is not None and calls.table.totals[1] == 3
    assert ids["bob"]


def test_missing_rate_stops_the_report_naming_the_currencies(
    db: Path, store: Store, tmp_path: Path
) -> None:
    ids = _seed(store)
    for currency in ("GBP", "PLN"):
        store.mutate(
            "opportunity.create",
            {
                "title": currency,
                "budget_minor": 1,
                "currency": currency,
                "expected_close": date(2026, 2, 1),
                "stage_id": ids["won"],
            },
        )
    with store.read() as s, pytest.raises(ReportError, match="no exchange rate for GBP, PLN"):
        data.won(s, YEAR)
    out = tmp_path / "won.xlsx"
    result = run_cli(
        db, "report", "won", "--from", "2026-01-01", "--to", "2026-12-31", "-o", str(out)
    )
    assert result.exit_code == 2 and "GBP, PLN" in result.output
    assert not out.exists()


@pytest.mark.parametrize("name", ["won", "forecast", "funnel", "managers", "calls", "summary"])
def test_every_report_writes_a_sheet_with_a_chart(
    db: Path, store: Store, tmp_path: Path, name: str
) -> None:
    _seed(store)
    out = tmp_path / f"{name}.xlsx"
    result = run_cli(
        db, "report", name, "--from", "2026-01-01", "--to", "2026-12-31", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    sheet = openpyxl.load_workbook(out).worksheets[0]
    cells = [[c for c in row] for row in sheet.iter_rows(min_row=4, values_only=True)]
    _check(name, cells)


def _check(name: str, cells: list[list[Any]]) -> None:
    header, body = cells[0], cells[1:]
    if name == "won":
        assert body[-1][:3] == ["Total", 3, 2650.0]
    elif name == "summary":
        total = dict(zip(header, body[-1], strict=False))
        assert (total["Deals won"], total["Won (EUR)"], total["Calls"]) == (3, 2650.0, 3)
    elif name == "calls":
        assert body[-1][0] == "Total" and body[-1][1] == 3
        assert header[6] == "Talk time" and body[0][6] == timedelta(seconds=300)
    elif name == "funnel":
        assert [r[0] for r in body[:3]] == ["Lead", "Offer", "Won"]
    else:
        assert len(body) >= 2


def test_bad_dates_and_users(db: Path, store: Store, tmp_path: Path) -> None:
    out = str(tmp_path / "x.xlsx")
    assert (
        run_cli(
            db, "report", "won", "--from", "2026-13-01", "--to", "2026-12-31", "-o", out
        ).exit_code
        == 2
    )
    result = run_cli(db, "report", "won", "--from", "2026-02-01", "--to", "2026-01-01", "-o", out)
    assert result.exit_code == 2 and "before it starts" in result.output
    result = run_cli(
        db,
        "report",
        "calls",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--user",
        "Nobody",
        "-o",
        out,
    )
    assert result.exit_code == 2 and "no user named nobody" in result.output


def test_long_periods_read_tables_through_with_the_same_figures(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year is read by scanning the tables, a short period through the date
    indexes: both must give the same report."""
    _seed(store)
    assert data.scan_if_wide(YEAR) and not data.scan_if_wide(
        Period(date(2026, 3, 1), date(2026, 3, 31))
    )
    fns = (data.won, data.forecast, data.funnel, people.managers, people.calls, people.summary)
    with store.read() as s:
        scanned = [fn(s, YEAR, None).table for fn in fns]
    monkeypatch.setattr(data, "WIDE", timedelta(days=10_000))
    assert not data.scan_if_wide(YEAR)
    with store.read() as s:
        indexed = [fn(s, YEAR, None).table for fn in fns]
    assert scanned == indexed
