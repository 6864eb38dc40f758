"""``POST /sync/push``: replay a client's mutations as its user (server side).

One transaction per push, one savepoint per mutation. Ids at or below the
client's last applied id are skipped (a retry changes nothing); a gap is
refused whole. A mutation that is not allowed (read-only user, no access,
invalid, or its record deleted meanwhile) is rolled back to its savepoint,
recorded as rejected with its reason, and still advances the id, so one bad
mutation never blocks the queue. The new last id commits with the effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from ..store import settings
from ..store.models import Follow, SyncChange, SyncClient, SyncEvent, SyncTouch
from ..store.mutations import MutationError, apply
from ..store.mutations.args import CreateArgs
from ..store.mutations.contacts import ContactCreate
from ..store.mutations.registry import Context, validate
from . import creations, events, serverdb
from .creations import Creations
from .protocol import MutationIn, MutationResult, PushRequest, PushResponse
from .subset import Viewer, write_refusal
from .tracking import Change, Tracker


class _Retry(Exception):
    """A mutation of a batch run without savepoints failed: run it again with them."""


class SyncRefused(Exception):
    """A request the server will not serve; ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


def lock_client(conn: Connection, client_id: str, user_id: str, now: datetime) -> Any:
    """The client's row, locked; created for this user on first contact."""
    t = _t(SyncClient)
    row = conn.execute(select(t).where(t.c.client_id == client_id).with_for_update()).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(t).values(
                        client_id=client_id, user_id=user_id, created_at=now, last_seen_at=now
                    )
                )
        except IntegrityError:
            pass  # another request registered it first: read theirs
        row = conn.execute(select(t).where(t.c.client_id == client_id).with_for_update()).one()
    if row.user_id != user_id:
        raise SyncRefused(403, f"client {client_id} belongs to another user")
    return row


# Built once: a statement used again skips SQLAlchemy's cache-key walk.
_INSERT_CHANGES = insert(_t(SyncChange))
_INSERT_EVENTS = insert(_t(SyncEvent))
_SEEN = (
    update(_t(SyncClient))
    .where(_t(SyncClient).c.client_id == bindparam("client"))
    .values(last_mutation_id=bindparam("last"), last_seen_at=bindparam("now"))
)


