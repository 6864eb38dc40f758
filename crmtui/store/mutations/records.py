"""Small helpers every mutation module uses to load and stamp records."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

from .registry import Context, MutationError

M = TypeVar("M")


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
