"""Property: whatever happens on the wire, every store converges to the server.

A Hypothesis state machine drives three laptops (an admin and two users)
against one real server (uvicorn, on SQLite and on PostgreSQL): offline edits, views, follows,
role changes, syncs whose requests are dropped, whose responses are lost
after the server committed, or which are sent twice, and laptops killed
between a local commit and their push. After a clean full sync:

- every store equals the server's view of its user's subset;
- every mutation took effect exactly once: each client's last applied id is
  the last id it queued, no record was created twice, and no change is
  logged twice for one mutation;
- every refused mutation is reported to its client;
- nothing is pending.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlmodel import col, select

from crmtui.store.models import Contact, OutboxEntry, SyncChange, SyncClient, SyncEvent, SyncState
from crmtui.store.mutations import MutationError
from crmtui.store.mutations.registry import next_mutation_id
from crmtui.sync import review
from crmtui.sync.cycle import run_cycle

from .server import Laptop, LiveServer, server_view, store_view

FAULTS = st.lists(st.sampled_from([None, "drop_request", "drop_response", "duplicate"]), max_size=3)


class Faulty(httpx.BaseTransport):
    """A transport that loses, or repeats, the requests it is told to."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.plan: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.plan.pop(0) if self.plan else None
        if fault == "drop_request":
            raise httpx.ConnectError("request lost", request=request)
        response = self.inner.handle_request(request)
        if fault == "duplicate":
            response.read()
            response = self.inner.handle_request(request)
        if fault == "drop_response":
            response.read()
            raise httpx.ReadError("response lost after the server committed", request=request)
        return response


