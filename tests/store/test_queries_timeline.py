"""A contact's timeline: every kind of record, newest first, keyset-paged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from crmtui.store import Store
from crmtui.store.queries.timeline import timeline
from crmtui.store.sql import connection_of

T0 = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def seed(store: Store) -> tuple[str, str]:
    """A company with one of each record, a day apart, and an unrelated contact."""
    cid = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    other = store.mutate("contact.create", {"first_name": "Not", "last_name": "Linked"})
    store.mutate(
        "activity.create",
        {"subject": "Kick-off", "contact_id": cid, "starts_at": T0, "type": "meeting"},
    )
    store.mutate(
        "call.log",
        {
            "source": "test",
            "source_call_id": "c1",
            "contact_id": cid,
            "remote_raw": "0612345678",
            "started_at": T0 + timedelta(days=1),
            "duration_s": 65,
        },
    )
    store.mutate(
        "task.create", {"title": "Send offer", "contact_id": cid, "due_at": T0 + timedelta(days=2)}
    )
    store.mutate(
        "invoice.create", {"client_id": cid, "number": "INV0000001", "issue_date": date(2030, 3, 4)}
    )
    store.mutate("activity.create", {"subject": "Elsewhere", "contact_id": other, "starts_at": T0})
    return cid, other


def test_timeline_lists_every_kind_newest_first(store: Store) -> None:
    cid, _ = seed(store)
    with store.read() as session:
        chunk = timeline(cid, None).page(connection_of(session), None, 10)
        count = timeline(cid, None).count(connection_of(session))
    kinds = [e.kind for e in chunk.rows]
    assert kinds == ["invoice", "task", "call", "activity"]
    assert count == 4 and chunk.next_key is None
    assert chunk.rows[0].at == datetime(2030, 3, 4, tzinfo=UTC)
    assert chunk.rows[2].detail == "inbound · 65 s"
    assert [e.title for e in chunk.rows][1:] == ["Send offer", "0612345678", "Kick-off"]


def test_timeline_pages_by_key_without_gaps_or_repeats(store: Store) -> None:
    cid, _ = seed(store)
    for i in range(7):
        store.mutate(
            "activity.create",
            {"subject": f"Note {i}", "contact_id": cid, "starts_at": T0 - timedelta(hours=i)},
        )
    listing = timeline(cid, None)
    seen, after = [], None
    with store.read() as session:
        whole = [e.id for e in listing.page(connection_of(session), None, 100).rows]
        while True:
            chunk = listing.page(connection_of(session), after, 3)
            seen += [e.id for e in chunk.rows]
            if chunk.next_key is None:
                break
            after = chunk.next_key
        anchors = listing.anchors(connection_of(session), 4)
        walked = listing.keys_after(connection_of(session), None, 8)
    assert seen == whole and len(whole) == 11
    assert [a[1] for a in anchors] == [whole[3], whole[7]]
    assert [k[1] for k in walked] == whole[:8]


def test_a_record_linked_as_contact_and_as_person_shows_once(store: Store) -> None:
    cid = store.mutate("contact.create", {"first_name": "Both", "last_name": "Ways"})
    store.mutate(
        "activity.create",
        {"subject": "Twice linked", "contact_id": cid, "person_id": cid, "starts_at": T0},
    )
    with store.read() as session:
        assert timeline(cid, None).count(connection_of(session)) == 1
        assert [
            e.title for e in timeline(cid, None).page(connection_of(session), None, 10).rows
        ] == ["Twice linked"]


def test_a_restricted_deal_shows_only_to_its_users(store: Store) -> None:
    from crmtui.store.mutations.registry import Context

    cid = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    bob = store.mutate("user.create", {"name": "Bob", "role": "user"})
    carol = store.mutate("user.create", {"name": "Carol", "role": "user"})
    store.mutate("stage.create", {"name": "Lead", "probability": 10, "state": "open"})
    store.mutate("opportunity.create", {"title": "Open deal", "contact_id": cid})
    store.mutate(
        "opportunity.create",
        {"title": "Secret", "contact_id": cid, "restricted": True, "user_ids": [carol]},
    )

    def titles(viewer: Context | None) -> list[str]:
        listing = timeline(cid, viewer)
        with store.read() as session:
            rows = listing.page(connection_of(session), None, 10).rows
            assert listing.count(connection_of(session)) == len(rows)
        return sorted(e.title for e in rows)

    assert titles(Context(user_id=bob, role="user")) == ["Open deal"]
    assert titles(Context(user_id=carol, role="user")) == ["Open deal", "Secret"]
    assert titles(Context(user_id=bob, role="admin")) == ["Open deal", "Secret"]
