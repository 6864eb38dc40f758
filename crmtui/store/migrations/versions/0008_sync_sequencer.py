"""sync sequencer: concurrent pushes on PostgreSQL, multi-page pulls from a stash

- ``sync_change.seq`` becomes nullable and ``sync_event`` gains ``seq``: on
  PostgreSQL pushes commit concurrently and leave them empty; the sequencer
  numbers committed rows afterwards, in commit order (docs/SYNC.md,
  *Ordering*). Partial indexes find the rows still to number. Events
  delivered so far keep their id as their sequence number, so clients'
  cursors stay valid.
- ``sync_pass``: the keys of a multi-page pull, numbered in sync order, so
  that later pages take the next ones without listing the user's subset
  again; ``sync_client`` holds the clock that pass started at and its cursor
  (and the cursor before the last page, for a lost answer).

Revision ID: 0008_sync_sequencer
Revises: 0007_search_hold
Create Date: 2026-11-24 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008_sync_sequencer"
down_revision = "0007_search_hold"
branch_labels = None
depends_on = None

UNSEQUENCED = sa.text("seq IS NULL")


def upgrade() -> None:
    op.create_table(
        "sync_pass",
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pos", sa.Integer(), nullable=False),
        sa.Column("tbl", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("client_id", "pos"),
    )
    with op.batch_alter_table("sync_client", schema=None) as batch_op:
        for column in ("pass_clock", "pass_pos", "pass_prev"):
            default = "-1" if column == "pass_clock" else "0"
            batch_op.add_column(
                sa.Column(column, sa.Integer(), nullable=False, server_default=default)
            )
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            "ix_sync_change_unsequenced",
            ["id"],
            unique=False,
            postgresql_where=UNSEQUENCED,
            sqlite_where=UNSEQUENCED,
        )
    with op.batch_alter_table("sync_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute("UPDATE sync_event SET seq = id")
    with op.batch_alter_table("sync_event", schema=None) as batch_op:
        batch_op.create_index("ix_sync_event_user_seq", ["user_id", "seq"], unique=False)
        batch_op.create_index("ix_sync_event_seq", ["seq"], unique=False)
        batch_op.create_index(
            "ix_sync_event_unsequenced",
            ["id"],
            unique=False,
            postgresql_where=UNSEQUENCED,
            sqlite_where=UNSEQUENCED,
        )


def downgrade() -> None:
    # Number what the sequencer had not reached yet, then restore NOT NULL.
    op.execute(
        "UPDATE sync_change SET seq = (SELECT seq FROM sync_clock WHERE id = 1) WHERE seq IS NULL"
    )
    with op.batch_alter_table("sync_event", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_event_unsequenced")
        batch_op.drop_index("ix_sync_event_seq")
        batch_op.drop_index("ix_sync_event_user_seq")
        batch_op.drop_column("seq")
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_change_unsequenced")
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("sync_client", schema=None) as batch_op:
        for column in ("pass_prev", "pass_pos", "pass_clock"):
            batch_op.drop_column(column)
    op.drop_table("sync_pass")
