"""Merging duplicate contacts into the one that is kept.

Everything that hangs off a merged contact moves onto the kept one: phones,
e-mails and addresses it does not have yet, tags, responsible users, custom
values it lacks, and every activity, call, task, opportunity and invoice
that points at it (and the people of a merged company). Fields the kept
contact leaves empty are filled from the others. Then the merged contacts
are deleted. Every new row gets an id derived from the kept contact and its
position, so replaying the merge on another replica gives the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from pydantic import Field
from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from ..models import Contact, ContactAddress, ContactEmail, ContactPhone
from .args import Args, child_id
from .records import load, touch
from .registry import Context, MutationError, mutation

_FILLABLE = (
    "title",
    "website",
    "description",
    "type_id",
    "temperature",
    "currency",
    "photo_path",
    "company_id",
)
# (table, column) pairs that point at a contact and simply follow it.
_POINTERS = (
    ("activity", "contact_id"),
    ("activity", "person_id"),
    ("task", "contact_id"),
    ("call", "contact_id"),
    ("call", "person_id"),
    ("call", "wrapup_person_id"),
    ("opportunity", "contact_id"),
    ("invoice", "client_id"),
    ("invoice", "consignee_id"),
    ("contact", "company_id"),
)
# Link tables keyed by (contact, other): insert the kept pair, drop the old one.
_LINKS = (
    ("contact_tag", "tag_id"),
    ("contact_responsible", "user_id"),
    ("opportunity_contact", "opportunity_id"),
)


class ContactMerge(Args):
    keep_id: str = Field(min_length=1)
    merge_ids: list[str] = Field(min_length=1, max_length=1000)


def _load_all(session: Session, args: ContactMerge) -> tuple[Contact, list[Contact]]:
    keep = load(session, Contact, args.keep_id, "contact")
    if args.keep_id in args.merge_ids:
        raise MutationError("merge_ids: the kept contact cannot be merged into itself")
    others = [load(session, Contact, i, "contact") for i in dict.fromkeys(args.merge_ids)]
    for other in others:
        if other.kind != keep.kind:
            raise MutationError(
                f"{other.display_name} is a {other.kind}, "
                f"{keep.display_name} a {keep.kind}: they cannot be merged"
            )
    return keep, others


def _fill_fields(keep: Contact, others: list[Contact]) -> None:
    merged_ids = {o.id for o in others}
    for other in others:
        for name in _FILLABLE:
            value = getattr(other, name)
            if name == "company_id" and value in merged_ids | {keep.id}:
                continue
            if value and not getattr(keep, name):
                setattr(keep, name, value)
        keep.social = {**other.social, **keep.social}


def _next_position(session: Session, model: Any, contact_id: str) -> int:
    rows = session.exec(select(model.position).where(col(model.contact_id) == contact_id)).all()
    return max(rows, default=-1) + 1


def _phone_key(p: ContactPhone) -> str:
    return p.e164 or p.digits or p.raw


def _email_key(e: ContactEmail) -> str:
    return e.address


def _address_key(a: ContactAddress) -> tuple[str, ...]:
    return (a.street.casefold(), a.postcode, a.city.casefold(), a.country)


# The child rows a merge copies: (table, kind for child ids, what makes two alike).
_CHILDREN: tuple[tuple[Any, str, Callable[[Any], Hashable]], ...] = (
    (ContactPhone, "phone", _phone_key),
    (ContactEmail, "email", _email_key),
    (ContactAddress, "address", _address_key),
)


def _move_children(
    session: Session,
    model: Any,
    kind: str,
    key: Callable[[Any], Hashable],
    keep: Contact,
    others: list[Contact],
) -> None:
    """Copy the others' rows of ``model`` that the kept contact has no match for
    (by ``key``) after its own, in order."""
    have = {key(r) for r in session.exec(select(model).where(col(model.contact_id) == keep.id))}
    position = _next_position(session, model, keep.id)
    for other in others:
        for row in session.exec(
            select(model).where(col(model.contact_id) == other.id).order_by(col(model.position))
        ).all():
            if key(row) in have:
                continue
            have.add(key(row))
            data = row.model_dump(exclude={"id", "contact_id", "position"})
            session.add(
                model(
                    id=child_id(keep.id, kind, position),
                    contact_id=keep.id,
                    position=position,
                    **data,
                )
            )
            position += 1


def _repoint(session: Session, keep_id: str, other_ids: list[str]) -> None:
    params: dict[str, Any] = {"keep": keep_id, **{f"o{i}": v for i, v in enumerate(other_ids)}}
    marks = ", ".join(f":o{i}" for i in range(len(other_ids)))
    for table, column in _LINKS:
        session.execute(
            text(
                f"INSERT INTO {table} (contact_id, {column}) SELECT :keep, {column} "
                f"FROM {table} WHERE contact_id IN ({marks}) ON CONFLICT DO NOTHING"
            ),
            params,
        )
    # The kept contact's own custom values win; it only gains the ones it lacks.
    session.execute(
        text(
            "INSERT INTO custom_value (entity_id, field_id, value) SELECT :keep, field_id, value "
            f"FROM custom_value WHERE entity_id IN ({marks}) ON CONFLICT DO NOTHING"
        ),
        params,
    )
    for table, column in _POINTERS:
        session.execute(
            text(
                f"UPDATE {table} SET {column} = :keep WHERE {column} IN ({marks})"
                + (" AND id <> :keep" if table == "contact" else "")
            ),
            params,
        )


@mutation("contact.merge", ContactMerge)
def merge_contacts(session: Session, ctx: Context, args: ContactMerge) -> str:
    """Merge duplicate contacts into one, moving everything linked to them."""
    keep, others = _load_all(session, args)
    _fill_fields(keep, others)
    session.flush()
    for model, kind, key in _CHILDREN:
        _move_children(session, model, kind, key, keep, others)
    session.flush()
    other_ids = [o.id for o in others]
    _repoint(session, keep.id, other_ids)
    session.execute(
        text(
            "DELETE FROM custom_value WHERE entity_id IN ("
            + ", ".join(f":o{i}" for i in range(len(other_ids)))
            + ")"
        ),
        {f"o{i}": v for i, v in enumerate(other_ids)},
    )
    for other in others:
        session.expunge(other)
    session.execute(delete(Contact).where(col(Contact.id).in_(other_ids)))
    touch(keep, ctx)
    session.add(keep)
    return keep.id
