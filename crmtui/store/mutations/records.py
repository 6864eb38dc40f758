"""Small helpers every mutation module uses to load, create and stamp records."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, func, select

from .registry import Context, MutationError

M = TypeVar("M")
T = TypeVar("T", bound=SQLModel)


def load(session: Session, model: type[M], record_id: str, what: str) -> M:
    """The record with ``record_id``, or a MutationError naming what is missing."""
    record = session.get(model, record_id)
    if record is None:
        raise MutationError(f"no {what} with id {record_id}")
    return record


def check_exists(session: Session, model: type[Any], ref: str | None, field: str) -> None:
    """Refuse a reference (``field``) to a record that does not exist."""
    if ref is not None and session.get(model, ref) is None:
        raise MutationError(f"{field}: no such record {ref}")


def touch(record: Any, ctx: Context) -> None:
    """Mark a record changed: one version more, updated now."""
    record.version += 1
    record.updated_at = ctx.now


def stamped(model: type[T], ctx: Context, **fields: Any) -> T:
    """A new record of ``model``, created now by the context's user."""
    return model(created_by=ctx.user_id, created_at=ctx.now, updated_at=ctx.now, **fields)


def patch(
    record: Any,
    ctx: Context,
    changes: Mapping[str, Any],
    *,
    nullable: Container[str] = (),
    check: Callable[[str, Any], None] | None = None,
) -> None:
    """Apply an update's ``changes`` to ``record`` and stamp it.

    A field set to None is refused unless it is ``nullable``; ``check`` sees
    each (field, value) before it is set, to refuse it with a MutationError.
    """
    for key, value in changes.items():
        if value is None and key not in nullable:
            raise MutationError(f"{key}: cannot be empty")
        if check is not None:
            check(key, value)
        setattr(record, key, value)
    touch(record, ctx)


def next_position(session: Session, model: Any, **where: Any) -> int:
    """How many of ``model``'s rows match ``where``: the position of a new last one."""
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(col(getattr(model, column)) == value)
    return int(session.exec(query).one())
