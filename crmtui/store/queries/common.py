"""What every query module shares: pages and time helpers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")
PAGE = 50


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One keyset page. ``next_key`` continues after the last row (None at the
    end); ``prev_key`` goes back before the first row."""

    rows: Sequence[T]
    next_key: tuple[str, ...] | None
    prev_key: tuple[str, ...] | None


def as_utc(value: datetime | str | None) -> datetime | None:
    """A datetime from a raw SQL row (text on SQLite) as aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
