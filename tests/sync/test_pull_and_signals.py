"""Pages and lost pull answers, the subset's time window, long-poll, the loop."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from crmtui.store.models import SyncState
from crmtui.sync import subset
from crmtui.sync.cycle import run_cycle
from crmtui.sync.loop import SyncLoop, backoff, read_status

from .server import Laptop, LiveServer, server_view, store_view
from .test_convergence import Faulty
from .test_sync import assert_converged, laptop, person, sync, user_id


def test_pages_and_a_lost_pull_answer_still_converge(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    server = sqlite_server
    a = laptop(server, tmp_path, "ann")
    sync(a)
    for i in range(7):
        person(a, f"P{i}", phones=[{"raw": f"+33 6 12 34 56 7{i}"}])
    sync(a)
    _uid, token = server.add_user("ann2")  # the same person on a second laptop
    transport = Faulty()
    b = Laptop(tmp_path / "b.db", server, token, transport=transport)
    sync(b)
    with server.db.write() as session:  # b holds ann's contacts through an admin widening
        from crmtui.store.models import SyncAccount

        account = session.get(SyncAccount, user_id(b))
        assert account is not None
        account.scope = "all"
        session.add(account)
    # The first page arrives; the second is lost after the server recorded it.
    transport.plan = [None, "drop_response"]
    lost = run_cycle(b.store, b.client, limit=3)
    assert not lost.ok and lost.offline
    outcome = run_cycle(b.store, b.client, limit=3)
    # The lost page is sent again (its step undone), then the rest: 7 contacts in all.
    assert outcome.ok and outcome.pages == 2 and outcome.received == 4
    assert store_view(b.store) == server_view(server, user_id(b))
    a.close()
    b.close()


def test_activities_age_out_of_the_subset(sqlite_server: LiveServer, tmp_path: Path) -> None:
    a = laptop(sqlite_server, tmp_path, "ann")
    sync(a)
    with sqlite_server.db.write() as session:
        # A contact only linked to Ann through an old meeting (not created by her).
        from crmtui.store.mutations import apply
        from crmtui.store.mutations.registry import Context

        ctx = Context(user_id=None, role="admin")
        cid = apply(session, ctx, "contact.create", {"first_name": "Old", "access": "public_rw"})
        start = datetime.now(UTC) - timedelta(days=80)
        apply(
            session,
            ctx,
            "activity.create",
            {
                "subject": "m",
                "contact_id": cid,
                "starts_at": start.isoformat(),
                "user_ids": [user_id(a)],
            },
        )
    with sqlite_server.db.snapshot() as session:
        conn = session.connection()
        today = datetime.now(UTC).date()
        now = subset.versions(conn, subset.Viewer(user_id(a), today=today))
        later = subset.versions(conn, subset.Viewer(user_id(a), today=today + timedelta(days=11)))
    assert ("contact", cid) in now and ("contact", cid) not in later
    assert {k for k in now if k[0] == "activity"} - set(later)
    a.close()


def test_long_poll_wakes_on_another_clients_push(sqlite_server: LiveServer, tmp_path: Path) -> None:
    a, b = laptop(sqlite_server, tmp_path, "ann"), laptop(sqlite_server, tmp_path, "bob")
    sync(a, b)
    with b.store.read() as session:
        seen = session.exec(select(SyncState)).one().clock
    woke: list[int] = []
    waiter = threading.Thread(target=lambda: woke.append(b.client.wait(seen, timeout=60)))
    waiter.start()
    person(a, "Ping")
    sync(a)
    waiter.join(70)
    assert woke and woke[0] > seen
    assert b.client.wait(woke[0], timeout=0) == woke[0]  # nothing newer: answers at once
    a.close()
    b.close()


def test_background_loop_syncs_after_a_local_write(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    a, b = laptop(sqlite_server, tmp_path, "ann"), laptop(sqlite_server, tmp_path, "ada", "admin")
    cycles = threading.Semaphore(0)
    loop = SyncLoop(
        a.store, a.client, interval=3600, long_poll=30, on_cycle=lambda outcome: cycles.release()
    )
    loop.start()
    try:
        assert cycles.acquire(timeout=60)  # the cycle at start
        assert read_status(a.store).text() == "synced"
        cid = person(a, "Looped")
        assert read_status(a.store).pending == 0  # counted by the loop, not the write
        loop.poke()
        assert cycles.acquire(timeout=60)
        status = read_status(a.store)
        assert status.text() == "synced" and status.last_success_at is not None
        assert ("contact", cid) in server_view(sqlite_server, user_id(a))
        # Another client's push reaches the long-poll, which starts a cycle by itself.
        sync(b)
        b.store.mutate("user.update", {"id": user_id(b), "email": "x@example.com"})
        sync(b)
        assert cycles.acquire(timeout=60)
    finally:
        loop.stop()
    assert_converged(sqlite_server, a)
    a.close()
    b.close()


def test_backoff_has_full_jitter_and_a_cap() -> None:
    import random

    rng = random.Random(7)
    delays = [backoff(n, 1.0, 60.0, rng) for n in range(12) for _ in range(20)]
    assert all(0 <= d <= 60.0 for d in delays)
    assert len({round(d, 6) for d in delays}) == len(delays)  # jittered, never in lockstep
    assert max(backoff(3, 1.0, 60.0, rng) for _ in range(200)) <= 8.0


def test_instances_on_one_postgresql_signal_each_other(pg_db: str, tmp_path: Path) -> None:
    """Scale-out: a push on one instance wakes a long-poll on another (NOTIFY)."""
    first = LiveServer(pg_db, migrated=True).start()
    second = LiveServer(pg_db, migrated=True).start()
    try:
        a = laptop(first, tmp_path, "ann")
        _uid, token = first.add_user("bob")
        b = Laptop(tmp_path / "bob.db", second, token)  # Bob talks to the other instance
        sync(a, b)
        with b.store.read() as session:
            seen = session.exec(select(SyncState)).one().clock
        woke: list[int] = []
        waiter = threading.Thread(target=lambda: woke.append(b.client.wait(seen, timeout=60)))
        waiter.start()
        person(a, "Across")
        sync(a)
        waiter.join(70)
        assert woke and woke[0] > seen
        a.close()
        b.close()
    finally:
        first.close()
        second.close()
