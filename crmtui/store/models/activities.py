"""The history of exchanges (activities) and the to-do list (tasks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import Versioned

ACTIVITY_TYPES = ("todo", "call", "mail", "note", "meeting", "report")
ACTIVITY_STATUSES = ("planned", "done", "cancelled")
OUTCOMES = ("success", "failure")
# Minutes before the due time; None means never. 1440 (one day) is the default.
REMINDER_CHOICES = (None, 5, 15, 30, 60, 120, 1440)


class Activity(Versioned, table=True):
    __table_args__ = (
        Index("ix_activity_start", "starts_at", "id"),
        Index("ix_activity_contact_start", "contact_id", "starts_at"),
        Index("ix_activity_person_start", "person_id", "starts_at"),
    )

    id: str = Field(primary_key=True)
    type: str = "note"
    category_id: str | None = Field(default=None, foreign_key="category.id")
    starts_at: datetime
    ends_at: datetime | None = None
    subject: str = ""
    details: str = ""
    status: str = "done"
    outcome: str | None = None
    contact_id: str | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    person_id: str | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    private: bool = False
    owner_id: str | None = Field(default=None, foreign_key="user_account.id", index=True)


class ActivityUser(SQLModel, table=True):
    __tablename__ = "activity_user"

    activity_id: str = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="user_account.id", primary_key=True, index=True)


class ActivityOpportunity(SQLModel, table=True):
    __tablename__ = "activity_opportunity"

    activity_id: str = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    opportunity_id: str = Field(
        foreign_key="opportunity.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class Task(Versioned, table=True):
    __table_args__ = (
        Index("ix_task_open_due", "closed_at", "due_at", "id"),
        Index("ix_task_contact_due", "contact_id", "due_at"),
    )

    id: str = Field(primary_key=True)
    title: str
    category_id: str | None = Field(default=None, foreign_key="category.id")
    contact_id: str | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    opportunity_id: str | None = Field(
        default=None, foreign_key="opportunity.id", index=True, ondelete="SET NULL"
    )
    due_at: datetime | None = None
    reminder_minutes: int | None = 1440
    responsible_id: str | None = Field(default=None, foreign_key="user_account.id", index=True)
    description: str = ""
    closed_at: datetime | None = None
    reminded_at: datetime | None = None
