"""sync: the client's sync bookkeeping, follows, and the server's tables

Client side: the versions the server last sent (``_sync_base``), refused
mutations, the conflict log, notifications, views waiting to be reported, and
the status columns of ``_sync_state``. ``follow`` is synced user data. The
``sync_*`` tables are the server's (see crmtui/store/models/server.py); they
stay empty in a client's store. Plain tables only, so this runs unchanged on
SQLite and PostgreSQL.

Revision ID: 0004_sync
Revises: 0003_calls
Create Date: 2026-11-23 09:20:03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004_sync"
down_revision = "0003_calls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "_sync_base",
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tbl", "row_id"),
    )
    op.create_table(
        "_sync_conflict",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mutation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mine", sa.JSON(), nullable=True),
        sa.Column("theirs", sa.JSON(), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("by_user", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "_sync_notification",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "_sync_rejected",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mutation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "_sync_viewed",
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tbl", "row_id"),
    )
    op.create_table(
        "sync_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("op", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("mutation_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.create_index("ix_sync_change_row", ["tbl", "row_id", "version"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_change_seq"), ["seq"], unique=False)

    op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sync_cvr",
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("prev_version", sa.Integer(), nullable=True),
        sa.Column("changed_cookie", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "tbl", "row_id"),
    )
    op.create_table(
        "sync_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_event", schema=None) as batch_op:
        batch_op.create_index("ix_sync_event_user", ["user_id", "id"], unique=False)

    op.create_table(
        "sync_touch",
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "tbl", "row_id"),
    )
    with op.batch_alter_table("sync_touch", schema=None) as batch_op:
        batch_op.create_index("ix_sync_touch_user_at", ["user_id", "at"], unique=False)

    op.create_table(
        "follow",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user_account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "entity", "entity_id"),
    )
    with op.batch_alter_table("follow", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sync_account",
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("disabled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "sync_client",
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_mutation_id", sa.Integer(), nullable=False),
        sa.Column("generation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cookie", sa.Integer(), nullable=False),
        sa.Column("cvr_clock", sa.Integer(), nullable=False),
        sa.Column("cvr_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
        ),
        sa.PrimaryKeyConstraint("client_id"),
    )
    with op.batch_alter_table("sync_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_client_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("_sync_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("events_after", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("clock", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("offline_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("last_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    # The one clock row every data-changing push increments (under its row lock).
    op.execute("INSERT INTO sync_clock (id, seq) VALUES (1, 0)")


def downgrade() -> None:
    with op.batch_alter_table("_sync_state", schema=None) as batch_op:
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("offline_since")
        batch_op.drop_column("clock")
        batch_op.drop_column("events_after")

    with op.batch_alter_table("sync_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_client_user_id"))

    op.drop_table("sync_client")
    op.drop_table("sync_account")
    with op.batch_alter_table("follow", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_user_id"))
        batch_op.drop_index(batch_op.f("ix_follow_entity_id"))

    op.drop_table("follow")
    with op.batch_alter_table("sync_touch", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_touch_user_at")

    op.drop_table("sync_touch")
    with op.batch_alter_table("sync_event", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_event_user")

    op.drop_table("sync_event")
    op.drop_table("sync_cvr")
    op.drop_table("sync_clock")
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_change_seq"))
        batch_op.drop_index("ix_sync_change_row")

    op.drop_table("sync_change")
    op.drop_table("_sync_viewed")
    op.drop_table("_sync_rejected")
    op.drop_table("_sync_notification")
    op.drop_table("_sync_conflict")
    op.drop_table("_sync_base")
