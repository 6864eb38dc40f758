"""Client-side sync bookkeeping (DESIGN.md section 4).

``_outbox`` holds every local mutation until the server acknowledges it, with
a gapless per-client counter; ``_sync_state`` is the one row the status bar
reads. Neither is user data, so neither is ever synced itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import JSON, Field, SQLModel

from .base import utcnow


class OutboxEntry(SQLModel, table=True):
    __tablename__ = "_outbox"

    mutation_id: int = Field(primary_key=True)
    name: str
    args: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class SyncState(SQLModel, table=True):
    __tablename__ = "_sync_state"

    client_id: str = Field(primary_key=True)
    user_id: str | None = None  # the local user this store acts as
    server_url: str | None = None
    cookie: str | None = None
    last_acked_id: int = 0
    last_success_at: datetime | None = None
    last_error: str | None = None
    pending: int = 0
    created_at: datetime = Field(default_factory=utcnow)
