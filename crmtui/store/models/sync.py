"""Client-side sync bookkeeping (DESIGN.md section 4).

``_outbox`` holds every local mutation until the server acknowledges it, with
a gapless per-client counter; ``_sync_state`` is the one row the status bar
reads. Neither is user data, so neither is ever synced itself.

The other ``_sync_*`` tables are the client's side of crmtui/sync: the
versions the server last sent, refused mutations, the conflict log,
notifications and views waiting to be reported. ``follow`` is user data and
syncs like any record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from .base import Versioned, utcnow


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
    events_after: int = 0  # the last server event (refusal, conflict, notice) received
    clock: int = 0  # the server's change counter at the last pull (long-poll from here)
    offline_since: datetime | None = None
    last_attempt_at: datetime | None = None


class SyncBase(SQLModel, table=True):
    """The version of each record as the server last sent it.

    A record whose local version differs (or that has no base, or whose base
    has no record) was changed locally since; the sync client asks the server
    for those records again so that pending mutations replay on the server's
    state, never on top of their own earlier local effect.
    """

    __tablename__ = "_sync_base"

    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True)
    version: int


class SyncRejected(SQLModel, table=True):
    """A local mutation the server refused, with its reason (shown on the Sync screen)."""

    __tablename__ = "_sync_rejected"

    seq: int = Field(primary_key=True)  # the server's event number
    mutation_id: int
    name: str
    args: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    reason: str
    at: datetime


class SyncConflict(SQLModel, table=True):
    """A field this client changed that someone else had changed since its base."""

    __tablename__ = "_sync_conflict"

    seq: int = Field(primary_key=True)
    mutation_id: int
    name: str  # the mutation whose value won or lost
    tbl: str
    row_id: str
    field: str  # "*" when the record was deleted meanwhile
    mine: object = Field(default=None, sa_column=Column(JSON, nullable=True))
    theirs: object = Field(default=None, sa_column=Column(JSON, nullable=True))
    base_version: int | None = None
    server_version: int | None = None
    by_user: str = ""
    at: datetime
    resolved_at: datetime | None = None


class SyncNotification(SQLModel, table=True):
    """Someone else changed a followed record or logged an activity on it."""

    __tablename__ = "_sync_notification"

    seq: int = Field(primary_key=True)
    tbl: str
    row_id: str
    kind: str  # changed, deleted, activity, call
    actor: str
    summary: str
    at: datetime
    read_at: datetime | None = None


class SyncViewed(SQLModel, table=True):
    """Records the user opened, waiting to be reported to the server (they
    stay in the user's subset for 30 days)."""

    __tablename__ = "_sync_viewed"

    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True)
    at: datetime = Field(default_factory=utcnow)


class Follow(Versioned, table=True):
    """A user follows a contact or a deal; synced like any record."""

    __table_args__ = (UniqueConstraint("user_id", "entity", "entity_id"),)

    id: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="user_account.id", index=True)
    entity: str  # contact or opportunity
    entity_id: str = Field(index=True)
