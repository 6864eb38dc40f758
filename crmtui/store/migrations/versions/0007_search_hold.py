"""search hold: a batch of new contacts indexed once, set-wise, by its writer

Migration 0002's triggers index a contact row by row: its own insert builds
its search document, then each phone, e-mail and tag inserted rebuilds it, and
each rebuild rewrites its FTS entry. An import writing thousands of contacts
in one mutation (``contact.import_batch``) pays that several times over.

``contact_search_hold`` is empty except inside such a write transaction: while
it holds a row, the insert triggers below do nothing, and the transaction
indexes the contacts it wrote itself (one INSERT ... SELECT each for the
search rows, their documents and FTS) before deleting the row. Other
connections never see the row, so for them nothing changes.

Revision ID: 0007_search_hold
Revises: 0006_contact_list
Create Date: 2026-11-23 12:20:00
"""

from __future__ import annotations

import re

from alembic import op

revision = "0007_search_hold"
down_revision = "0006_contact_list"
branch_labels = None
depends_on = None

HELD = (
    "contact_search_on_insert",
    "contact_phone_search_insert",
    "contact_email_search_insert",
    "contact_tag_search_insert",
    "contact_search_ai",
    "contact_search_au",
)
WHEN = "WHEN NOT EXISTS (SELECT 1 FROM contact_search_hold) "


def _rewrite(change: re.Pattern[str], into: str) -> None:
    conn = op.get_bind()
    for name in HELD:
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).scalar_one()
        op.execute(f"DROP TRIGGER {name}")
        op.execute(change.sub(into, sql, count=1))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # the sync server has no search triggers
    op.execute("CREATE TABLE contact_search_hold (held INTEGER PRIMARY KEY)")
    _rewrite(re.compile(r"\bBEGIN\b"), WHEN + "BEGIN")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rewrite(re.compile(re.escape(WHEN)), "")
    op.execute("DROP TABLE contact_search_hold")
