"""The pull's horizon on PostgreSQL, where pushes commit concurrently.

A push that began first but commits last must still reach every client,
although a client pulled in between and saw a push that committed earlier:
change-log rows and events are numbered after they commit, in commit order
(serverdb.py), so the puller's clock and event cursor never pass them.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from crmtui.store.models import Contact, SyncChange, SyncEvent, utcnow
from crmtui.sync import accounts, push, review
from crmtui.sync.client import Client
from crmtui.sync.cycle import run_cycle
from crmtui.sync.protocol import MutationIn, PushRequest

from .server import Laptop, LiveServer


def _title(lap: Laptop, cid: str) -> str:
    with lap.store.read() as session:
        found = session.get(Contact, cid)
        assert found is not None
        return found.title


def test_a_push_committed_after_a_later_one_was_pulled_still_arrives(
    pg_db: str, tmp_path: Path
) -> None:
    server = LiveServer(pg_db, migrated=True).start()
    try:
        _ann_id, ann_token = server.add_user("ann", "user")
        _bob_id, bob_token = server.add_user("bob", "user")
        ann = Laptop(tmp_path / "ann.db", server, ann_token)
        early = ann.store.mutate("contact.create", {"first_name": "Early", "access": "public_rw"})
        late = ann.store.mutate("contact.create", {"first_name": "Late", "access": "public_rw"})
        for cid in (early, late):
            ann.store.mutate("follow.add", {"entity": "contact", "entity_id": cid})
        assert run_cycle(ann.store, ann.client).ok
        with server.db.write() as session:
            bob = accounts.authenticate(session, bob_token)
        assert bob is not None

        slow = PushRequest(
            client_id="bob-slow",
            mutations=[MutationIn(id=1, name="contact.update", args={"id": late, "title": "L"})],
        )
        with server.db.snapshot() as session:  # bob's slow push: written first...
            push.push(session, bob, slow, utcnow())
            session.flush()
            quick = MutationIn(id=1, name="contact.update", args={"id": early, "title": "E"})
            with Client(server.url, bob_token) as fast:  # ...another commits meanwhile
                fast.push(PushRequest(client_id="bob-fast", mutations=[quick]))
            assert run_cycle(ann.store, ann.client).ok  # ann sees the fast one only
            assert _title(ann, early) == "E" and _title(ann, late) == ""
            seen = {n.row_id for n in review.notifications(ann.store)}
            assert seen == {early}
        # ...and the slow push commits last: its rows are numbered now.
        assert server.db.sequence() is not None

        assert run_cycle(ann.store, ann.client).ok
        assert _title(ann, late) == "L"
        assert {n.row_id for n in review.notifications(ann.store)} == {early, late}

        with server.db.snapshot() as session:
            changes = session.exec(
                select(SyncChange).where(col(SyncChange.client_id).in_(["bob-slow", "bob-fast"]))
            ).all()
            by_client = {c.client_id: c for c in changes}
            # Written first (lower id), committed last: numbered last.
            assert by_client["bob-slow"].id < by_client["bob-fast"].id  # type: ignore[operator]
            assert by_client["bob-slow"].seq > by_client["bob-fast"].seq  # type: ignore[operator]
            notes = session.exec(
                select(SyncEvent).where(col(SyncEvent.kind) == "notification")
            ).all()
            assert all(n.seq is not None for n in notes)
        ann.close()
    finally:
        server.close()
