"""search: FTS5 indexes over contacts and activities, kept current by triggers

Each searchable record gets one row in a plain ``*_search`` table with an
explicit INTEGER PRIMARY KEY (so VACUUM never renumbers it), and an FTS5
external-content table reads from that. Triggers on the source tables rebuild
a record's search row, and triggers on the search row keep FTS in step, so
every write path (mutations, sync pulls, bulk demo loads) stays searchable.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TOKENIZER = "unicode61 remove_diacritics 2"

# The text of one contact as search sees it. :id is the contact's id.
_CONTACT_DOC = """
    SELECT c.display_name || ' ' || c.sort_key,
           COALESCE((SELECT co.display_name FROM contact co WHERE co.id = c.company_id), ''),
           COALESCE((SELECT group_concat(e.address, ' ') FROM contact_email e
                     WHERE e.contact_id = c.id), ''),
           COALESCE((SELECT group_concat(p.search_digits, ' ') FROM contact_phone p
                     WHERE p.contact_id = c.id), ''),
           COALESCE((SELECT group_concat(t.name, ' ') FROM contact_tag ct
                     JOIN tag t ON t.id = ct.tag_id WHERE ct.contact_id = c.id), '')
    FROM contact c WHERE c.id = {id}
"""


def _refresh_contact(id_expr: str) -> str:
    return (
        "UPDATE contact_search SET (name, company, emails, phones, tags) = ("
        + _CONTACT_DOC.format(id=id_expr)
        + f") WHERE contact_id = {id_expr};"
    )


def _fts_sync(table: str, fts: str, columns: list[str]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"""CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN
              INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new});
            END""",
        f"""CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN
              INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old});
            END""",
        f"""CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN
              INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old});
              INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new});
            END""",
    ]


CONTACT_COLUMNS = ["name", "company", "emails", "phones", "tags"]
ACTIVITY_COLUMNS = ["subject", "details"]

STATEMENTS = [
    """CREATE TABLE contact_search (
         rowid INTEGER PRIMARY KEY,
         contact_id TEXT NOT NULL UNIQUE REFERENCES contact(id) ON DELETE CASCADE,
         name TEXT NOT NULL DEFAULT '', company TEXT NOT NULL DEFAULT '',
         emails TEXT NOT NULL DEFAULT '', phones TEXT NOT NULL DEFAULT '',
         tags TEXT NOT NULL DEFAULT '')""",
    f"""CREATE VIRTUAL TABLE contact_fts USING fts5(
         {", ".join(CONTACT_COLUMNS)}, content='contact_search', content_rowid='rowid',
         tokenize='{TOKENIZER}', prefix='1 2 3')""",
    *_fts_sync("contact_search", "contact_fts", CONTACT_COLUMNS),
    # A contact's own row: created with it, refreshed when it changes.
    """CREATE TRIGGER contact_search_on_insert AFTER INSERT ON contact BEGIN
         INSERT INTO contact_search(contact_id) VALUES (new.id);
       """
    + _refresh_contact("new.id")
    + " END",
    """CREATE TRIGGER contact_search_on_update AFTER UPDATE OF
         display_name, sort_key, company_id ON contact BEGIN
       """
    + _refresh_contact("new.id")
    # A company renamed: its people's "company" column changes too.
    + """UPDATE contact_search SET company = new.display_name
         WHERE new.kind = 'company' AND contact_id IN
           (SELECT id FROM contact WHERE company_id = new.id);
       END""",
    *[
        f"""CREATE TRIGGER {table}_search_{when} AFTER {when.upper()} ON {table} BEGIN
              {_refresh_contact(f"{ref}.contact_id")}
            END"""
        for table in ("contact_phone", "contact_email", "contact_tag")
        for when, ref in (("insert", "new"), ("update", "new"), ("delete", "old"))
    ],
    """CREATE TRIGGER tag_search_on_rename AFTER UPDATE OF name ON tag BEGIN
         UPDATE contact_search SET tags = COALESCE((SELECT group_concat(t.name, ' ')
           FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
           WHERE ct.contact_id = contact_search.contact_id), '')
         WHERE contact_id IN (SELECT contact_id FROM contact_tag WHERE tag_id = new.id);
       END""",
    """CREATE TABLE activity_search (
         rowid INTEGER PRIMARY KEY,
         activity_id TEXT NOT NULL UNIQUE REFERENCES activity(id) ON DELETE CASCADE,
         subject TEXT NOT NULL DEFAULT '', details TEXT NOT NULL DEFAULT '')""",
    f"""CREATE VIRTUAL TABLE activity_fts USING fts5(
         {", ".join(ACTIVITY_COLUMNS)}, content='activity_search', content_rowid='rowid',
         tokenize='{TOKENIZER}', prefix='1 2 3')""",
    *_fts_sync("activity_search", "activity_fts", ACTIVITY_COLUMNS),
    """CREATE TRIGGER activity_search_on_insert AFTER INSERT ON activity BEGIN
         INSERT INTO activity_search(activity_id, subject, details)
         VALUES (new.id, new.subject, new.details);
       END""",
    """CREATE TRIGGER activity_search_on_update AFTER UPDATE OF subject, details ON activity
       BEGIN
         UPDATE activity_search SET subject = new.subject, details = new.details
         WHERE activity_id = new.id;
       END""",
]

DROPS = [
    "DROP TABLE IF EXISTS activity_fts",
    "DROP TABLE IF EXISTS activity_search",
    "DROP TABLE IF EXISTS contact_fts",
    "DROP TABLE IF EXISTS contact_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # the sync server does not search; FTS5 is SQLite's
    for statement in STATEMENTS:
        op.execute(statement)
    # Stores upgraded from 0001 already hold records: index them once.
    op.execute("INSERT INTO contact_search(contact_id) SELECT id FROM contact")
    op.execute(
        _refresh_contact("contact_search.contact_id").replace(
            " WHERE contact_id = contact_search.contact_id;", ";"
        )
    )
    op.execute(
        "INSERT INTO activity_search(activity_id, subject, details) "
        "SELECT id, subject, details FROM activity"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in DROPS:
        op.execute(statement)  # dropping a table drops its triggers
