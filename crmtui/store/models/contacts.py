"""People and companies, with their phones, e-mails, addresses and tags.

One ``contact`` table holds both kinds (``kind`` is ``person`` or ``company``)
so that a single list, sort order and search cover them all; a person may
belong to a company through ``company_id``.
"""

from __future__ import annotations

from sqlalchemy import Column, Index
from sqlmodel import JSON, Field, SQLModel

from .base import Versioned

ACCESS_LEVELS = ("private", "public_ro", "public_rw")
KINDS = ("person", "company")


class Contact(Versioned, table=True):
    __table_args__ = (
        Index("ix_contact_sort", "sort_key", "id"),
        Index("ix_contact_kind_sort", "kind", "sort_key", "id"),
    )

    id: str = Field(primary_key=True)
    kind: str = "person"
    first_name: str = ""
    last_name: str = ""
    company_name: str = ""  # a company's own name
    display_name: str = ""  # "Zoé Martin" or "Acme SA": what lists show
    sort_key: str = ""  # folded "martin zoe": what lists sort by
    company_id: str | None = Field(default=None, foreign_key="contact.id", index=True)
    title: str = ""
    website: str = ""
    social: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    description: str = ""
    type_id: str | None = Field(default=None, foreign_key="category.id", index=True)
    temperature: str | None = None  # cold / warm / hot or an admin-defined level
    currency: str | None = None
    photo_path: str | None = None
    access: str = "public_rw"
    owner_id: str | None = Field(default=None, foreign_key="user_account.id", index=True)
    origin: str = "manual"  # manual, import, call, demo


class ContactPhone(SQLModel, table=True):
    __tablename__ = "contact_phone"
    __table_args__ = (
        Index("ix_contact_phone_digits_rev", "digits_rev"),
        # A list row shows the first number: read from this index alone (migration 0006).
        Index("ix_contact_phone_first", "contact_id", "position", "raw", "e164"),
    )

    id: str = Field(primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    label: str = "work"  # work, mobile, home, fax, other
    raw: str
    e164: str | None = Field(default=None, index=True)
    digits: str = ""  # national significant number
    digits_rev: str = ""  # reversed, for suffix matching by index range
    search_digits: str = ""  # the digit forms search indexes (NSN, national, E.164)
    valid: bool = True
    position: int = 0


class ContactEmail(SQLModel, table=True):
    __tablename__ = "contact_email"
    # A list row shows the first e-mail: read from this index alone (migration 0006).
    __table_args__ = (Index("ix_contact_email_first", "contact_id", "position", "address"),)

    id: str = Field(primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    label: str = "work"
    address: str = Field(index=True)  # stored lower-cased
    position: int = 0


class ContactAddress(SQLModel, table=True):
    __tablename__ = "contact_address"

    id: str = Field(primary_key=True)
    contact_id: str = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    label: str = "work"  # work, home, billing, delivery
    street: str = ""
    postcode: str = ""
    city: str = ""
    region: str = ""
    country: str = ""  # ISO 3166 alpha-2
    position: int = 0


class ContactTag(SQLModel, table=True):
    __tablename__ = "contact_tag"

    contact_id: str = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    tag_id: str = Field(foreign_key="tag.id", primary_key=True, index=True, ondelete="CASCADE")


class ContactResponsible(SQLModel, table=True):
    __tablename__ = "contact_responsible"

    contact_id: str = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    user_id: str = Field(foreign_key="user_account.id", primary_key=True, index=True)


class CustomValue(SQLModel, table=True):
    """The value of one admin-defined field on a contact or an opportunity."""

    __tablename__ = "custom_value"

    entity_id: str = Field(primary_key=True)
    field_id: str = Field(foreign_key="custom_field.id", primary_key=True, ondelete="CASCADE")
    value: str = ""
