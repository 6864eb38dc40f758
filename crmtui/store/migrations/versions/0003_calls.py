"""calls: the keys every call was heard under

``call_key`` maps each ``(source, source_call_id)`` to the call it became, so
that a call merged from two sources (live AMI, then the CDR file) answers to
both keys and re-importing either changes nothing. Existing calls get their
own key, and an index serves lookups by the person spoken to.

Revision ID: 0003_calls
Revises: 0002
Create Date: 2026-11-23 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0003_calls"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_key",
        sa.Column("source", AutoString(), nullable=False),
        sa.Column("source_call_id", AutoString(), nullable=False),
        sa.Column("call_id", AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source", "source_call_id"),
    )
    with op.batch_alter_table("call_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_key_call_id"), ["call_id"], unique=False)
    # Timelines and statistics look calls up by the person spoken to as well.
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index("ix_call_person_started", ["person_id", "started_at"], unique=False)
    op.execute(
        "INSERT INTO call_key (source, source_call_id, call_id) "
        "SELECT source, source_call_id, id FROM call WHERE source_call_id <> ''"
    )


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index("ix_call_person_started")
    with op.batch_alter_table("call_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_key_call_id"))
    op.drop_table("call_key")
