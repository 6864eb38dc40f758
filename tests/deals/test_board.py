"""The board's reads: columns in board order, each column's cards as an indexed
listing (count, anchors, keys, pages) across dated and undated runs, and where
a card stands."""

from __future__ import annotations

from datetime import date, timedelta

from crmtui.store import Store
from crmtui.store.mutations import Context
from crmtui.store.queries.board import StageCards, board_columns, deal_listing, locate_card


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
            chunk = listing.page(session, after, limit)
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
        assert listing.count(session) == 23
        anchors = listing.anchors(session, 5)
        keys = listing.keys_after(session, None, 23)
        assert anchors == [keys[i] for i in range(4, 23, 5)]
        assert listing.keys_after(session, anchors[1], 3) == keys[10:13]
        assert locate_card(session, expected[17]) == (lead, 17)
        me = Context(user_id=store.mutate("user.create", {"name": "Eve"}), role="user")
        hidden = [i for _, i in made][4]
        assert StageCards(lead, me).count(session) == 22
        assert hidden not in [k[2] for k in StageCards(lead, me).keys_after(session, None, 30)]
        assert len(deal_listing(me).page(session, None, 50).rows) == 22
