"""The board's reads: columns in board order, each column's cards as an indexed
listing (count, anchors, keys, pages) across dated and undated runs, and where
a card stands; the first cards of every column, read with the columns."""

from __future__ import annotations

from datetime import date, timedelta

from crmtui.store import Store
from crmtui.store.mutations import Context
from crmtui.store.queries.board import (
    StageCards,
    board_columns,
    deal_listing,
    first_cards,
    locate_card,
)
from crmtui.store.sql import connection_of


def stages(store: Store) -> dict[str, str]:
    specs = [("Won", 100, "won"), ("Lead", 10, "open"), ("Lost", 0, "lost"), ("Offer", 50, "open")]
    return {
        n: store.mutate("stage.create", {"name": n, "probability": p, "state": s})
        for n, p, s in specs
    }


def test_columns_come_open_then_won_then_lost(store: Store) -> None:
    stages(store)
    with store.read() as session:
        assert [c.stage.name for c in board_columns(session)] == ["Lead", "Offer", "Won", "Lost"]


def walk(listing: StageCards, store: Store, limit: int) -> list[str]:
    ids, after = [], None
    with store.read() as session:
        while True:
            chunk = listing.page(connection_of(session), after, limit)
            ids += [r.id for r in chunk.rows]
            if chunk.next_key is None:
                return ids
            after = chunk.next_key


def test_cards_page_dated_then_undated_and_anchor_every_step(store: Store) -> None:
    lead = stages(store)["Lead"]
    bob = store.mutate("user.create", {"name": "Bob"})
    made = []
    for n in range(23):
        close = date(2030, 1, 1) + timedelta(days=n % 5) if n % 3 else None
        made.append(
            (
                close,
                store.mutate(
                    "opportunity.create",
                    {
                        "title": f"D{n}",
                        "stage_id": lead,
                        "expected_close": close,
                        "restricted": n == 4,
                        "user_ids": [bob] if n == 4 else [],
                    },
                ),
            )
        )
    dated = sorted((c, i) for c, i in made if c is not None)
    expected = [i for _, i in dated] + sorted(i for c, i in made if c is None)
    listing = StageCards(lead)
    assert walk(listing, store, 4) == expected == walk(listing, store, 50)
    with store.read() as session:
        assert listing.count(connection_of(session)) == 23
        anchors = listing.anchors(connection_of(session), 5)
        keys = listing.keys_after(connection_of(session), None, 23)
        assert anchors == [keys[i] for i in range(4, 23, 5)]
        assert listing.keys_after(connection_of(session), anchors[1], 3) == keys[10:13]
        assert locate_card(session, expected[17]) == (lead, 17)
        me = Context(user_id=store.mutate("user.create", {"name": "Eve"}), role="user")
        hidden = [i for _, i in made][4]
        assert StageCards(lead, me).count(connection_of(session)) == 22
        assert hidden not in [
            k[2] for k in StageCards(lead, me).keys_after(connection_of(session), None, 30)
        ]
        assert len(deal_listing(me).page(connection_of(session), None, 50).rows) == 22


def test_first_cards_are_each_columns_first_page_as_the_viewer_sees_it(store: Store) -> None:
    ids = stages(store)
    bob = store.mutate("user.create", {"name": "Bob"})
    for n in range(7):
        store.mutate(
            "opportunity.create",
            {"title": f"L{n}", "stage_id": ids["Lead"], "restricted": n == 0, "user_ids": [bob],
             "expected_close": date(2030, 1, 1) + timedelta(days=n)},
        )  # fmt: skip
    store.mutate("opportunity.create", {"title": "O", "stage_id": ids["Offer"]})
    eve = Context(user_id=store.mutate("user.create", {"name": "Eve"}), role="user")
    with store.read() as session:
        for viewer in (None, eve):
            columns = board_columns(session, viewer)
            firsts = first_cards(session, columns, viewer, 3)
            for column, first in zip(columns, firsts, strict=True):
                page = StageCards(column.stage.id, viewer).page(connection_of(session), None, 3)
                assert first == page
            shown = {
                c.stage.name: [r.title for r in f.rows]
                for c, f in zip(columns, firsts, strict=True)
            }
            lead = ["L0", "L1", "L2"] if viewer is None else ["L1", "L2", "L3"]
            assert shown == {"Lead": lead, "Offer": ["O"], "Won": [], "Lost": []}
            assert firsts[0].next_key is not None and firsts[1].next_key is None
