"""Mutations on people and companies: create, update, delete, tag."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any, Literal, cast

from pydantic import Field, field_validator, model_validator
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from ..models import (
    Category,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    ContactResponsible,
    ContactTag,
    CustomField,
    CustomValue,
    Invoice,
    Tag,
    User,
    utcnow,
)
from ..money import MoneyError, check_currency
from ..phones import normalise, only_digits
from ..text import fold
from .args import Args, CreateArgs, IdArgs, Patch, check_email, child_id, name_id
from .custom_fields import check_value
from .records import load, touch
from .registry import Context, MutationError, mutation

Label = Literal["work", "mobile", "home", "fax", "main", "other", "billing", "delivery"]
Access = Literal["private", "public_ro", "public_rw"]


class PhoneIn(Args):
    raw: str = Field(min_length=1, max_length=64)
    label: Label = "work"


class EmailIn(Args):
    address: str
    label: Label = "work"

    _check = field_validator("address")(lambda cls, v: check_email(v))


class AddressIn(Args):
    label: Label = "work"
    street: str = ""
    postcode: str = ""
    city: str = ""
    region: str = ""
    country: str = Field(default="", max_length=2)


class ContactFields(Args):
    """Every field a person or a company has; shared by create and update."""

    kind: Literal["person", "company"] = "person"
    first_name: str = Field(default="", max_length=200)
    last_name: str = Field(default="", max_length=200)
    company_name: str = Field(default="", max_length=300)
    company_id: str | None = None
    title: str = ""
    website: str = ""
    social: dict[str, str] = Field(default_factory=dict)
    description: str = ""
    type_id: str | None = None
    temperature: str | None = None
    currency: str | None = None
    photo_path: str | None = None
    access: Access = "public_rw"
    phones: list[PhoneIn] = Field(default_factory=list)
    emails: list[EmailIn] = Field(default_factory=list)
    addresses: list[AddressIn] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    responsible_ids: list[str] = Field(default_factory=list)
    custom: dict[str, str] = Field(default_factory=dict)  # custom field id -> value


class ContactCreate(ContactFields, CreateArgs):
    origin: Literal["manual", "import", "call", "demo"] = "manual"

    @model_validator(mode="after")
    def _named(self) -> ContactCreate:
        if self.kind == "person" and not (self.first_name or self.last_name):
            raise ValueError("a person needs a first or a last name")
        if self.kind == "company" and not self.company_name:
            raise ValueError("a company needs a name")
        return self


class ContactUpdate(ContactFields, Patch):
    pass


class ContactTags(Args):
    ids: list[str] = Field(min_length=1)
    tags: list[str] = Field(min_length=1)


def display_name(c: Contact) -> str:
    if c.kind == "company":
        return c.company_name
    return " ".join(p for p in (c.first_name, c.last_name) if p)


def sort_key(c: Contact) -> str:
    if c.kind == "company":
        return fold(c.company_name)
    return fold(f"{c.last_name} {c.first_name}")


def _check_refs(session: Session, c: Contact) -> None:
    if c.company_id is not None:
        company = session.get(Contact, c.company_id)
        if company is None or company.kind != "company":
            raise MutationError(f"company_id: no company with id {c.company_id}")
        if c.kind == "company":
            raise MutationError("company_id: a company cannot belong to a company")
    if c.type_id is not None:
        category = session.get(Category, c.type_id)
        if category is None or category.scope != "contact_type":
            raise MutationError(f"type_id: no contact type with id {c.type_id}")
    if c.currency is not None:
        try:
            c.currency = check_currency(c.currency)
        except MoneyError as exc:
            raise MutationError(f"currency: {exc}") from None


def _set_children(
    session: Session,
    ctx: Context,
    c: Contact,
    args: ContactFields,
    given: set[str],
    *,
    fresh: bool = False,
) -> None:
    """Replace the lists the arguments carry (phones, e-mails...) on ``c``."""

    def clear(model: Any, column: Any) -> None:
        if not fresh:  # a new contact has nothing to replace: five statements saved
            session.exec(delete(model).where(col(column) == c.id))

    if "phones" in given:
        clear(ContactPhone, ContactPhone.contact_id)
        for i, p in enumerate(args.phones):
            session.add(phone_row(c.id, i, p.raw, p.label, ctx.region))
    if "emails" in given:
        clear(ContactEmail, ContactEmail.contact_id)
        for i, e in enumerate(args.emails):
            session.add(email_row(c.id, i, e))
    if "addresses" in given:
        clear(ContactAddress, ContactAddress.contact_id)
        for i, a in enumerate(args.addresses):
            session.add(address_row(c.id, i, a))
    if "tags" in given:
        clear(ContactTag, ContactTag.contact_id)
        for tag_id in {ensure_tag(session, name, ctx.now) for name in args.tags if name.strip()}:
            session.add(ContactTag(contact_id=c.id, tag_id=tag_id))
    if "responsible_ids" in given:
        clear(ContactResponsible, ContactResponsible.contact_id)
        for user_id in dict.fromkeys(args.responsible_ids):
            if session.get(User, user_id) is None:
                raise MutationError(f"responsible_ids: no user with id {user_id}")
            session.add(ContactResponsible(contact_id=c.id, user_id=user_id))
    if "custom" in given:
        set_custom_values(session, c.id, "contact", args.custom)


def email_row(contact_id: str, position: int, e: EmailIn) -> ContactEmail:
    return ContactEmail(
        id=child_id(contact_id, "email", position),
        contact_id=contact_id,
        label=e.label,
        address=e.address,
        position=position,
    )


def address_row(contact_id: str, position: int, a: AddressIn) -> ContactAddress:
    return ContactAddress(
        id=child_id(contact_id, "address", position),
        contact_id=contact_id,
        position=position,
        **a.model_dump(),
    )


def phone_row(contact_id: str, position: int, raw: str, label: str, region: str) -> ContactPhone:
    """A phone row with every normalised form; an unparsable number is kept."""
    p = normalise(raw, region)
    forms = [p.digits]
    if p.e164:
        forms.append(only_digits(p.e164))
        national = "0" + p.digits  # trunk prefix as most of Europe dials it
        forms.append(national)
    return ContactPhone(
        id=child_id(contact_id, "phone", position),
        contact_id=contact_id,
        label=label,
        raw=p.raw,
        e164=p.e164,
        digits=p.digits,
        digits_rev=p.digits_rev,
        search_digits=" ".join(dict.fromkeys(forms)),
        valid=p.valid,
        position=position,
    )


def find_tag(session: Session, name: str) -> Tag | None:
    """The tag called ``name`` (any case), also after a rename changed its name."""
    wanted = name.strip()
    tag = session.get(Tag, name_id("tag", wanted))
    if tag is not None and tag.name.casefold() == wanted.casefold():
        return tag
    # Renamed tags keep the id of their first name. Compared in Python: SQLite's
    # lower() folds ASCII only. Runs once per new tag name; tags are few.
    return next(
        (t for t in session.exec(select(Tag)) if t.name.casefold() == wanted.casefold()), None
    )


def ensure_tag(session: Session, name: str, now: datetime | None = None) -> str:
    """The id of the tag called ``name``, created (at ``now``) if there is none."""
    tag = find_tag(session, name)
    if tag is not None:
        return tag.id
    tag_id, n = name_id("tag", name), 0
    while session.get(Tag, tag_id) is not None:  # a renamed tag kept this name's id
        n += 1
        tag_id = name_id("tag", f"{name.strip()}#{n}")
    stamp = now or utcnow()
    session.add(Tag(id=tag_id, name=name.strip(), created_at=stamp, updated_at=stamp))
    session.flush()
    return tag_id


def set_custom_values(
    session: Session, entity_id: str, entity: str, values: dict[str, str]
) -> None:
    """Set the custom values given (field id -> value); an empty value removes one."""
    for field_id, raw in values.items():
        field = session.get(CustomField, field_id)
        if field is None or field.entity != entity:
            raise MutationError(f"custom: no {entity} field with id {field_id}")
        try:
            value = check_value(field.name, field.kind, field.choices, raw)
        except ValueError as exc:
            raise MutationError(f"custom: {exc}") from None
        existing = session.get(CustomValue, (entity_id, field_id))
        if not value:
            if existing is not None:
                session.delete(existing)
        elif existing is None:
            session.add(CustomValue(entity_id=entity_id, field_id=field_id, value=value))
        else:
            existing.value = value


@mutation("contact.create", ContactCreate)
def create_contact(session: Session, ctx: Context, args: ContactCreate) -> str:
    """Create a person or a company with its phones, e-mails, addresses and tags."""
    if session.get(Contact, args.id) is not None:
        raise MutationError(f"contact {args.id} already exists")
    c = new_contact(ctx, args)
    _check_refs(session, c)
    session.add(c)
    session.flush()
    given = set(ContactFields.model_fields)
    if not args.responsible_ids and ctx.user_id:
        args = args.model_copy(update={"responsible_ids": [ctx.user_id]})
    _set_children(session, ctx, c, args, given, fresh=True)
    return c.id


def new_contact(ctx: Context, args: ContactCreate) -> Contact:
    """The contact row ``contact.create`` inserts, before its references are checked."""
    return Contact(**contact_values(ctx, args))


def contact_values(ctx: Context, args: ContactCreate) -> dict[str, Any]:
    """:func:`new_contact`'s values, without building the ORM row (the sync
    server's set-wise creations, crmtui/sync/creations.py, insert them as they are)."""
    values = args.model_dump(
        exclude={"id", "phones", "emails", "addresses", "tags", "responsible_ids", "custom"}
    )
    values.update(
        id=args.id,
        created_by=ctx.user_id,
        owner_id=ctx.user_id,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    names = cast(Contact, SimpleNamespace(**values))
    values["display_name"], values["sort_key"] = display_name(names), sort_key(names)
    return values


def load_contact(session: Session, contact_id: str) -> Contact:
    return load(session, Contact, contact_id, "contact")


@mutation("contact.update", ContactUpdate)
def update_contact(session: Session, ctx: Context, args: ContactUpdate) -> str:
    """Change some fields of a contact; lists given replace the old ones."""
    c = load_contact(session, args.id)
    changes = args.changes()
    if "kind" in changes and changes["kind"] != c.kind:
        raise MutationError("kind: a person cannot become a company (or back)")
    for key, value in changes.items():
        if key in Contact.model_fields:
            setattr(c, key, value)
    c.display_name, c.sort_key = display_name(c), sort_key(c)
    if not c.display_name:
        raise MutationError("a contact needs a name")
    _check_refs(session, c)
    touch(c, ctx)
    session.add(c)
    session.flush()
    _set_children(session, ctx, c, args, set(changes))
    return c.id


@mutation("contact.delete", IdArgs)
def delete_contact(session: Session, ctx: Context, args: IdArgs) -> str:
    """Delete a contact; refused while it has invoices."""
    c = load_contact(session, args.id)
    numbers = session.exec(
        select(Invoice.number)
        .where((col(Invoice.client_id) == c.id) | (col(Invoice.consignee_id) == c.id))
        .order_by(col(Invoice.number))
    ).all()
    if numbers:
        shown = ", ".join(numbers[:5]) + (" ..." if len(numbers) > 5 else "")
        raise MutationError(
            f"cannot delete {c.display_name}: it has {len(numbers)} invoice(s) ({shown}); "
            "delete those first"
        )
    session.exec(update(Contact).where(col(Contact.company_id) == c.id).values(company_id=None))
    session.delete(c)
    return c.id


@mutation("contact.tag", ContactTags)
def tag_contacts(session: Session, ctx: Context, args: ContactTags) -> int:
    """Add tags to several contacts at once (a group action)."""
    tag_ids = [ensure_tag(session, name, ctx.now) for name in args.tags if name.strip()]
    for contact_id in args.ids:
        c = load_contact(session, contact_id)
        for tag_id in tag_ids:
            if session.get(ContactTag, (c.id, tag_id)) is None:
                session.add(ContactTag(contact_id=c.id, tag_id=tag_id))
        touch(c, ctx)
    return len(args.ids)
