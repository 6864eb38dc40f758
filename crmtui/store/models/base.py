"""Column types and mixins shared by every table.

Instants are aware UTC datetimes everywhere in Python; SQLModel's
``UTCDateTime`` refuses naive ones and stores UTC (as naive text on SQLite,
``timestamptz`` on PostgreSQL). Decimals that must stay exact (quantities,
percentages, exchange rates) are stored as text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC, to the microsecond."""
    return datetime.now(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal kept as its exact text, identical on SQLite and PostgreSQL."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class Versioned(SQLModel):
    """Fields every synced record carries.

    ``version`` increases on every change; the server assigns it and the sync
    pull compares it (DESIGN.md section 4). Locally a mutation bumps it too so
    that an edit based on a stale read can be detected.
    """

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = Field(default=None, foreign_key="user_account.id")
    version: int = Field(default=1)
