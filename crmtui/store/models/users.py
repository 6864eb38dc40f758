"""Users, roles and the admin settings every other record refers to."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import JSON, Field, SQLModel

from .base import DecimalText, Versioned, utcnow

ROLES = ("admin", "user", "readonly")


class User(Versioned, table=True):
    __tablename__ = "user_account"

    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    email: str | None = None
    role: str = "user"
    active: bool = True


class Setting(SQLModel, table=True):
    """One admin setting: ``default_currency``, ``default_region``, ``locale``,
    ``invoice_prefix``, ``invoice_next_number``, ``invoice_terms``,
    ``company_profile``... Values are JSON."""

    key: str = Field(primary_key=True)
    value: object = Field(sa_column=Column(JSON, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


CATEGORY_SCOPES = ("contact_type", "temperature", "task_category", "activity_category")


class Category(Versioned, table=True):
    """An admin-defined choice in one list (``scope``), e.g. a contact type."""

    __table_args__ = (UniqueConstraint("scope", "name"),)

    id: str = Field(primary_key=True)
    scope: str = Field(index=True)
    name: str
    position: int = 0


class Tag(Versioned, table=True):
    id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    color: str | None = None


CUSTOM_FIELD_KINDS = ("text", "number", "date", "choice")


class CustomField(Versioned, table=True):
    __tablename__ = "custom_field"
    __table_args__ = (UniqueConstraint("entity", "name"),)

    id: str = Field(primary_key=True)
    entity: str  # "contact" or "opportunity"
    name: str
    kind: str = "text"
    choices: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0


class ExchangeRate(SQLModel, table=True):
    """How many units of the default currency one unit of ``currency`` buys."""

    __tablename__ = "exchange_rate"

    currency: str = Field(primary_key=True, max_length=3)
    rate: Decimal = Field(sa_column=Column(DecimalText, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class Tax(Versioned, table=True):
    id: str = Field(primary_key=True)
    name: str = Field(unique=True)
    rate: Decimal = Field(sa_column=Column(DecimalText, nullable=False))  # percent
    active: bool = True


class Product(Versioned, table=True):
    id: str = Field(primary_key=True)
    name: str = Field(index=True)
    code: str | None = Field(default=None, index=True)
    kind: str = "product"  # or "service"
    price_minor: int = 0
    currency: str = "EUR"
    tax_id: str | None = Field(default=None, foreign_key="tax.id")
    active: bool = True
