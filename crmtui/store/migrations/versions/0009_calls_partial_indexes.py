"""calls: index the person spoken to and the agent only where there is one

An imported call has neither a person spoken to nor (without ``--agent``) an
agent; the full indexes gave each such row two entries no query reads. As
partial indexes (``IS NOT NULL``) they still serve ``person_id = ?`` and
``agent_id = ?``, and a call import writes two index entries less per row.

Revision ID: 0009_calls_partial_indexes
Revises: 0008_sync_sequencer
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_calls_partial_indexes"
down_revision = "0008_sync_sequencer"
branch_labels = None
depends_on = None

PERSON_SET = sa.text("person_id IS NOT NULL")
AGENT_SET = sa.text("agent_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index("ix_call_person_started")
        batch_op.drop_index("ix_call_agent_id")
        batch_op.create_index(
            "ix_call_person_started",
            ["person_id", "started_at"],
            unique=False,
            sqlite_where=PERSON_SET,
            postgresql_where=PERSON_SET,
        )
        batch_op.create_index(
            "ix_call_agent_id",
            ["agent_id"],
            unique=False,
            sqlite_where=AGENT_SET,
            postgresql_where=AGENT_SET,
        )


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index("ix_call_agent_id")
        batch_op.drop_index("ix_call_person_started")
        batch_op.create_index("ix_call_person_started", ["person_id", "started_at"], unique=False)
        batch_op.create_index("ix_call_agent_id", ["agent_id"], unique=False)
