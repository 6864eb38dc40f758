"""The Reports screen (``9``): the chosen report over the chosen period, previewed
(the funnel and the forecast as bar charts) and written to xlsx in a worker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import Input, Select, SelectionList, Static

from crmtui.screens.reports import ReportsScreen
from crmtui.screens.reports import screen as reports_screen
from crmtui.store import Store
from crmtui.widgets.bar_chart import BarChart

from .conftest import SIZE, notifications, settle


@pytest.fixture(autouse=True)
def documents(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Files go to a folder of the test's own by default."""
    folder = tmp_path / "Documents"
    folder.mkdir()
    monkeypatch.setattr(reports_screen, "documents", lambda: folder)
    return folder


def seed(store: Store) -> dict[str, str]:
    """Deals of 2030 ("now" is 2030-06-12) in EUR and USD (at 0.9)."""
    with store.read() as session:  # named, not the OS account's name, for the snapshot
        me = store.context(session).user_id
    store.mutate("user.update", {"id": me, "name": "Ada Admin"})
    ids = {"bob": store.mutate("user.create", {"name": "Bob"})}
    ids["lead"] = store.mutate("stage.create", {"name": "Lead", "probability": 10})
    ids["offer"] = store.mutate("stage.create", {"name": "Offer", "probability": 50})
    ids["won"] = store.mutate("stage.create", {"name": "Won", "probability": 100, "state": "won"})
    store.mutate("exchange_rate.set", {"currency": "USD", "rate": "0.9"})
    deals = (  # stage, minor, currency, expected close
        ("lead", 100_000, "EUR", date(2030, 6, 20)),
        ("lead", 50_000, "USD", date(2030, 7, 5)),
        ("offer", 200_000, "EUR", date(2030, 6, 25)),
        ("won", 300_000, "EUR", date(2030, 3, 1)),
        ("won", 999_999, "EUR", date(2029, 12, 31)),  # before the year
    )
    for stage, minor, currency, close in deals:
        store.mutate(
            "opportunity.create",
            {
                "title": f"{stage} {minor}",
                "budget_minor": minor,
                "currency": currency,
                "expected_close": close,
                "stage_id": ids[stage],
                "responsible_id": ids["bob"],
            },
        )
    return ids


async def open_reports(pilot) -> ReportsScreen:
    await settle(pilot)
    await pilot.press("9")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    return screen


def chart_text(app) -> str:
    """The chart as painted, with the locale's narrow spaces as plain ones."""
    chart = app.screen.query_one(BarChart)
    text = "\n".join(chart.render_line(y).text for y in range(chart.size.height))
    return text.replace("\u202f", " ").replace("\xa0", " ")


def status(app) -> str:
    return str(app.screen.query_one("#report-status", Static).render())


async def test_preview_shows_the_funnel_stage_counts_and_the_forecast(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        assert screen.query_one("#report-from", Input).value == "2030-01-01"  # this year
        assert screen.query_one("#report-to", Input).value == "2030-12-31"
        lines = chart_text(app).splitlines()
        assert lines[0].strip() == "Deals by stage"
        lead, offer, won = lines[1:]
        assert lead.lstrip().startswith("Lead") and lead.endswith("2 deals · 1 450,00 €")  # fr_FR
        assert offer.endswith("1 deal · 2 000,00 €") and won.endswith("1 deal · 3 000,00 €")
        assert lead.count("█") > offer.count("█")  # two deals draw a longer bar than one

        screen.query_one("#report-name", Select).value = "forecast"
        await settle(pilot)
        text = chart_text(app)
        assert "Forecast per month" in text and "weighted" in text
        june = next(line for line in text.splitlines() if line.lstrip().startswith("2030-06"))
        assert june.endswith("3 000,00 €")  # 1 000 + 2 000, of which 100 + 1 000 weighted

        await pilot.press("f3")  # this month only
        await settle(pilot)
        assert screen.query_one("#report-from", Input).value == "2030-06-01"
        assert screen.query_one("#report-to", Input).value == "2030-06-30"
        assert [ln.split()[0] for ln in chart_text(app).splitlines()[2:]] == ["2030-06"]


async def test_users_ticked_restrict_the_preview(make_app, store):
    ids = seed(store)
    with store.read() as session:
        me = store.context(session).user_id
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        users = screen.query_one("#users", SelectionList)
        users.select(me)  # Ada has no deals...
        users.select(ids["bob"])  # ...then Bob too, before the first preview is back
        users.deselect(me)
        await settle(pilot)
        assert chart_text(app).splitlines()[1].endswith("2 deals · 1 450,00 €")
        users.deselect(ids["bob"])
        users.select(me)
        await settle(pilot)
        assert all("0 deals" in line for line in chart_text(app).splitlines()[1:])


async def test_write_the_report_and_read_it_back(make_app, store, documents):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        users = screen.query_one("#users", SelectionList)
        assert users.option_count == 2  # Bob and the local user
        screen.query_one("#report-name", Select).value = "won"
        await settle(pilot)
        path = documents / "won-2030-01-01-2030-12-31.xlsx"
        assert screen.query_one("#report-path", Input).value == str(path)
        await pilot.press("f2")
        await settle(pilot)
        assert status(app) == f"Won deals (2030-01-01 to 2030-12-31) written to {path}"
        assert any(str(path) in n for n in notifications(app))
        sheet = openpyxl.load_workbook(path)["Won deals"]
        assert [c.value for c in sheet[4][:3]] == ["Month", "Deals won", "Amount (EUR)"]
        march = next(r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] == "2030-03")
        assert march[:3] == ("2030-03", 1, 3000)
        assert sheet._charts  # the native chart is there


async def test_writing_an_existing_file_asks_first(make_app, store, documents):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        target = Path(screen.query_one("#report-path", Input).value)
        target.write_text("mine")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text() == "mine"
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert openpyxl.load_workbook(target).sheetnames[0] == "Sales funnel"


async def test_a_missing_rate_names_the_currencies_and_writes_nothing(make_app, store, documents):
    ids = seed(store)
    for currency in ("GBP", "PLN"):
        store.mutate(
            "opportunity.create",
            {
                "title": currency,
                "budget_minor": 100,
                "currency": currency,
                "expected_close": date(2030, 5, 1),
                "stage_id": ids["won"],
            },
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        error = str(screen.query_one("#preview-error", Static).render())
        assert error.startswith("no exchange rate for GBP, PLN (to EUR)")
        assert chart_text(app) == ""
        await pilot.press("f2")
        await settle(pilot)
        assert status(app).startswith("no exchange rate for GBP, PLN (to EUR)")
        assert list(documents.iterdir()) == []


async def test_bad_dates_and_file_names_are_refused_next_to_the_field(make_app, store, documents):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        screen.query_one("#report-to", Input).value = "2029-12-31"
        await settle(pilot)
        assert "ends (2029-12-31) before it starts" in str(
            screen.query_one("#report-to").parent.query_one(".form-field--note", Static).render()
        )
        screen.query_one("#report-to", Input).value = "2030-12-31"
        screen.query_one("#report-path", Input).value = str(documents / "funnel.txt")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert list(documents.iterdir()) == []
        note = screen.query_one("#path-field").query_one(".form-field--note", Static)
        assert "ending in .xlsx" in str(note.render())


def test_reports_snapshot(snap_compare, make_app, store, monkeypatch):
    seed(store)
    monkeypatch.setattr(reports_screen, "documents", lambda: Path("/home/ada/Documents"))
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=open_reports)
