"""What the TUI's Sync and Notifications screens call (all plain objects).

- :func:`outbox`, :func:`rejected`, :func:`conflicts`, :func:`notifications`
  list what is pending, what the server refused, the conflict log, and the
  notifications, newest first;
- :func:`reapply_conflict` puts the user's losing value back (a new update,
  based on the current version) and marks the conflict resolved;
  :func:`dismiss_conflict` marks it resolved without changing anything;
- :func:`follow` / :func:`unfollow` / :func:`is_following` for contacts and
  deals; :func:`mark_read` for notifications;
- :func:`note_viewed` records that the user opened a record, so the server
  keeps it in their subset for 30 days.

Follows are user data: ``follow.add`` and ``follow.remove`` are mutations
(crmtui/store/mutations/follows.py), queued and synced like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ..store.db import Store
from ..store.models import (
    Follow,
    OutboxEntry,
    SyncConflict,
    SyncNotification,
    SyncRejected,
    SyncViewed,
    utcnow,
)
from ..store.mutations import MutationError
from ..store.mutations.follows import Followable
from . import schema


def _user(store: Store, session: Session) -> str | None:
    return store.context(session).user_id


def is_following(store: Store, entity: Followable, entity_id: str) -> bool:
    with store.read() as session:
        return _find_follow(session, _user(store, session), entity, entity_id) is not None


def _find_follow(
    session: Session, user_id: str | None, entity: str, entity_id: str
) -> Follow | None:
    return session.exec(
        select(Follow).where(
            col(Follow.user_id) == user_id,
            col(Follow.entity) == entity,
            col(Follow.entity_id) == entity_id,
        )
    ).first()


def follow(store: Store, entity: Followable, entity_id: str) -> str:
    return str(store.mutate("follow.add", {"entity": entity, "entity_id": entity_id}))


def unfollow(store: Store, entity: Followable, entity_id: str) -> bool:
    """Stop following; False if the record was not followed."""
    with store.read() as session:
        found = _find_follow(session, _user(store, session), entity, entity_id)
    if found is None:
        return False
    store.mutate("follow.remove", {"id": found.id})
    return True


def note_viewed(store: Store, table: str, row_id: str) -> None:
    if table not in schema.roots():
        raise ValueError(f"{table} is not a synced record type")
    with store.write() as session:
        session.merge(SyncViewed(tbl=table, row_id=row_id, at=utcnow()))


@dataclass(frozen=True, slots=True)
class Pending:
    mutation_id: int
    name: str
    args: dict[str, Any]
    created_at: datetime


def outbox(store: Store, limit: int = 500) -> list[Pending]:
    with store.read() as session:
        rows = session.exec(
            select(OutboxEntry).order_by(col(OutboxEntry.mutation_id)).limit(limit)
        ).all()
        return [Pending(r.mutation_id, r.name, dict(r.args), r.created_at) for r in rows]


def rejected(store: Store, limit: int = 500) -> list[SyncRejected]:
    with store.read() as session:
        rows = session.exec(
            select(SyncRejected).order_by(col(SyncRejected.seq).desc()).limit(limit)
        ).all()
        return [SyncRejected.model_validate(r) for r in rows]


def conflicts(
    store: Store, *, unresolved_only: bool = True, limit: int = 500
) -> list[SyncConflict]:
    with store.read() as session:
        query = select(SyncConflict).order_by(col(SyncConflict.seq).desc()).limit(limit)
        if unresolved_only:
            query = query.where(col(SyncConflict.resolved_at).is_(None))
        return [SyncConflict.model_validate(r) for r in session.exec(query).all()]


def notifications(
    store: Store, *, unread_only: bool = False, limit: int = 500
) -> list[SyncNotification]:
    with store.read() as session:
        query = select(SyncNotification).order_by(col(SyncNotification.seq).desc()).limit(limit)
        if unread_only:
            query = query.where(col(SyncNotification.read_at).is_(None))
        return [SyncNotification.model_validate(r) for r in session.exec(query).all()]


def mark_read(store: Store, seqs: list[int] | None = None) -> None:
    """Mark some notifications (all when ``seqs`` is None) as read."""
    with store.write() as session:
        query = select(SyncNotification).where(col(SyncNotification.read_at).is_(None))
        if seqs is not None:
            query = query.where(col(SyncNotification.seq).in_(seqs))
        for row in session.exec(query):
            row.read_at = utcnow()
            session.add(row)


def reapply_conflict(store: Store, seq: int) -> None:
    """Write the user's losing value again, over whatever won; resolves the conflict."""
    with store.read() as session:
        conflict = session.get(SyncConflict, seq)
        if conflict is None:
            raise MutationError(f"no conflict {seq}")
        root = schema.roots()[conflict.tbl]
        row = (
            session.connection()
            .execute(select(root.table.c.version).where(root.pk == conflict.row_id))
            .first()
        )
    if conflict.field == "*" or row is None:
        raise MutationError("the record was deleted; re-create it instead")
    args = {"id": conflict.row_id, "base_version": row[0], conflict.field: conflict.mine}
    store.mutate(conflict.name, args)
    dismiss_conflict(store, seq)


def dismiss_conflict(store: Store, seq: int) -> None:
    with store.write() as session:
        conflict = session.get(SyncConflict, seq)
        if conflict is not None:
            conflict.resolved_at = utcnow()
            session.add(conflict)
