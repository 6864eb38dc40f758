"""Opportunities: stages set the probability, moves, won/lost, access, links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from crmtui.store import Store
from crmtui.store.mutations import Context, MutationError, run_in
from crmtui.store.queries.deals import deal_detail, list_opportunities, list_stages


@pytest.fixture
def stages(store: Store) -> dict[str, str]:
    specs = [
        ("Lead", 10, "open"),
        ("Proposal", 40, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ]
    return {
        name: store.mutate("stage.create", {"name": name, "probability": p, "state": s})
        for name, p, s in specs
    }


@pytest.fixture
def acme(store: Store) -> str:
    return store.mutate(
        "contact.create", {"kind": "company", "company_name": "Acme", "currency": "USD"}
    )


def as_user(store: Store, user_id: str, name: str, args: dict[str, object]) -> object:
    with store.write() as session:
        return run_in(session, Context(user_id=user_id, role="user"), name, args)


@pytest.fixture
def bob(store: Store) -> Iterator[str]:
    yield store.mutate("user.create", {"name": "Bob", "role": "user"})


def test_new_deal_starts_in_first_open_stage_with_the_clients_currency(
    store: Store, stages: dict[str, str], acme: str
) -> None:
    deal = store.mutate("opportunity.create", {"title": "Website", "contact_id": acme})
    with store.read() as session:
        row = deal_detail(session, deal)
    assert row is not None
    assert (row.row.stage_name, row.row.probability, row.row.currency) == ("Lead", 10, "USD")


def test_moving_a_deal_changes_its_probability(
    store: Store, stages: dict[str, str], acme: str
) -> None:
    deal = store.mutate("opportunity.create", {"title": "Website", "contact_id": acme})
    store.mutate("opportunity.set_stage", {"id": deal, "stage_id": stages["Proposal"]})
    store.mutate("stage.update", {"id": stages["Proposal"], "probability": 55})
    with store.read() as session:
        detail = deal_detail(session, deal)
    assert detail is not None and detail.row.probability == 55


def test_win_and_lose_use_the_won_and_lost_stages(store: Store, stages: dict[str, str]) -> None:
    one = store.mutate("opportunity.create", {"title": "One"})
    two = store.mutate("opportunity.create", {"title": "Two"})
    store.mutate("opportunity.win", {"id": one})
    store.mutate("opportunity.lose", {"id": two})
    with store.read() as session:
        rows = {r.title: r for r in list_opportunities(session).rows}
    assert (rows["One"].stage_state, rows["One"].probability) == ("won", 100)
    assert (rows["Two"].stage_state, rows["Two"].probability) == ("lost", 0)


def test_without_a_won_stage_win_is_refused(store: Store) -> None:
    store.mutate("stage.create", {"name": "Lead", "probability": 10})
    deal = store.mutate("opportunity.create", {"title": "One"})
    with pytest.raises(MutationError, match="no won stage"):
        store.mutate("opportunity.win", {"id": deal})


def test_a_deal_needs_a_stage_to_exist(store: Store) -> None:
    with pytest.raises(MutationError, match="no open stage"):
        store.mutate("opportunity.create", {"title": "Orphan"})


def test_budget_value_counts_periods(store: Store, stages: dict[str, str]) -> None:
    store.mutate(
        "opportunity.create",
        {
            "title": "Retainer",
            "budget_minor": 150000,
            "currency": "EUR",
            "budget_type": "month",
            "budget_count": 12,
        },
    )
    store.mutate(
        "opportunity.create", {"title": "Fixed", "budget_minor": 150000, "budget_count": 12}
    )
    with store.read() as session:
        rows = {r.title: r.value_minor for r in list_opportunities(session).rows}
    assert rows == {"Retainer": 1_800_000, "Fixed": 150000}


def test_restricted_deal_is_hidden_and_locked_for_other_users(
    store: Store, stages: dict[str, str], bob: str
) -> None:
    carol = store.mutate("user.create", {"name": "Carol", "role": "user"})
    deal = store.mutate(
        "opportunity.create", {"title": "Secret", "restricted": True, "user_ids": [carol]}
    )
    with store.read() as session:
        seen_by_bob = list_opportunities(session, viewer=Context(user_id=bob, role="user"))
        seen_by_carol = list_opportunities(session, viewer=Context(user_id=carol, role="user"))
        assert deal_detail(session, deal, Context(user_id=bob, role="user")) is None
    assert [r.title for r in seen_by_bob.rows] == []
    assert [r.title for r in seen_by_carol.rows] == ["Secret"]
    with pytest.raises(MutationError, match="restricted"):
        as_user(store, bob, "opportunity.update", {"id": deal, "title": "Mine now"})
    as_user(store, carol, "opportunity.update", {"id": deal, "title": "Still secret"})


def test_restricted_deal_needs_a_user(store: Store, stages: dict[str, str]) -> None:
    deal = store.mutate("opportunity.create", {"title": "Open"})
    with pytest.raises(MutationError, match="at least one user"):
        store.mutate("opportunity.update", {"id": deal, "restricted": True, "user_ids": []})


def test_linked_contacts_and_custom_fields(store: Store, stages: dict[str, str], acme: str) -> None:
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "last_name": "Martin"})
    field = store.mutate(
        "custom_field.create",
        {"entity": "opportunity", "name": "Source", "kind": "choice", "choices": ["web", "fair"]},
    )
    deal = store.mutate(
        "opportunity.create",
        {"title": "Site", "contact_id": acme, "contact_ids": [zoe], "custom": {field: "fair"}},
    )
    with pytest.raises(MutationError, match="must be one of"):
        store.mutate("opportunity.update", {"id": deal, "custom": {field: "radio"}})
    with store.read() as session:
        detail = deal_detail(session, deal)
        by_contact = list_opportunities(session, contact_id=zoe).rows
    assert detail is not None
    assert [c.label for c in detail.contacts] == ["Zoé Martin"]
    assert [(c.label, c.note) for c in detail.custom] == [("Source", "fair")]
    assert [r.id for r in by_contact] == [deal]
    store.mutate("opportunity.delete", {"id": deal})
    with store.read() as session:
        left = session.execute(text("SELECT count(*) FROM custom_value")).scalar_one()
    assert left == 0


def test_stage_admin_rules(store: Store, stages: dict[str, str], bob: str) -> None:
    deal = store.mutate("opportunity.create", {"title": "Site"})
    with pytest.raises(MutationError, match="move_to"):
        store.mutate("stage.delete", {"id": stages["Lead"]})
    store.mutate("stage.delete", {"id": stages["Lead"], "move_to": stages["Proposal"]})
    with store.read() as session:
        assert list_opportunities(session).rows[0].stage_name == "Proposal"
    with pytest.raises(MutationError, match="already exists"):
        store.mutate("stage.create", {"name": "Won", "probability": 100})
    with pytest.raises(MutationError, match="only an admin"):
        as_user(store, bob, "stage.create", {"name": "Mine", "probability": 1})
    order = [stages["Lost"], stages["Won"], stages["Proposal"]]
    store.mutate("stage.reorder", {"ids": order})
    with store.read() as session:
        assert [s.id for s in list_stages(session)] == order
    with pytest.raises(MutationError, match="every stage"):
        store.mutate("stage.reorder", {"ids": order[:2]})
    assert deal
