"""The pipeline board: a column per stage with count, total and weighted total
in the default currency; moves between columns; keyset pages of cards."""

from __future__ import annotations

import pytest

from crmtui.store import Store
from crmtui.store.mutations import Context
from crmtui.store.queries.deals import PipelineColumn, pipeline, stage_cards


@pytest.fixture
def board(store: Store) -> dict[str, str]:
    store.mutate("exchange_rate.set", {"currency": "USD", "rate": "0.9"})
    return {
        "Lead": store.mutate("stage.create", {"name": "Lead", "probability": 10}),
        "Offer": store.mutate("stage.create", {"name": "Offer", "probability": 35}),
        "Won": store.mutate("stage.create", {"name": "Won", "probability": 100, "state": "won"}),
    }


def deal(store: Store, stage: str, minor: int, currency: str = "EUR", **extra: object) -> str:
    args = {
        "title": f"{minor} {currency}",
        "stage_id": stage,
        "budget_minor": minor,
        "currency": currency,
        **extra,
    }
    return store.mutate("opportunity.create", args)


def columns(store: Store, viewer: Context | None = None) -> dict[str, PipelineColumn]:
    with store.read() as session:
        return {c.stage.name: c for c in pipeline(session, viewer)}


def test_totals_convert_to_the_default_currency_and_weigh_by_probability(
    store: Store, board: dict[str, str]
) -> None:
    deal(store, board["Offer"], 100_000)  # 1 000,00 EUR
    deal(store, board["Offer"], 33_333, "USD")  # 333,33 USD = 299,997 -> 300,00 EUR
    deal(store, board["Offer"], 1_000, "EUR", budget_type="day", budget_count=3)
    offer = columns(store)["Offer"]
    assert (offer.count, offer.currency) == (3, "EUR")
    assert offer.total_minor == 100_000 + 30_000 + 3_000
    assert offer.weighted_minor == 46_550  # 133 000 x 35 % exactly
    assert offer.unconverted == ()


def test_weighted_total_rounds_half_away_from_zero(store: Store, board: dict[str, str]) -> None:
    deal(store, board["Lead"], 15)  # 10 % of 15 cents is 1.5 cents
    assert columns(store)["Lead"].weighted_minor == 2


def test_a_currency_without_rate_is_named_not_summed(store: Store, board: dict[str, str]) -> None:
    deal(store, board["Lead"], 5_000, "GBP")
    deal(store, board["Lead"], 7_000)
    lead = columns(store)["Lead"]
    assert (lead.count, lead.total_minor, lead.unconverted) == (2, 7_000, ("GBP",))


def test_moving_a_card_moves_its_amount(store: Store, board: dict[str, str]) -> None:
    moved = deal(store, board["Lead"], 20_000)
    deal(store, board["Lead"], 5_000)
    store.mutate("opportunity.set_stage", {"id": moved, "stage_id": board["Offer"]})
    after = columns(store)
    assert (after["Lead"].count, after["Lead"].total_minor) == (1, 5_000)
    assert (after["Offer"].count, after["Offer"].total_minor, after["Offer"].weighted_minor) == (
        1,
        20_000,
        7_000,
    )
    store.mutate("opportunity.win", {"id": moved})
    won = columns(store)["Won"]
    assert (won.count, won.weighted_minor) == (1, 20_000)
    assert [c for c in columns(store)] == ["Lead", "Offer", "Won"]


def test_restricted_deals_count_only_for_their_users(store: Store, board: dict[str, str]) -> None:
    bob = store.mutate("user.create", {"name": "Bob"})
    carol = store.mutate("user.create", {"name": "Carol"})
    deal(store, board["Lead"], 1_000, restricted=True, user_ids=[carol])
    deal(store, board["Lead"], 2_000)
    assert columns(store, Context(user_id=bob, role="user"))["Lead"].total_minor == 2_000
    assert columns(store, Context(user_id=carol, role="user"))["Lead"].total_minor == 3_000


@pytest.mark.parametrize("limit", [1, 2, 5, 7, 8])
def test_cards_come_in_keyset_pages_soonest_close_first(
    store: Store, board: dict[str, str], limit: int
) -> None:
    days = ["2027-03-01", None, "2027-01-15", "2027-02-01", None, "2027-01-01", "2027-05-05"]
    ids = [deal(store, board["Lead"], 100 * n, expected_close=d) for n, d in enumerate(days)]
    deal(store, board["Offer"], 1, expected_close="2027-01-02")  # another column
    pages = []
    key = None
    with store.read() as session:
        while True:
            page = stage_cards(session, board["Lead"], after=key, limit=limit)
            pages.append(page.rows)
            if page.next_key is None:
                break
            key = page.next_key
    seen = [r for rows in pages for r in rows]
    assert all(len(rows) == limit for rows in pages[:-1]) and 0 < len(pages[-1]) <= limit
    assert [r.id for r in seen if r.expected_close is None] == sorted(ids[1::3][:2])
    assert sorted(r.id for r in seen) == sorted(ids)
    closes = [str(r.expected_close) for r in seen[:5]]
    assert closes == sorted(closes) and all(r.expected_close is None for r in seen[5:])
