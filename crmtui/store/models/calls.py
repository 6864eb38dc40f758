"""Calls heard from the phone system or imported from call logs.

A call is an activity on the contact's timeline; it has its own table because
it carries telephony facts (legs, sources, billable seconds) and an after-call
wrap-up that a later import must never overwrite.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from .base import Versioned

DIRECTIONS = ("inbound", "outbound", "internal")
CALL_STATUSES = (
    "ringing",
    "answered",
    "missed",
    "rejected",
    "busy",
    "cancelled",
    "failed",
    "voicemail",
    "blocked",
)


# Imported calls have no person spoken to and often no agent: indexing only
# the calls that have one spares every import row two index entries, and the
# queries (``person_id = ?``, ``agent_id = ?``) imply NOT NULL, so they still use them.
PERSON_SET = text("person_id IS NOT NULL")
AGENT_SET = text("agent_id IS NOT NULL")


class Call(Versioned, table=True):
    __table_args__ = (
        UniqueConstraint("source", "source_call_id"),
        Index("ix_call_started", "started_at", "id"),
        Index("ix_call_contact_started", "contact_id", "started_at"),
        Index("ix_call_remote_started", "remote_e164", "started_at"),
        Index(
            "ix_call_person_started",
            "person_id",
            "started_at",
            sqlite_where=PERSON_SET,
            postgresql_where=PERSON_SET,
        ),
        Index("ix_call_agent_id", "agent_id", sqlite_where=AGENT_SET, postgresql_where=AGENT_SET),
    )

    id: str = Field(primary_key=True)
    direction: str = "inbound"
    status: str = "answered"
    remote_raw: str = ""
    remote_e164: str | None = None
    remote_name: str = ""
    local_party: str = ""  # extension, DID or SIM
    agent_id: str | None = Field(default=None, foreign_key="user_account.id")
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_s: int = 0
    billsec_s: int = 0
    cost_minor: int | None = None
    cost_currency: str | None = None
    hangup_cause: str = ""
    source: str = "manual"  # asterisk-csv, android-xml, ios-db, ami, sip, hep, ...
    source_call_id: str = ""
    contact_id: str | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    person_id: str | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    wrapup_description: str = ""
    wrapup_notes: str = ""
    wrapup_outcome: str | None = None
    wrapup_person_id: str | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL"
    )


class CallKey(SQLModel, table=True):
    """Every ``(source, source_call_id)`` a call was heard under.

    A call merged from a live AMI event and a later CDR row carries two keys;
    looking up an incoming key here is what makes re-hearing or re-importing
    idempotent. Rows are written only by the ``call.log*`` mutations, so a
    replica replaying them builds the same keys.
    """

    __tablename__ = "call_key"

    source: str = Field(primary_key=True)
    source_call_id: str = Field(primary_key=True)
    call_id: str = Field(foreign_key="call.id", index=True, ondelete="CASCADE")
