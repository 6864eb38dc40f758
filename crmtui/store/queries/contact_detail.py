"""Everything the contact card shows, read in one go as frozen objects.

The card also feeds the edit form, so it carries ids (type, responsible users,
custom fields) next to the names it displays.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from .lookups import Choice


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    label: str
    raw: str
    e164: str | None
    valid: bool


@dataclass(frozen=True, slots=True)
class EmailInfo:
    label: str
    address: str


@dataclass(frozen=True, slots=True)
class AddressInfo:
    label: str
    street: str
    postcode: str
    city: str
    region: str
    country: str

    def one_line(self) -> str:
        town = " ".join(p for p in (self.postcode, self.city) if p)
        return ", ".join(p for p in (self.street, town, self.region, self.country) if p)


@dataclass(frozen=True, slots=True)
class CustomInfo:
    field_id: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class ContactDetail:
    id: str
    kind: str
    version: int
    display_name: str
    first_name: str
    last_name: str
    company_name: str
    title: str
    website: str
    description: str
    type_id: str | None
    type_name: str
    temperature: str
    access: str
    currency: str
    company: Choice | None  # a person's company
    phones: tuple[PhoneInfo, ...]
    emails: tuple[EmailInfo, ...]
    addresses: tuple[AddressInfo, ...]
    tags: tuple[str, ...]
    responsible: tuple[Choice, ...]
    custom: tuple[CustomInfo, ...]
    people: tuple[Choice, ...]  # a company's people (the first PEOPLE of them)
    people_count: int


PEOPLE = 50

_MAIN = """
SELECT c.id, c.kind, c.version, c.display_name, c.first_name, c.last_name, c.company_name,
       c.title, c.website, c.description, c.type_id,
       COALESCE((SELECT name FROM category WHERE id = c.type_id), ''),
       COALESCE(c.temperature, ''), c.access, COALESCE(c.currency, ''),
       co.id, co.display_name
FROM contact c LEFT JOIN contact co ON co.id = c.company_id WHERE c.id = :id
"""


def _all(session: Session, sql: str, cid: str) -> list[tuple]:
    return [tuple(r) for r in session.execute(text(sql), {"id": cid})]


def contact_detail(session: Session, contact_id: str) -> ContactDetail | None:
    """The card of one contact, or None when it does not exist (any more)."""
    main = session.execute(text(_MAIN), {"id": contact_id}).first()
    if main is None:
        return None
    *fields, company_id, company_name = main
    cid = contact_id
    return ContactDetail(
        *fields,  # type: ignore[misc]  # the 15 scalar columns of _MAIN, in field order
        company=Choice(company_id, company_name) if company_id else None,
        phones=tuple(
            PhoneInfo(*r)
            for r in _all(
                session,
                "SELECT label, raw, e164, valid FROM "
                "contact_phone WHERE contact_id = :id ORDER BY position",
                cid,
            )
        ),
        emails=tuple(
            EmailInfo(*r)
            for r in _all(
                session,
                "SELECT label, address FROM contact_email WHERE contact_id = :id ORDER BY position",
                cid,
            )
        ),
        addresses=tuple(
            AddressInfo(*r)
            for r in _all(
                session,
                "SELECT label, street, postcode, "
                "city, region, country FROM contact_address WHERE contact_id = :id "
                "ORDER BY position",
                cid,
            )
        ),
        tags=tuple(
            r[0]
            for r in _all(
                session,
                "SELECT t.name FROM contact_tag ct JOIN tag t "
                "ON t.id = ct.tag_id WHERE ct.contact_id = :id ORDER BY t.name",
                cid,
            )
        ),
        responsible=tuple(
            Choice(*r)
            for r in _all(
                session,
                "SELECT u.id, u.name FROM "
                "contact_responsible r JOIN user_account u ON u.id = r.user_id "
                "WHERE r.contact_id = :id ORDER BY u.name",
                cid,
            )
        ),
        custom=tuple(
            CustomInfo(*r)
            for r in _all(
                session,
                "SELECT f.id, f.name, v.value FROM "
                "custom_value v JOIN custom_field f ON f.id = v.field_id "
                "WHERE v.entity_id = :id ORDER BY f.position",
                cid,
            )
        ),
        people=tuple(
            Choice(*r)
            for r in _all(
                session,
                "SELECT id, display_name FROM contact "
                f"WHERE company_id = :id ORDER BY sort_key, id LIMIT {PEOPLE}",
                cid,
            )
        ),
        people_count=int(
            session.execute(
                text("SELECT count(*) FROM contact WHERE company_id = :id"), {"id": cid}
            ).scalar_one()
        ),
    )
