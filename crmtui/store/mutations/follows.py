"""Following a contact or a deal: be notified when someone else changes it.

Follows are user data, so these are mutations like any other: queued in the
outbox, replayed by the sync server, which turns changes by others into
notifications for the followers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlmodel import Session, col, select

from ..models import Follow
from .args import CreateArgs, IdArgs
from .records import load
from .registry import Context, MutationError, mutation

Followable = Literal["contact", "opportunity"]


class FollowAdd(CreateArgs):
    entity: Followable
    entity_id: str = Field(min_length=1)


@mutation("follow.add", FollowAdd)
def _follow_add(session: Session, ctx: Context, args: FollowAdd) -> str:
    """Follow a contact or a deal: be notified when someone else changes it."""
    if ctx.user_id is None:
        raise MutationError("only a user can follow a record")
    same = session.exec(
        select(Follow).where(
            col(Follow.user_id) == ctx.user_id,
            col(Follow.entity) == args.entity,
            col(Follow.entity_id) == args.entity_id,
        )
    ).first()
    if same is not None:
        return same.id
    session.add(
        Follow(
            id=args.id,
            user_id=ctx.user_id,
            entity=args.entity,
            entity_id=args.entity_id,
            created_by=ctx.user_id,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
    )
    return args.id


@mutation("follow.remove", IdArgs)
def _follow_remove(session: Session, ctx: Context, args: IdArgs) -> str:
    """Stop following a record."""
    session.delete(load(session, Follow, args.id, "follow"))
    return args.id
