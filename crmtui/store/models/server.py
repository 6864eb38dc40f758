"""Tables only the sync server fills (crmtui/sync; DESIGN.md section 4).

They live on the shared metadata so that one Alembic chain builds both the
server's database and a client's store; on a client they simply stay empty.
None of them is user data, so none is ever synced.

- ``sync_account``: a user's bearer token (only its SHA-256 is kept) and how
  wide their subset is.
- ``sync_client``: one row per client store: its user, the last mutation id
  applied (in the same transaction as the effects), and the cookie of the
  last pull.
- ``sync_cvr``: what the server last sent each client (table, id, version),
  with the previous version so that one lost pull response can be undone.
- ``sync_pass``: the rest of a multi-page pull: the keys the first page of a
  pass found to differ, sent page by page without listing the subset again.
- ``sync_clock``: one row, the highest sequence number given out. On SQLite
  every push takes the next value; on PostgreSQL the sequencer does, after the
  pushes commit (docs/SYNC.md, *Ordering*), so values follow commit order.
- ``sync_change``: the change log: who changed which record to which version
  and which fields; conflicts and notifications are computed from it. ``seq``
  is None until the sequencer numbers the row.
- ``sync_event``: what a user or a client must be told: refused mutations,
  conflicts, notifications; pulls deliver them after a cursor on ``seq``
  (None until sequenced, like the change log).
- ``sync_touch``: records a user viewed or changed, and when (the 30-day rule).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, text
from sqlmodel import JSON, Field, SQLModel

from .base import utcnow


class SyncAccount(SQLModel, table=True):
    __tablename__ = "sync_account"

    user_id: str = Field(primary_key=True, foreign_key="user_account.id")
    token_hash: str = Field(unique=True)
    scope: str = "subset"  # or "all": an admin widened this user's subset
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = None
    last_seen_at: datetime | None = None


class SyncClient(SQLModel, table=True):
    __tablename__ = "sync_client"

    client_id: str = Field(primary_key=True)
    user_id: str = Field(foreign_key="user_account.id", index=True)
    last_mutation_id: int = 0
    generation: str = ""  # changes on every reset, so old cookies never match
    cookie: int = 0
    cvr_clock: int = -1  # the clock the CVR was last fully computed at
    cvr_key: str = ""  # day, role and scope it was computed for
    pass_clock: int = -1  # the clock the current multi-page pass started at
    pass_pos: int = 0  # the next sync_pass position to send
    pass_prev: int = 0  # pass_pos before the last page (a lost answer goes back to it)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime | None = None


class SyncCvr(SQLModel, table=True):
    __tablename__ = "sync_cvr"

    client_id: str = Field(primary_key=True)
    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True)
    version: int | None = None  # None: the client no longer has it
    prev_version: int | None = None
    changed_cookie: int = 0


class SyncPass(SQLModel, table=True):
    __tablename__ = "sync_pass"

    client_id: str = Field(primary_key=True)
    pos: int = Field(primary_key=True)  # the key's place in the pass (sync order)
    tbl: str
    row_id: str
    held: int | None = None  # the version the client held when the pass started


class SyncClock(SQLModel, table=True):
    __tablename__ = "sync_clock"

    id: int = Field(primary_key=True)
    seq: int = 0


class SyncChange(SQLModel, table=True):
    __tablename__ = "sync_change"
    __table_args__ = (
        Index("ix_sync_change_row", "tbl", "row_id", "version"),
        Index(
            "ix_sync_change_unsequenced",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(default=None, index=True)
    tbl: str
    row_id: str
    version: int
    op: str  # put or del
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    user_id: str | None = None
    client_id: str | None = None
    mutation_id: int | None = None
    at: datetime = Field(default_factory=utcnow)


class SyncEvent(SQLModel, table=True):
    __tablename__ = "sync_event"
    __table_args__ = (
        Index("ix_sync_event_user", "user_id", "id"),
        Index("ix_sync_event_user_seq", "user_id", "seq"),
        Index("ix_sync_event_seq", "seq"),
        Index(
            "ix_sync_event_unsequenced",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = None  # delivery order = commit order (None until sequenced)
    user_id: str
    client_id: str | None = None  # refusals and conflicts go to one client only
    kind: str  # rejected, conflict, notification
    payload: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow)


class SyncTouch(SQLModel, table=True):
    __tablename__ = "sync_touch"
    __table_args__ = (Index("ix_sync_touch_user_at", "user_id", "at"),)

    user_id: str = Field(primary_key=True)
    tbl: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True)
    at: datetime = Field(default_factory=utcnow)
