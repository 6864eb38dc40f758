"""One sync cycle (push, then pull every page) and the status it leaves behind.

This is what ``crmtui sync`` runs once and the background loop runs again
and again. It never raises for a network or server problem: the outcome, and
the status row the status bar reads (``_sync_state``), say what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from ..store.db import Store
from ..store.models import OutboxEntry, SyncState, SyncViewed, User, utcnow
from . import replica
from .client import Client, SyncError
from .protocol import PAGE, MutationIn, PullRequest, PushRequest

PUSH_BATCH = 500
MAX_REFRESH = 5_000  # beyond this many local changes, start again from empty


@dataclass
class Outcome:
    """What moved in one cycle."""

    pushed: int = 0
    rejected: list[str] = field(default_factory=list)
    received: int = 0
    deleted: int = 0
    conflicts: int = 0
    notifications: int = 0
    pages: int = 0
    pending: int = 0
    error: str | None = None
    offline: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def lines(self) -> list[str]:
        if self.error:
            return [f"sync failed: {self.error}", f"{self.pending} change(s) still pending"]
        out = [
            f"pushed {self.pushed} change(s)"
            + (f", {len(self.rejected)} refused" if self.rejected else ""),
            f"received {self.received} record(s), removed {self.deleted}",
        ]
        out += [f"refused: {r}" for r in self.rejected]
        if self.conflicts:
            out.append(f"{self.conflicts} conflict(s) to review")
        if self.notifications:
            out.append(f"{self.notifications} new notification(s)")
        out.append("everything synced" if not self.pending else f"{self.pending} pending")
        return out


def _state(session: Session) -> SyncState:
    return session.exec(select(SyncState)).one()


def _adopt_identity(store: Store, client: Client) -> None:
    """The first time, act as the server's user for this token."""
    with store.read() as session:
        state = _state(session)
        known = state.cookie is not None and state.server_url == client.url
    if known:
        return
    me = client.whoami()
    with store.write() as session:
        state = _state(session)
        if session.get(User, me.user_id) is None:
            session.add(User(id=me.user_id, name=me.name, role=me.role))
        state.user_id, state.server_url = me.user_id, client.url
        if state.cookie is not None:
            state.cookie = None  # another server: start again from empty
        session.add(state)


def _push(store: Store, client: Client, out: Outcome) -> None:
    after = 0
    while True:
        with store.read() as session:
            state = _state(session)
            entries = session.exec(
                select(OutboxEntry)
                .where(col(OutboxEntry.mutation_id) > after)
                .order_by(col(OutboxEntry.mutation_id))
                .limit(PUSH_BATCH)
            ).all()
            viewed = session.exec(select(SyncViewed)).all() if after == 0 else []
            client_id = state.client_id
        if not entries and not viewed:
            return
        answer = client.push(
            PushRequest(
                client_id=client_id,
                viewed=[(v.tbl, v.row_id) for v in viewed],
                mutations=[MutationIn(id=e.mutation_id, name=e.name, args=e.args) for e in entries],
            )
        )
        out.pushed += sum(r.status == "applied" for r in answer.results)
        out.rejected += [f"#{r.id}: {r.reason}" for r in answer.results if r.status == "rejected"]
        _forget_views(store, viewed)
        if not entries:
            return
        after = entries[-1].mutation_id


def _forget_views(store: Store, sent: Sequence[SyncViewed]) -> None:
    if not sent:
        return
    with store.write() as session:
        for v in sent:
            session.exec(
                delete(SyncViewed).where(
                    col(SyncViewed.tbl) == v.tbl,
                    col(SyncViewed.row_id) == v.row_id,
                    col(SyncViewed.at) <= v.at,
                )
            )


def _pull_request(store: Store, limit: int, check_local: bool) -> tuple[PullRequest, int]:
    with store.read() as session:
        state = _state(session)
        mark = session.exec(select(func.max(OutboxEntry.mutation_id))).one() or 0
        refresh = replica.dirty(session) if check_local and state.cookie else []
        cookie = state.cookie if len(refresh) <= MAX_REFRESH else None
        req = PullRequest(
            client_id=state.client_id,
            cookie=cookie,
            limit=limit,
            events_after=state.events_after,
            refresh=refresh if cookie else [],
        )
    return req, mark


def _pull(store: Store, client: Client, out: Outcome, limit: int, check_local: bool) -> None:
    races = 0
    while True:
        req, mark = _pull_request(store, limit, check_local)
        answer = client.pull(req)
        pending = replica.apply_page(store, answer, mark)
        if pending is None:
            races += 1  # local writes raced this page: ask again, they are in the refresh
            check_local = True
            if races > 10:
                raise SyncError("local writes keep racing the sync; will retry")
            continue
        out.pages += 1
        out.pending = pending
        out.received += sum(e["op"] == "put" for e in answer.patch)
        out.deleted += sum(e["op"] == "del" for e in answer.patch)
        out.conflicts += sum(e.kind == "conflict" for e in answer.head.events)
        out.notifications += sum(e.kind == "notification" for e in answer.head.events)
        check_local = check_local or pending > 0
        if not answer.head.has_more:
            return


def _record_failure(store: Store, exc: SyncError, now: datetime) -> int:
    with store.write() as session:
        state = _state(session)
        state.last_error, state.last_attempt_at = str(exc), now
        if exc.offline and state.offline_since is None:
            state.offline_since = now
        state.pending = session.exec(select(func.count()).select_from(OutboxEntry)).one()
        session.add(state)
        return state.pending


def _record_success(store: Store, now: datetime) -> None:
    with store.write() as session:
        state = _state(session)
        state.last_error, state.offline_since = None, None
        state.last_success_at = state.last_attempt_at = now
        session.add(state)


def run_cycle(store: Store, client: Client, *, limit: int = PAGE) -> Outcome:
    """Push everything pending, then pull until up to date; record the status."""
    out = Outcome()
    try:
        with store.read() as session:
            had_local = session.exec(select(func.count()).select_from(OutboxEntry)).one() > 0
        _adopt_identity(store, client)
        _push(store, client, out)
        _pull(store, client, out, limit, had_local or bool(out.rejected))
    except SyncError as exc:
        out.error, out.offline = str(exc), exc.offline
        out.pending = _record_failure(store, exc, utcnow())
        return out
    _record_success(store, utcnow())
    return out