@dataclass
class Journal:
    """What a push did, written once at the end; ``seq`` is numbered later
    (serverdb.sequence), in commit order."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    touched: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def event(
        self, user_id: str, client_id: str | None, kind: str, payload: Any, at: datetime
    ) -> None:
        self.events.append(
            {"user_id": user_id, "client_id": client_id, "kind": kind, "payload": payload, "at": at}
        )

    def mark(self) -> tuple[int, int, dict[tuple[str, str], datetime]]:
        return len(self.changes), len(self.events), dict(self.touched)

    def undo(self, mark: tuple[int, int, dict[tuple[str, str], datetime]]) -> None:
        """Forget what was noted since :meth:`mark` (its savepoint rolled back)."""
        del self.changes[mark[0] :], self.events[mark[1] :]
        self.touched = dict(mark[2])

    def write(self, conn: Connection, user_id: str) -> None:
        if self.changes:
            conn.execute(_INSERT_CHANGES, self.changes)
        if self.events:
            conn.execute(_INSERT_EVENTS, self.events)
        touches = [
            {"user_id": user_id, "tbl": k[0], "row_id": k[1], "at": at}
            for k, at in self.touched.items()
        ]
        serverdb.upsert(conn, _t(SyncTouch), touches, ["user_id", "tbl", "row_id"], ["at"])


@dataclass
class Pusher:
    session: Session
    viewer: Viewer
    client_id: str
    ctx: Context
    follows: bool  # anyone follows anything (a follow this push adds is the actor's own)
    fresh: frozenset[str] = frozenset()  # new contacts' ids known free (Start.fresh)
    journal: Journal = field(default_factory=Journal)

    def run(self, m: MutationIn, tracker: Tracker, *, guarded: bool = True) -> MutationResult:
        """Apply one mutation; unless ``guarded``, without a savepoint of its own,
        raising :class:`_Retry` instead of rolling back when it fails."""
        conn = self.session.connection()
        savepoint = self.session.begin_nested() if guarded else None
        tracker.reset()
        model: Any = None
        try:
            model = validate(m.name, m.args)
            target = events.table_for(m.name)
            rid = getattr(model, "id", None)
            # A creation's record does not exist yet (if it did, the mutation says so).
            # A creation's record does not exist yet (if it did, the mutation says so).
            refusal = (
                write_refusal(conn, self.viewer, target, str(rid))
                if target and rid and not isinstance(model, CreateArgs)
                else None
            )
            if refusal:
                raise MutationError(f"{m.name}: {refusal}")
            found = events.conflicts(conn, m.name, model, self.client_id)
            apply(self.session, self.ctx, m.name, model)
            changes = tracker.finish()
        except OperationalError:
            raise  # the database is unwell: the whole push is retried later
        except (MutationError, ValueError, IntegrityError) as exc:
            if savepoint is None:
                raise _Retry from exc
            savepoint.rollback()
            self.session.expunge_all()
            return self._rejected(conn, m, model, str(exc).splitlines()[0])
        if savepoint is not None:
            savepoint.commit()
        self._applied(conn, m, changes, found)
        return MutationResult(id=m.id, status="applied")

    def created(self, todo: list[MutationIn], changes: list[Change]) -> list[MutationResult]:
        """Record a run of creations written set-wise, one change each."""
        conn = self.session.connection()
        for m, change in zip(todo, changes, strict=True):
            self._applied(conn, m, [change], [])
        return [MutationResult(id=m.id, status="applied") for m in todo]

    def _applied(
        self, conn: Connection, m: MutationIn, changes: list[Change], found: list[dict[str, Any]]
    ) -> None:
        now, user = self.ctx.now, self.viewer.user_id
        for c in changes:
            self.journal.changes.append(
                {
                    "tbl": c.key[0],
                    "row_id": c.key[1],
                    "version": c.version,
                    "op": c.op,
                    "fields": c.fields,
                    "user_id": user,
                    "client_id": self.client_id,
                    "mutation_id": m.id,
                    "at": now,
                }
            )
            if c.op == "put":
                self.journal.touched[c.key] = now
        for conflict in found:
            conflict["mutation_id"] = m.id
            self.journal.event(user, self.client_id, "conflict", conflict, now)
        if not self.follows:
            return
        for follower, payload in events.notifications(conn, changes, user, now.isoformat()):
            self.journal.event(follower, None, "notification", payload, now)

    def _rejected(self, conn: Connection, m: MutationIn, model: Any, reason: str) -> MutationResult:
        now, user = self.ctx.now, self.viewer.user_id
        by = events.deleted_by(conn, m.name, model) if model is not None else None
        if by is not None:
            reason += f" (deleted by {by}; a delete wins over an update)"
            table = events.table_for(m.name) or ""
            self.journal.event(
                user,
                self.client_id,
                "conflict",
                {
                    "mutation": m.name,
                    "mutation_id": m.id,
                    "tbl": table,
                    "row_id": str(model.id),
                    "field": "*",
                    "mine": m.args,
                    "theirs": None,
                    "base_version": getattr(model, "base_version", None),
                    "server_version": None,
                    "by_user": by,
                },
                now,
            )
        self.journal.event(
            user,
            self.client_id,
            "rejected",
            {"mutation_id": m.id, "name": m.name, "args": m.args, "reason": reason},
            now,
        )
        return MutationResult(id=m.id, status="rejected", reason=reason)


def _check_order(todo: list[MutationIn], last: int) -> None:
    for expected, m in enumerate(todo, start=last + 1):
        if m.id != expected:
            raise SyncRefused(
                409,
                f"mutation ids jump from {expected - 1} to {m.id}: "
                f"the server has applied up to {last}; resend from {last + 1}",
            )


def _run_all(session: Session, pusher: Pusher, todo: list[MutationIn]) -> list[MutationResult]:
    """Runs of plain creations set-wise (creations.py), the rest one by one."""
    readonly = pusher.ctx.role == "readonly"  # refused by the mutations themselves
    found = [(m, None if readonly else creations.plain(m)) for m in todo]
    results: list[MutationResult] = []
    for plain, group in groupby(found, key=lambda pair: pair[1] is not None):
        pairs = list(group)
        run = [m for m, _ in pairs]
        if plain:
            batch = Creations()
            for _, args in pairs:
                batch.add(pusher.ctx, cast(ContactCreate, args))
            safe = not results and batch.safe(pusher.fresh, pusher.ctx.user_id)
            if batch.write(session.connection(), guarded=not safe):
                results += pusher.created(run, batch.changes)
                continue
        tracker = Tracker(session)  # listens to the session: only while needed
        try:
            results += _one_by_one(session, pusher, tracker, run)
        finally:
            tracker.close()
    return results


def _one_by_one(
    session: Session, pusher: Pusher, tracker: Tracker, todo: list[MutationIn]
) -> list[MutationResult]:
    """Every mutation under one savepoint (two statements fewer each); if one
    fails, undo them all and run each under its own savepoint, so that only
    the failing ones are refused."""
    if len(todo) > 1:
        before = pusher.journal.mark()
        try:
            with session.begin_nested():
                return [pusher.run(m, tracker, guarded=False) for m in todo]
        except _Retry:
            session.expunge_all()
            pusher.journal.undo(before)
    return [pusher.run(m, tracker) for m in todo]


@dataclass(frozen=True, slots=True)
class Start:
    """What a push reads before its mutations."""

    client: Any  # the client's row, locked
    region: str  # the default region (phone numbers)
    follows: bool  # anyone follows anything
    fresh: frozenset[str] = frozenset()  # ids of the push's creations, free in this snapshot


def start(session: Session, viewer: Viewer, client_id: str, now: datetime) -> Start:
    """:class:`Start` read query by query (gate.py reads it in one)."""
    conn = session.connection()
    client = lock_client(conn, client_id, viewer.user_id, now)
    region = str(settings.get(session, "default_region"))
    follows = conn.execute(select(_t(Follow).c.id).limit(1)).first() is not None
    return Start(client, region, follows)


def _apply(
    session: Session,
    viewer: Viewer,
    req: PushRequest,
    todo: list[MutationIn],
    now: datetime,
    begun: Start,
) -> list[MutationResult]:
    """Run the new mutations and record the views."""
    conn = session.connection()
    ctx = Context(user_id=viewer.user_id, role=viewer.role, now=now, region=begun.region)
    pusher = Pusher(session, viewer, req.client_id, ctx, begun.follows, begun.fresh)
    results = _run_all(session, pusher, todo)
    for tbl, rid in req.viewed:
        pusher.journal.touched.setdefault((tbl, rid), now)
    pusher.journal.write(conn, viewer.user_id)
    if req.viewed:  # the subset may grow: this user's next pulls (and passes) recompute it
        t = _t(SyncClient)
        conn.execute(
            update(t).where(t.c.user_id == viewer.user_id).values(cvr_clock=-1, pass_clock=-1)
        )
    return results


def push(
    session: Session, viewer: Viewer, req: PushRequest, now: datetime, begun: Start | None = None
) -> tuple[PushResponse, int | None]:
    """Apply one push in the caller's transaction (``begun``: what gate.py read
    already): what happened to each id, and the clock value it took on SQLite,
    where a push numbers its own change-log rows and events (None otherwise:
    on PostgreSQL the caller runs ``Database.sequence`` once the push has
    committed)."""
    conn = session.connection()
    begun = begun or start(session, viewer, req.client_id, now)
    last_id = begun.client.last_mutation_id
    ordered = sorted(req.mutations, key=lambda m: m.id)
    todo = [m for m in ordered if m.id > last_id]
    _check_order(todo, last_id)
    results = [MutationResult(id=m.id, status="skipped") for m in ordered if m not in todo]
    if todo or req.viewed:
        results += _apply(session, viewer, req, todo, now, begun)
    seq = serverdb.sequence(conn) if todo and conn.dialect.name == "sqlite" else None
    last = todo[-1].id if todo else last_id
    conn.execute(_SEEN, {"client": req.client_id, "last": last, "now": now})
    return PushResponse(last_mutation_id=last, results=results), seq
