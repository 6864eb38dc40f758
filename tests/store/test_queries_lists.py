"""Listings behind the TUI's lists: contacts (sorts, filters, anchors), contact
cards, activities, and the read-only opportunity, invoice and call lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crmtui.store import Store
from crmtui.store.mutations.args import name_id
from crmtui.store.queries.activities import ActivityFilter, activities
from crmtui.store.queries.browse import find_invoices, find_opportunities
from crmtui.store.queries.browse import opportunities as deals
from crmtui.store.queries.calls import call_list
from crmtui.store.queries.contact_detail import contact_detail
from crmtui.store.queries.contact_list import ContactListing, SearchListing
from crmtui.store.queries.contacts import ContactFilter
from crmtui.store.queries.invoice_list import invoice_listing
from crmtui.store.queries.lookups import sync_status
from crmtui.store.sql import connection_of


def people(store: Store, n: int) -> list[str]:
    return store.mutate_many(
        [("contact.create", {"first_name": "P", "last_name": f"{i:02d}"}) for i in range(n)]
    )


def every_name(store: Store, listing, size: int) -> list[str]:
    names, after = [], None
    with store.read() as session:
        while True:
            chunk = listing.page(connection_of(session), after, size)
            names += [r.display_name for r in chunk.rows]
            if chunk.next_key is None:
                return names
            after = chunk.next_key


@pytest.mark.parametrize("sort", ["name", "name_desc", "newest", "oldest"])
def test_contact_listing_pages_agree_with_anchors_and_walks(store: Store, sort: str) -> None:
    people(store, 23)
    listing = ContactListing(sort=sort)
    names = every_name(store, listing, 4)
    with store.read() as session:
        assert listing.count(connection_of(session)) == 23
        anchors = listing.anchors(connection_of(session), 5)
        assert len(anchors) == 4
        after_anchor = listing.page(connection_of(session), anchors[1], 3).rows  # rows 10, 11, 12
        walk = listing.keys_after(connection_of(session), anchors[1], 2)
        after_walk = listing.page(connection_of(session), walk[-1], 1).rows  # row 12
    assert len(names) == 23 and len(set(names)) == 23
    if sort.startswith("name"):
        assert names == sorted(names, reverse=sort == "name_desc")
    else:
        assert names == [
            f"P {i:02d}" for i in (reversed(range(23)) if sort == "newest" else range(23))
        ]
    assert [r.display_name for r in after_anchor] == names[10:13]
    assert after_walk[0].display_name == names[12]


def test_contact_listing_filters_and_search_listing(store: Store) -> None:
    store.mutate(
        "contact.create",
        {"first_name": "Hot", "last_name": "Lead", "tags": ["vip"], "temperature": "hot"},
    )
    store.mutate("contact.create", {"first_name": "Cold", "last_name": "Call", "tags": ["x"]})
    hot = ContactListing(ContactFilter(temperature="hot"))
    vip = ContactListing(ContactFilter(tag_id=name_id("tag", "vip")))
    assert every_name(store, hot, 10) == ["Hot Lead"]
    assert every_name(store, vip, 10) == ["Hot Lead"]
    assert every_name(store, SearchListing("lead"), 10) == ["Hot Lead"]
    assert every_name(store, SearchListing("zzz"), 10) == []


def test_contact_card_holds_everything_the_screen_shows(store: Store) -> None:
    company = store.mutate("contact.create", {"kind": "company", "company_name": "Ståhl AB"})
    person = store.mutate(
        "contact.create",
        {
            "first_name": "Eva",
            "last_name": "Berg",
            "company_id": company,
            "access": "private",
            "phones": [{"raw": "0612345678", "label": "mobile"}],
            "emails": [{"address": "E@x.se"}],
            "addresses": [
                {"street": "1 Gata", "postcode": "111 22", "city": "Stockholm", "country": "SE"}
            ],
            "tags": ["b", "a"],
        },
    )
    with store.read() as session:
        card = contact_detail(session, person)
        firm = contact_detail(session, company)
        assert contact_detail(session, "missing") is None
    assert card.company.name == "Ståhl AB" and card.access == "private"
    assert [p.e164 for p in card.phones] == ["+33612345678"]
    assert card.emails[0].address == "e@x.se" and card.tags == ("a", "b")
    assert card.addresses[0].one_line() == "1 Gata, 111 22 Stockholm, SE"
    assert [p.name for p in firm.people] == ["Eva Berg"] and firm.people_count == 1


def test_activities_filtered_by_type_dates_and_user(store: Store) -> None:
    cid = store.mutate("contact.create", {"first_name": "A", "last_name": "B"})
    for day, kind in ((1, "call"), (2, "mail"), (3, "call")):
        store.mutate(
            "activity.create",
            {
                "subject": f"{kind} {day}",
                "type": kind,
                "contact_id": cid,
                "starts_at": datetime(2030, 1, day, tzinfo=UTC),
            },
        )
    other = store.mutate("user.create", {"name": "Other"})
    with store.read() as session:

        def subjects(f: ActivityFilter) -> list[str]:
            return [a.subject for a in activities(f).page(connection_of(session), None, 10).rows]

        assert subjects(ActivityFilter()) == ["call 3", "mail 2", "call 1"]
        assert subjects(ActivityFilter(type="call")) == ["call 3", "call 1"]
        assert subjects(
            ActivityFilter(
                since=datetime(2030, 1, 2, tzinfo=UTC), until=datetime(2030, 1, 3, tzinfo=UTC)
            )
        ) == ["mail 2"]
        assert subjects(ActivityFilter(user_id=other)) == []
        assert activities(ActivityFilter(status="planned")).count(connection_of(session)) == 0


def test_read_only_lists_and_record_finders(store: Store) -> None:
    client = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    store.mutate("stage.create", {"name": "Lead", "probability": 10})
    store.mutate(
        "opportunity.create", {"title": "Big Deal", "contact_id": client, "budget_minor": 150000}
    )
    store.mutate(
        "invoice.create",
        {"client_id": client, "number": "INV0000123", "issue_date": date(2030, 2, 1)},
    )
    store.mutate(
        "call.log",
        {
            "source": "t",
            "source_call_id": "1",
            "contact_id": client,
            "remote_raw": "0612345678",
            "remote_e164": "+33612345678",
            "started_at": datetime(2030, 2, 1, 9, tzinfo=UTC),
        },
    )
    with store.read() as session:
        [deal] = deals().page(connection_of(session), None, 10).rows
        [invoice] = (
            invoice_listing("all", date(2030, 6, 1)).page(connection_of(session), None, 10).rows
        )
        [call] = call_list().page(connection_of(session), None, 10).rows
        assert [f.label for f in find_opportunities(session, "big")] == ["Big Deal"]
        assert [f.contact_id for f in find_invoices(session, "123")] == [client]
        assert find_invoices(session, "INV00001")[0].label == "INV0000123 · Acme"
        status = sync_status(connection_of(session))
    assert (deal.contact, deal.stage, deal.budget_minor) == ("Acme", "Lead", 150000)
    assert (invoice.number, invoice.contact_id, invoice.issue_date) == (
        "INV0000123",
        client,
        date(2030, 2, 1),
    )
    assert (call.contact_name, call.contact_id) == ("Acme", client)
    assert status.pending == 5 and status.server_url is None