class SyncMachine(RuleBasedStateMachine):
    server: ClassVar[LiveServer]
    folder: ClassVar[Path]

    @initialize()
    def setup(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.laptops: list[Laptop] = []
        self.transports: list[Faulty] = []
        for name, role in (("ada", "admin"), ("ann", "user"), ("bob", "user")):
            _uid, token = self.server.add_user(f"{name}-{tag}", role)
            transport = Faulty()
            lap = Laptop(self.folder / f"{name}-{tag}.db", self.server, token, transport=transport)
            self.laptops.append(lap)
            self.transports.append(transport)
        for lap in self.laptops:
            assert run_cycle(lap.store, lap.client).ok
        self.counter = 0
        self.bob_readonly = False

    def teardown(self) -> None:
        if not hasattr(self, "laptops"):
            return
        try:
            self.check_full_sync()
        finally:
            for lap in self.laptops:
                lap.close()

    # -- helpers -----------------------------------------------------------------

    def _mutate(self, lap: Laptop, name: str, args: dict[str, Any]) -> None:
        with contextlib.suppress(MutationError):  # a read-only user: refused locally
            lap.store.mutate(name, args)

    def _local_contact(self, lap: Laptop, pick: int) -> Contact | None:
        with lap.store.read() as session:
            rows = session.exec(select(Contact).order_by(col(Contact.id))).all()
        return rows[pick % len(rows)] if rows else None

    def _me(self, lap: Laptop) -> str:
        with lap.store.read() as session:
            return str(session.exec(select(SyncState)).one().user_id)

    # -- rules ---------------------------------------------------------------------

    @rule(who=st.integers(0, 2), access=st.sampled_from(["private", "public_ro", "public_rw"]))
    def create_contact(self, who: int, access: str) -> None:
        self.counter += 1
        self._mutate(
            self.laptops[who],
            "contact.create",
            {"first_name": f"P{self.counter}", "access": access},
        )

    @rule(
        owner=st.integers(0, 2),
        other=st.integers(0, 2),
        access=st.sampled_from(["private", "public_ro", "public_rw"]),
    )
    def share(self, owner: int, other: int, access: str) -> None:
        """A contact with a meeting both attend, synced to both: edits that the
        server may refuse (read-only or private records) become likely."""
        self.counter += 1
        a, b = self.laptops[owner], self.laptops[other]
        with contextlib.suppress(MutationError):
            cid = a.store.mutate(
                "contact.create", {"first_name": f"S{self.counter}", "access": access}
            )
            a.store.mutate(
                "activity.create",
                {
                    "subject": "meeting",
                    "contact_id": cid,
                    "user_ids": sorted({self._me(a), self._me(b)}),
                },
            )
        for lap in (a, b):
            run_cycle(lap.store, lap.client)

    @rule(who=st.integers(0, 2), pick=st.integers(0, 50))
    def update_contact(self, who: int, pick: int) -> None:
        lap = self.laptops[who]
        found = self._local_contact(lap, pick)
        if found is not None:
            self.counter += 1
            self._mutate(
                lap,
                "contact.update",
                {"id": found.id, "title": f"t{self.counter}", "base_version": found.version},
            )

    @rule(who=st.integers(0, 2), pick=st.integers(0, 50))
    def delete_contact(self, who: int, pick: int) -> None:
        lap = self.laptops[who]
        found = self._local_contact(lap, pick)
        if found is not None:
            self._mutate(lap, "contact.delete", {"id": found.id})

    @rule(who=st.integers(0, 2), pick=st.integers(0, 50), other=st.integers(0, 2))
    def log_activity(self, who: int, pick: int, other: int) -> None:
        lap = self.laptops[who]
        found = self._local_contact(lap, pick)
        if found is not None:
            users = sorted({self._me(lap), self._me(self.laptops[other])})
            self._mutate(
                lap,
                "activity.create",
                {"subject": "call", "contact_id": found.id, "user_ids": users},
            )

    @rule(who=st.integers(0, 2), pick=st.integers(0, 50))
    def follow(self, who: int, pick: int) -> None:
        lap = self.laptops[who]
        found = self._local_contact(lap, pick)
        if found is not None and not review.is_following(lap.store, "contact", found.id):
            self._mutate(lap, "follow.add", {"entity": "contact", "entity_id": found.id})

    @rule(who=st.integers(0, 2), owner=st.integers(0, 2), pick=st.integers(0, 50))
    def view(self, who: int, owner: int, pick: int) -> None:
        found = self._local_contact(self.laptops[owner], pick)
        if found is not None:
            review.note_viewed(self.laptops[who].store, "contact", found.id)

    @rule()
    def toggle_bob(self) -> None:
        """The admin makes Bob read-only, or a user again, and syncs at once: Bob's
        offline edits reach a server that now refuses (or accepts) them."""
        self.bob_readonly = not self.bob_readonly
        role = "readonly" if self.bob_readonly else "user"
        admin = self.laptops[0]
        self._mutate(admin, "user.update", {"id": self._me(self.laptops[2]), "role": role})
        run_cycle(admin.store, admin.client)

    @rule(who=st.integers(0, 2), faults=FAULTS)
    def sync(self, who: int, faults: list[str | None]) -> None:
        self.transports[who].plan = list(faults)
        run_cycle(self.laptops[who].store, self.laptops[who].client)
        self.transports[who].plan = []

    @precondition(lambda self: hasattr(self, "laptops"))
    @rule(who=st.integers(0, 2))
    def kill(self, who: int) -> None:
        """The process dies after its last local commit, before any push."""
        lap = self.laptops[who]
        lap.reopen()
        lap.client = type(lap.client)(self.server.url, lap.token, transport=self.transports[who])

    # -- the invariants after a clean full sync -----------------------------------------

    def check_full_sync(self) -> None:
        for _ in range(2):
            for lap in self.laptops:
                outcome = run_cycle(lap.store, lap.client)
                assert outcome.ok, outcome.error
        for lap in self.laptops:
            self.check_laptop(lap)

    def check_laptop(self, lap: Laptop) -> None:
        assert store_view(lap.store) == server_view(self.server, self._me(lap))
        with lap.store.read() as session:
            state = session.exec(select(SyncState)).one()
            assert session.exec(select(OutboxEntry)).all() == []
            assert state.pending == 0 and state.last_acked_id == next_mutation_id(session) - 1
            reported = {r.mutation_id for r in review.rejected(lap.store)}
        with self.server.db.snapshot() as session:
            client = session.get(SyncClient, state.client_id)
            assert client is not None and client.last_mutation_id == state.last_acked_id
            refused = [
                e.payload
                for e in session.exec(
                    select(SyncEvent).where(
                        col(SyncEvent.client_id) == state.client_id,
                        col(SyncEvent.kind) == "rejected",
                    )
                )
            ]
            changes = [
                (c.mutation_id, c.tbl, c.row_id)
                for c in session.exec(
                    select(SyncChange).where(col(SyncChange.client_id) == state.client_id)
                )
            ]
        assert {int(str(e["mutation_id"])) for e in refused} == reported
        assert not any("already exists" in str(e["reason"]) for e in refused)
        assert not {c[0] for c in changes} & reported
        logged = Counter(changes)
        assert max(logged.values(), default=1) == 1


@pytest.mark.slow
def test_stores_converge_whatever_the_network_does(server: LiveServer, tmp_path: Path) -> None:
    """On SQLite (one writer) and on PostgreSQL (concurrent pushes, numbered
    after commit by the sequencer)."""
    SyncMachine.server, SyncMachine.folder = server, tmp_path
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
