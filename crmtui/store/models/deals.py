"""Opportunities (the pipeline) and their admin-defined stages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from .base import Versioned

STAGE_STATES = ("open", "won", "lost")
BUDGET_TYPES = ("fixed", "hour", "day", "week", "month", "year")


class Stage(Versioned, table=True):
    id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    position: int = 0
    probability: int = 0  # percent, 0-100
    state: str = "open"


class Opportunity(Versioned, table=True):
    __table_args__ = (
        Index("ix_opportunity_stage", "stage_id", "expected_close"),
        Index("ix_opportunity_title", "title"),
        # The board's column sums read only this index (see migration 0005).
        Index(
            "ix_opportunity_board",
            "stage_id",
            "currency",
            "budget_type",
            "budget_minor",
            "budget_count",
            "restricted",
            "id",
        ),
        Index("ix_opportunity_card", "stage_id", "expected_close", "id"),
    )

    id: str = Field(primary_key=True)
    title: str
    contact_id: str | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    description: str = ""
    budget_minor: int = 0
    currency: str = "EUR"
    budget_type: str = "fixed"
    budget_count: int = 1  # e.g. 12 for "per month, 12 months"
    expected_close: date | None = None
    responsible_id: str | None = Field(default=None, foreign_key="user_account.id", index=True)
    stage_id: str = Field(foreign_key="stage.id")
    restricted: bool = False  # when true only opportunity_user rows may see it


class OpportunityUser(SQLModel, table=True):
    __tablename__ = "opportunity_user"

    opportunity_id: str = Field(foreign_key="opportunity.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="user_account.id", primary_key=True, index=True)


class OpportunityContact(SQLModel, table=True):
    __tablename__ = "opportunity_contact"

    opportunity_id: str = Field(foreign_key="opportunity.id", primary_key=True, ondelete="CASCADE")
    contact_id: str = Field(
        foreign_key="contact.id", primary_key=True, index=True, ondelete="CASCADE"
    )
