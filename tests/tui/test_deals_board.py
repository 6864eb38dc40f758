"""The pipeline board: columns with count, total and weighted total in the
default currency; moving a card with keys changes its stage and probability."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from crmtui.screens.opportunities import OpportunitiesScreen
from crmtui.screens.opportunities.board import PipelineBoard, StageColumn
from crmtui.store import Store

from .conftest import SIZE, settle


def seed(store: Store) -> dict[str, str]:
    store.mutate("exchange_rate.set", {"currency": "USD", "rate": "0.9"})
    stages = {
        name: store.mutate("stage.create", {"name": name, "probability": p, "state": state})
        for name, p, state in [
            ("Won", 100, "won"),  # created first: the board still puts open stages first
            ("Lead", 10, "open"),
            ("Offer", 40, "open"),
            ("Lost", 0, "lost"),
        ]
    }
    store.mutate(
        "opportunity.create",
        {"title": "Alpha", "stage_id": stages["Lead"], "budget_minor": 100_000,
         "currency": "EUR", "expected_close": date(2030, 7, 1)},
    )  # fmt: skip
    store.mutate(
        "opportunity.create",
        {"title": "Beta", "stage_id": stages["Lead"], "budget_minor": 50_000, "currency": "USD",
         "expected_close": date(2030, 8, 1)},
    )  # fmt: skip
    store.mutate(
        "opportunity.create",
        {"title": "Gamma", "stage_id": stages["Offer"], "budget_minor": 1_000,
         "currency": "EUR", "budget_type": "month", "budget_count": 12},
    )  # fmt: skip
    return stages


def headers(app) -> dict[str, str]:
    board = app.screen.query_one(PipelineBoard)
    return {
        c.column.stage.name: plain(str(c.query_one(".stage-header").render()))
        for c in board.columns
    }


def plain(shown: str) -> str:
    """Babel's narrow and no-break spaces (fr_FR, the store's locale) as spaces."""
    return shown.replace("\u202f", " ").replace("\xa0", " ")


def stage_and_probability(store: Store, title: str) -> tuple[str, int]:
    with store.read() as session:
        return tuple(
            session.execute(
                text(
                    "SELECT s.name, s.probability FROM opportunity o JOIN stage s "
                    "ON s.id = o.stage_id WHERE o.title = :t"
                ),
                {"t": title},
            ).one()
        )


async def test_board_columns_show_count_total_and_weighted_total(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, OpportunitiesScreen)
        shown = headers(app)
        assert list(shown) == ["Lead", "Offer", "Won", "Lost"]
        # 1 000,00 EUR + 500,00 USD x 0.9 = 1 450,00 EUR; 10 % of it is 145,00
        assert "2 deals" in shown["Lead"]
        assert "Σ 1 450,00 €" in shown["Lead"] and "≈ 145,00 €" in shown["Lead"]
        # 10,00 a month for 12 months = 120,00; 40 % = 48,00
        assert "Σ 120,00 €" in shown["Offer"] and "≈ 48,00 €" in shown["Offer"]
        assert "0 deals" in shown["Won"]


async def test_a_currency_without_rate_is_named_not_guessed(make_app, store):
    stages = seed(store)
    store.mutate(
        "opportunity.create",
        {"title": "Pounds", "stage_id": stages["Lead"], "budget_minor": 999, "currency": "GBP"},
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        lead = headers(app)["Lead"]
        assert "3 deals" in lead and "Σ 1 450,00 €" in lead and "no rate: GBP" in lead
        legend = str(app.screen.query_one("#legend").render())
        assert "no exchange rate for GBP" in legend


async def test_moving_a_card_changes_stage_probability_and_totals(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert screen.current.title == "Alpha"  # first card of the first column
        await pilot.press("shift+right")
        await settle(pilot)
        assert stage_and_probability(store, "Alpha") == ("Offer", 40)
        shown = headers(app)
        assert "1 deal" in shown["Lead"] and "Σ 450,00 €" in shown["Lead"]
        # Offer: 1 000,00 + 120,00 = 1 120,00; 40 % = 448,00
        assert "2 deals" in shown["Offer"] and "≈ 448,00 €" in shown["Offer"]
        # the cursor followed the card into its new column
        assert screen.current.title == "Alpha" and screen.current.stage_name == "Offer"
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert stage_and_probability(store, "Alpha") == ("Lead", 10)
        await pilot.press("w")
        await settle(pilot)
        assert stage_and_probability(store, "Alpha") == ("Won", 100)
        assert "≈ 1 000,00 €" in headers(app)["Won"]
        await pilot.press("x")
        await settle(pilot)
        assert stage_and_probability(store, "Alpha") == ("Lost", 0)


async def test_keys_move_between_columns_and_b_shows_the_list(make_app, store):
    seed(store)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        await pilot.press("down")
        assert screen.current.title == "Beta"
        await pilot.press("right")
        await settle(pilot)
        assert screen.current.title == "Gamma"
        column = screen.query_one(PipelineBoard).columns[1]
        assert isinstance(column, StageColumn) and column.cards.has_focus
        await pilot.press("left")
        assert screen.current.title == "Beta"  # each column keeps its cursor
        await pilot.press("b")
        await settle(pilot)
        assert not screen.on_board
        assert screen.current.title == "Alpha"  # the list, by title
        await pilot.press("shift+right")  # moves work from the list too
        await settle(pilot)
        assert stage_and_probability(store, "Alpha") == ("Offer", 40)
