"""Admin mutations on tags: rename, merge one into another, delete.

Tags are named by their name (as users type them), not their id: ``tag.rename``
keeps the tag's id, so contacts keep it; ``tag.merge`` moves every contact of
one tag to another and drops the first.
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import text
from sqlmodel import Session

from ..models import Tag
from .admin import require_admin
from .args import Args
from .contacts import find_tag
from .records import touch
from .registry import Context, MutationError, mutation


class TagRename(Args):
    old: str = Field(min_length=1)
    new: str = Field(min_length=1, max_length=100)


class TagMerge(Args):
    old: str = Field(min_length=1)
    into: str = Field(min_length=1)


class TagDelete(Args):
    name: str = Field(min_length=1)


def _named(session: Session, name: str, field: str) -> Tag:
    tag = find_tag(session, name)
    if tag is None:
        raise MutationError(f"{field}: no tag named {name!r}")
    return tag


@mutation("tag.rename", TagRename)
def rename_tag(session: Session, ctx: Context, args: TagRename) -> str:
    """Rename a tag on every contact that has it."""
    require_admin(ctx, "tag.rename")
    tag = _named(session, args.old, "old")
    other = find_tag(session, args.new)
    if other is not None and other.id != tag.id:
        raise MutationError(f"new: a tag named {other.name!r} already exists")
    tag.name = args.new
    touch(tag, ctx)
    return tag.id


@mutation("tag.merge", TagMerge)
def merge_tag(session: Session, ctx: Context, args: TagMerge) -> str:
    """Give every contact tagged ``old`` the tag ``into`` instead, then drop ``old``."""
    require_admin(ctx, "tag.merge")
    old, into = _named(session, args.old, "old"), _named(session, args.into, "into")
    if old.id == into.id:
        raise MutationError("into: a tag cannot be merged into itself")
    session.execute(
        text(
            "INSERT INTO contact_tag (contact_id, tag_id) SELECT contact_id, :into "
            "FROM contact_tag WHERE tag_id = :old ON CONFLICT DO NOTHING"
        ),
        {"into": into.id, "old": old.id},
    )
    session.execute(text("DELETE FROM contact_tag WHERE tag_id = :old"), {"old": old.id})
    session.delete(old)
    touch(into, ctx)
    return into.id


@mutation("tag.delete", TagDelete)
def delete_tag(session: Session, ctx: Context, args: TagDelete) -> str:
    """Remove a tag from every contact and forget it."""
    require_admin(ctx, "tag.delete")
    tag = _named(session, args.name, "name")
    session.execute(text("DELETE FROM contact_tag WHERE tag_id = :id"), {"id": tag.id})
    session.delete(tag)
    return tag.id
