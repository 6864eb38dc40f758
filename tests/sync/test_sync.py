"""Sync end to end: real uvicorn on loopback, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from crmtui.store.models import Activity, Contact, OutboxEntry, SyncState
from crmtui.sync import review
from crmtui.sync.client import SyncError
from crmtui.sync.cycle import run_cycle
from crmtui.sync.protocol import MutationIn, PushRequest

from .server import Laptop, LiveServer, server_view, store_view


def laptop(server: LiveServer, tmp_path: Path, name: str, role: str = "user") -> Laptop:
    _user_id, token = server.add_user(name, role)
    return Laptop(tmp_path / f"{name}.db", server, token)


def sync(*laptops: Laptop) -> None:
    for lap in laptops:
        outcome = run_cycle(lap.store, lap.client)
        assert outcome.ok, outcome.error


def user_id(lap: Laptop) -> str:
    with lap.store.read() as session:
        uid = session.exec(select(SyncState)).one().user_id
    assert uid is not None
    return uid


def assert_converged(server: LiveServer, *laptops: Laptop) -> None:
    for lap in laptops:
        assert store_view(lap.store) == server_view(server, user_id(lap))
        with lap.store.read() as session:
            assert session.exec(select(OutboxEntry)).all() == []


def person(lap: Laptop, first: str, **more: object) -> str:
    return str(
        lap.store.mutate("contact.create", {"first_name": first, "last_name": "Test", **more})
    )


def version_of(lap: Laptop, contact_id: str) -> int:
    with lap.store.read() as session:
        found = session.get(Contact, contact_id)
        assert found is not None
        return found.version


def test_three_clients_editing_offline_converge(server: LiveServer, tmp_path: Path) -> None:
    a, b, c = (laptop(server, tmp_path, n) for n in ("ann", "bob", "cat"))
    sync(a, b, c)
    shared = person(a, "Shared")
    sync(a)
    for lap in (b, c):  # each opens it once, so it stays in their subset
        review.note_viewed(lap.store, "contact", shared)
    sync(b, c)
    sync(b, c)
    # Offline: everyone edits, on different fields and records.
    a.store.mutate(
        "contact.update", {"id": shared, "title": "CEO", "base_version": version_of(a, shared)}
    )
    b.store.mutate(
        "contact.update",
        {"id": shared, "website": "https://b.example", "base_version": version_of(b, shared)},
    )
    person(c, "Own")
    c.store.mutate("activity.create", {"subject": "called", "contact_id": shared})
    sync(a, b, c)
    sync(a, b, c)
    assert_converged(server, a, b, c)
    with b.store.read() as session:
        row = session.get(Contact, shared)
        assert row is not None and (row.title, row.website) == ("CEO", "https://b.example")
    for lap in (a, b, c):
        lap.close()


def test_push_is_idempotent_and_refuses_gaps(sqlite_server: LiveServer, tmp_path: Path) -> None:
    server = sqlite_server
    a = laptop(server, tmp_path, "ann")
    sync(a)
    person(a, "Once")
    with a.store.read() as session:
        state = session.exec(select(SyncState)).one()
        entries = session.exec(select(OutboxEntry)).all()
    req = PushRequest(
        client_id=state.client_id,
        mutations=[MutationIn(id=e.mutation_id, name=e.name, args=e.args) for e in entries],
    )
    first, again = a.client.push(req), a.client.push(req)
    assert [r.status for r in first.results] == ["applied"]
    assert [r.status for r in again.results] == ["skipped"]
    assert again.last_mutation_id == first.last_mutation_id == entries[0].mutation_id
    gap = PushRequest(
        client_id=state.client_id,
        mutations=[
            MutationIn(
                id=entries[0].mutation_id + 2, name="contact.create", args={"first_name": "Gap"}
            )
        ],
    )
    with pytest.raises(SyncError) as refused:
        a.client.push(gap)
    assert refused.value.status == 409
    sync(a)
    assert_converged(server, a)
    with a.store.read() as session:
        names = [c.first_name for c in session.exec(select(Contact))]
    assert names == ["Once"]
    a.close()


def test_read_only_changes_are_refused_with_reason(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    server = sqlite_server
    admin, rob = laptop(server, tmp_path, "ann", "admin"), laptop(server, tmp_path, "rob")
    sync(admin, rob)
    # Rob writes offline; meanwhile an admin makes him read-only.
    person(rob, "Refused")
    admin.store.mutate("user.update", {"id": user_id(rob), "role": "readonly"})
    sync(admin)
    outcome = run_cycle(rob.store, rob.client)
    assert outcome.ok and len(outcome.rejected) == 1
    assert "read-only" in outcome.rejected[0]
    refused = review.rejected(rob.store)
    assert [r.name for r in refused] == ["contact.create"] and "read-only" in refused[0].reason
    assert_converged(server, admin, rob)  # the refused contact left the local store
    with rob.store.read() as session:
        assert session.exec(select(Contact)).all() == []
    admin.close()
    rob.close()


def test_a_refused_delete_restores_what_it_changed_locally(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    """Bob deletes Ann's read-only contact offline; his SQLite clears the
    contact of their shared meeting (ON DELETE SET NULL, no new version).
    The server refuses the delete: both come back as they were."""
    server = sqlite_server
    a, b = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(a, b)
    cid = person(a, "Guarded", access="public_ro")
    meeting = a.store.mutate(
        "activity.create",
        {"subject": "meeting", "contact_id": cid, "user_ids": [user_id(a), user_id(b)]},
    )
    sync(a, b)
    b.store.mutate("contact.delete", {"id": cid})
    with b.store.read() as session:
        assert session.get(Activity, meeting).contact_id is None  # type: ignore[union-attr]
    outcome = run_cycle(b.store, b.client)
    assert outcome.ok and "read-only" in outcome.rejected[0]
    with b.store.read() as session:
        assert session.get(Activity, meeting).contact_id == cid  # type: ignore[union-attr]
    assert_converged(server, a, b)
    a.close()
    b.close()


def test_private_contact_never_reaches_another_user(server: LiveServer, tmp_path: Path) -> None:
    a, b = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(a, b)
    secret = person(a, "Secret", access="private")
    visible = person(a, "Visible")
    bob = user_id(b)
    # Ann links both to an activity with Bob as a participant: he sees only one.
    for cid in (secret, visible):
        a.store.mutate(
            "activity.create",
            {"subject": "meeting", "contact_id": cid, "user_ids": [user_id(a), bob]},
        )
    sync(a, b)
    held = store_view(b.store)
    assert ("contact", visible) in held and ("contact", secret) not in held
    # Nor can he change it: a hand-made push with its id is refused.
    raw = b.client.push(
        PushRequest(
            client_id=_client_id(b),
            mutations=[
                MutationIn(
                    id=_next_id(b), name="contact.update", args={"id": secret, "title": "pwned"}
                )
            ],
        )
    )
    assert raw.results[-1].status == "rejected" and "private" in (raw.results[-1].reason or "")
    assert_converged(server, a)
    a.close()
    b.close()


def _client_id(lap: Laptop) -> str:
    with lap.store.read() as session:
        return session.exec(select(SyncState)).one().client_id


def _next_id(lap: Laptop) -> int:
    from crmtui.store.mutations.registry import next_mutation_id

    with lap.store.read() as session:
        return next_mutation_id(session)


def test_a_token_cannot_push_for_another_users_client(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    server = sqlite_server
    a, b = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(a, b)
    stolen = PushRequest(
        client_id=_client_id(a),
        mutations=[MutationIn(id=1, name="contact.create", args={"first_name": "Mallory"})],
    )
    with pytest.raises(SyncError) as refused:
        b.client.push(stolen)
    assert refused.value.status == 403
    a.close()
    b.close()


def test_revoked_access_removes_local_copies(server: LiveServer, tmp_path: Path) -> None:
    a, b = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(a, b)
    cid = person(a, "Soon private")
    a.store.mutate(
        "activity.create",
        {"subject": "call", "contact_id": cid, "user_ids": [user_id(a), user_id(b)]},
    )
    sync(a, b)
    assert ("contact", cid) in store_view(b.store)
    a.store.mutate(
        "contact.update", {"id": cid, "access": "private", "base_version": version_of(a, cid)}
    )
    sync(a, b)
    assert ("contact", cid) not in store_view(b.store)
    assert_converged(server, a, b)
    a.close()
    b.close()


def test_conflicts_are_logged_and_can_be_reapplied(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    server = sqlite_server
    a, b = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(a, b)
    cid = person(a, "Disputed")
    sync(a)
    review.note_viewed(b.store, "contact", cid)
    sync(b, b)
    base = version_of(a, cid)
    assert version_of(b, cid) == base
    a.store.mutate("contact.update", {"id": cid, "title": "from ann", "base_version": base})
    b.store.mutate("contact.update", {"id": cid, "title": "from bob", "base_version": base})
    sync(a, b, a)
    found = review.conflicts(b.store)
    assert [(c.field, c.mine, c.theirs, c.by_user) for c in found] == [
        ("title", "from bob", "from ann", "ann")
    ]
    assert review.conflicts(a.store) == []
    with a.store.read() as session:  # last writer in the server's order wins
        assert session.get(Contact, cid).title == "from bob"  # type: ignore[union-attr]
    # Bob keeps Ann's value after all, then changes his mind and re-applies his.
    review.reapply_conflict(b.store, found[0].seq)
    assert review.conflicts(b.store) == []
    sync(b, a)
    assert_converged(server, a, b)
    a.close()
    b.close()


def test_a_delete_wins_over_an_update(sqlite_server: LiveServer, tmp_path: Path) -> None:
    server = sqlite_server
    a, b = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(a, b)
    cid = person(a, "Doomed")
    sync(a)
    review.note_viewed(b.store, "contact", cid)
    sync(b, b)
    b.store.mutate(
        "contact.update", {"id": cid, "title": "too late", "base_version": version_of(b, cid)}
    )
    a.store.mutate("contact.delete", {"id": cid})
    sync(a, b)
    assert ("contact", cid) not in store_view(b.store)
    (conflict,) = review.conflicts(b.store)
    assert conflict.field == "*" and conflict.by_user == "ann"
    assert "a delete wins" in review.rejected(b.store)[0].reason
    assert_converged(server, a, b)
    a.close()
    b.close()


def test_followers_are_notified_of_others_changes(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    server = sqlite_server
    a, b = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(a, b)
    cid = person(a, "Watched")
    sync(a)
    review.note_viewed(b.store, "contact", cid)
    sync(b)
    review.follow(b.store, "contact", cid)
    assert review.is_following(b.store, "contact", cid)
    sync(b, b)
    a.store.mutate("contact.update", {"id": cid, "title": "VP", "base_version": version_of(a, cid)})
    a.store.mutate("activity.create", {"subject": "lunch", "contact_id": cid})
    b.store.mutate("contact.update", {"id": cid, "website": "https://mine.example"})
    sync(a, b)
    kinds = sorted(n.kind for n in review.notifications(b.store))
    assert kinds == ["activity", "changed"]  # not told of his own change
    assert all("ann" in n.summary for n in review.notifications(b.store))
    assert review.notifications(a.store) == []
    review.mark_read(b.store)
    assert review.notifications(b.store, unread_only=True) == []
    assert review.unfollow(b.store, "contact", cid)
    sync(b, a)
    assert_converged(server, a, b)
    a.close()
    b.close()


def test_server_restarted_in_the_middle_of_a_sync(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    server = sqlite_server
    a = laptop(server, tmp_path, "ann")
    sync(a)
    person(a, "Before")
    server.stop()
    outcome = run_cycle(a.store, a.client)
    assert not outcome.ok and outcome.offline and outcome.pending == 1
    with a.store.read() as session:
        state = session.exec(select(SyncState)).one()
        assert state.offline_since is not None and state.last_error
    server.start()
    sync(a)
    assert_converged(server, a)
    with a.store.read() as session:
        state = session.exec(select(SyncState)).one()
        assert state.offline_since is None and state.last_error is None
        assert state.last_success_at is not None
        assert state.last_success_at <= datetime.now(UTC)
    a.close()
