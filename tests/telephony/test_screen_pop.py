"""Who is ringing: the caller's card as the screen pop reads it."""

from __future__ import annotations

from datetime import UTC, datetime

from crmtui.store import Store
from crmtui.telephony.screen_pop import ends_the_call, identify

from .helpers import event

AT = datetime(2030, 6, 12, 10, tzinfo=UTC)


def test_a_known_caller_brings_their_company_deals_and_open_tasks(store: Store) -> None:
    acme = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    zoe = store.mutate(
        "contact.create",
        {"last_name": "Martin", "company_id": acme, "phones": [{"raw": "06 12 34 56 78"}]},
    )
    store.mutate("stage.create", {"name": "Open", "probability": 10})
    won = store.mutate("stage.create", {"name": "Won", "probability": 100, "state": "won"})
    store.mutate("opportunity.create", {"title": "Vans", "contact_id": acme})
    store.mutate("opportunity.create", {"title": "Old", "contact_id": acme, "stage_id": won})
    done = store.mutate("task.create", {"title": "Done", "contact_id": zoe, "due_at": AT})
    store.mutate("task.close", {"id": done, "at": AT})
    store.mutate("task.create", {"title": "Call back", "contact_id": zoe, "due_at": AT})
    store.mutate(
        "activity.create",
        {"subject": "Visit", "type": "meeting", "contact_id": acme, "person_id": zoe,
         "starts_at": AT},
    )  # fmt: skip
    caller = identify(store, event("1", "+33 6 12 34 56 78", kind="ringing"), "FR")
    card = caller.card
    assert card is not None and not caller.can_create
    assert (card.name, card.company and card.company.name) == ("Martin", "Acme")
    assert [d.title for d in card.deals] == ["Vans"]
    assert [t.title for t in card.tasks] == ["Call back"]
    assert [a.subject for a in card.activities] == ["Visit"]


def test_strangers_extensions_and_withheld_callers(store: Store) -> None:
    assert identify(store, event("1", "+33 6 99 88 77 66"), "FR").can_create
    assert not identify(store, event("2", "201"), "FR").can_create
    hidden = event("3", "+33 6 99 88 77 66", raw={"presentation": "restricted"})
    assert not identify(store, hidden, "FR").can_create


def test_the_ring_only_agent_ends_a_call_when_it_is_answered_elsewhere() -> None:
    assert ends_the_call(event("1", "x", source="sip", kind="answered"))
    assert not ends_the_call(event("1", "x", source="hep", kind="answered"))
    assert ends_the_call(event("1", "x", source="hep", kind="ended"))
