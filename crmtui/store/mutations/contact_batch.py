"""``contact.import_batch``: many contacts created (and updated) at once, for imports.

An import of a million rows cannot afford one ``contact.create`` per row (an
ORM flush per phone, an outbox row each: about a hundred rows a second). This
mutation takes the new contacts as columns, one list per field, validated in
one pass (as ``call.log_batch`` does for calls), and writes them with one
``executemany`` per table. The rows are exactly those ``contact.create``
writes: same child ids, names, normalised phones, responsible user. Updates
are ``contact.update`` patches, applied in order after the creations. One
outbox row covers the whole batch, so a replica replays it in one go.

Search: migration 0002's triggers rebuild a contact's search document on every
phone, e-mail and tag inserted, rewriting its FTS entry each time. On SQLite
the batch holds them (migration 0007's ``contact_search_hold``, inside this
transaction only) and indexes its new contacts once each, set-wise, as
:class:`crmtui.store.bulk.BulkLoad` does.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal, NamedTuple, cast

from pydantic import Field, StringConstraints, model_validator
from sqlmodel import Session, col, select

from ..models import (
    Category,
    Contact,
    ContactAddress,
    ContactTag,
)
from ..money import MoneyError, check_currency
from ..phones import normalise_cached
from ..table_specs import CONTACT, EMAIL, PHONE, RESPONSIBLE, TableSpec
from .args import Args, check_email, child_id
from .call_rows import insert_rows
from .contacts import (
    Access,
    AddressIn,
    ContactUpdate,
    Label,
    display_name,
    ensure_tag,
    sort_key,
    update_contact,
)
from .registry import Context, MutationError, mutation

BATCH_MAX = 50_000
_CHUNK = 500  # bound parameters per IN (...) list

Name = Annotated[str, StringConstraints(max_length=200)]
CompanyName = Annotated[str, StringConstraints(max_length=300)]
Raw = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Id = Annotated[str, StringConstraints(min_length=1)]


class ContactColumns(Args):
    """New contacts, one list per ``contact.create`` field, all one length.
    Phones and e-mails are ``(value, label)`` pairs; ``origin`` is "import"."""

    id: list[Id]
    kind: list[Literal["person", "company"]]
    first_name: list[Name]
    last_name: list[Name]
    company_name: list[CompanyName]
    company_id: list[str | None]
    title: list[str]
    website: list[str]
    description: list[str]
    type_id: list[str | None]
    temperature: list[str | None]
    currency: list[str | None]
    access: list[Access]
    social: list[dict[str, str]]
    phones: list[list[tuple[Raw, Label]]]
    emails: list[list[tuple[str, Label]]]
    addresses: list[list[AddressIn]]
    tags: list[list[str]]

    @model_validator(mode="after")
    def _shape(self) -> ContactColumns:
        sizes = {len(getattr(self, name)) for name in type(self).model_fields}
        if len(sizes) != 1 or not 1 <= sizes.pop() <= BATCH_MAX:
            raise ValueError(f"every column needs the same 1 to {BATCH_MAX} values")
        return self

    def __len__(self) -> int:
        return len(self.id)

    def to_json(self) -> dict[str, Any]:
        """``model_dump(mode="json")``, the same dict, built directly: pydantic's
        serialiser takes longer than the batch's SQL for 5,000 contacts."""
        out: dict[str, Any] = {name: list(getattr(self, name)) for name in type(self).model_fields}
        out["social"] = [dict(s) for s in self.social]
        out["phones"] = [[list(p) for p in ps] for ps in self.phones]
        out["emails"] = [[list(e) for e in es] for es in self.emails]
        out["addresses"] = [[a.model_dump(mode="json") for a in al] for al in self.addresses]
        out["tags"] = [list(t) for t in self.tags]
        return out


class ContactImportBatch(Args):
    create: ContactColumns | None = None
    update: list[ContactUpdate] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        # Patches keep only the fields they set: a list absent is not a list emptied.
        return {
            "create": self.create.to_json() if self.create else None,
            "update": [patch.to_json() for patch in self.update],
        }


class _Names(NamedTuple):
    """What ``display_name`` and ``sort_key`` read, without building an ORM row."""

    kind: str
    first_name: str
    last_name: str
    company_name: str


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _found(session: Session, column: Any, values: Iterable[str], *where: Any) -> set[str]:
    wanted = sorted(set(values))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(session.exec(select(column).where(col(column).in_(chunk), *where)).all())
    return found


def _check(session: Session, rows: ContactColumns) -> None:
    """What ``contact.create`` refuses, checked for the whole batch at once."""
    if len(set(rows.id)) != len(rows):
        raise MutationError("id: the same id twice in one batch")
    if taken := _found(session, Contact.id, rows.id):
        raise MutationError(f"contact {sorted(taken)[0]} already exists")
    for i, kind in enumerate(rows.kind):
        if kind == "person" and not (rows.first_name[i] or rows.last_name[i]):
            raise MutationError(f"first_name[{i}]: a person needs a first or a last name")
        if kind == "company" and not rows.company_name[i]:
            raise MutationError(f"company_name[{i}]: a company needs a name")
    companies = {cid for cid, kind in zip(rows.id, rows.kind, strict=True) if kind == "company"}
    linked = {c for c in rows.company_id if c is not None}
    for i, company_id in enumerate(rows.company_id):
        if company_id is not None and rows.kind[i] == "company":
            raise MutationError(f"company_id[{i}]: a company cannot belong to a company")
    stored = _found(session, Contact.id, linked - companies, col(Contact.kind) == "company")
    if missing := linked - companies - stored:
        raise MutationError(f"company_id: no company with id {sorted(missing)[0]}")
    types = {t for t in rows.type_id if t is not None}
    known = _found(session, Category.id, types, col(Category.scope) == "contact_type")
    if missing := types - known:
        raise MutationError(f"type_id: no contact type with id {sorted(missing)[0]}")


def _currencies(rows: ContactColumns) -> list[str | None]:
    normal: dict[str, str] = {}
    out: list[str | None] = []
    for i, code in enumerate(rows.currency):
        if code is not None and code not in normal:
            try:
                normal[code] = check_currency(code)
            except MoneyError as exc:
                raise MutationError(f"currency[{i}]: {exc}") from None
        out.append(None if code is None else normal[code])
    return out


Row = dict[str, Any]


class _Rows:
    """Every row the batch writes, table by table: tuples in the order of the
    specs above (addresses and tags, rare in imports, as dicts)."""

    def __init__(self) -> None:
        self.contacts: list[tuple[Any, ...]] = []
        self.phones: list[tuple[Any, ...]] = []
        self.emails: list[tuple[Any, ...]] = []
        self.responsible: list[tuple[Any, ...]] = []
        self.addresses: list[Row] = []
        self.tags: list[Row] = []


def _encoder(spec: TableSpec, column: str) -> Any:
    """The bind processor ``spec`` applies to ``column`` (what SQLAlchemy writes)."""
    at = spec.columns.index(column)
    return next(proc for i, proc in spec.processors() if i == at)


def _build(session: Session, ctx: Context, rows: ContactColumns) -> _Rows:
    """The rows ``contact.create`` would write for each new contact, built as
    plain tuples (no ORM row, no dict per row: a million of them per import)."""
    out = _Rows()
    currencies = _currencies(rows)
    stamp = _encoder(CONTACT, "created_at")(ctx.now)
    social_json = _encoder(CONTACT, "social")
    user = ctx.user_id
    region = ctx.region
    tag_ids: dict[str, str] = {}
    add_contact, add_phone, add_email = (
        out.contacts.append,
        out.phones.append,
        out.emails.append,
    )
    for i, contact_id in enumerate(rows.id):
        kind, first, last, company = (
            rows.kind[i],
            rows.first_name[i],
            rows.last_name[i],
            rows.company_name[i],
        )
        names = cast(Contact, _Names(kind, first, last, company))
        social = rows.social[i]
        add_contact(
            (
                stamp,
                stamp,
                user,
                1,
                contact_id,
                kind,
                first,
                last,
                company,
                display_name(names),
                sort_key(names),
                rows.company_id[i],
                rows.title[i],
                rows.website[i],
                social_json(social) if social else "{}",
                rows.description[i],
                rows.type_id[i],
                rows.temperature[i],
                currencies[i],
                None,
                rows.access[i],
                user,
                "import",
            )
        )
        for position, (raw, label) in enumerate(rows.phones[i]):
            add_phone(_phone(contact_id, position, raw, label, region))
        for position, (address, label) in enumerate(rows.emails[i]):
            try:
                normal = check_email(address)
            except ValueError as exc:
                raise MutationError(f"emails[{i}]: {exc}") from None
            add_email(
                (child_id(contact_id, "email", position), contact_id, label, normal, position)
            )
        for position, a in enumerate(rows.addresses[i]):
            out.addresses.append(
                {
                    "id": child_id(contact_id, "address", position),
                    "contact_id": contact_id,
                    "position": position,
                    **a.model_dump(),
                }
            )
        if rows.tags[i]:
            names_ = [n for n in rows.tags[i] if n.strip()]
            for name in names_:
                if name not in tag_ids:
                    tag_ids[name] = ensure_tag(session, name, ctx.now)
            for tag_id in dict.fromkeys(tag_ids[n] for n in names_):
                out.tags.append({"contact_id": contact_id, "tag_id": tag_id})
        if user:
            out.responsible.append((contact_id, user))
    return out


def _phone(contact_id: str, position: int, raw: str, label: str, region: str) -> tuple[Any, ...]:
    """``phone_row`` as a tuple in ``PHONE``'s order, through the block memo."""
    p = normalise_cached(raw, region)
    forms = [p.digits]
    if p.e164:
        forms.append(p.e164[1:])  # E.164 is "+" and digits
        forms.append("0" + p.digits)
    return (
        child_id(contact_id, "phone", position),
        contact_id,
        label,
        p.raw,
        p.e164,
        p.digits,
        p.digits[::-1],
        " ".join(dict.fromkeys(forms)),
        p.valid,
        position,
    )


def _as_objects(spec: TableSpec, rows: list[tuple[Any, ...]], ctx: Context) -> list[Any]:
    """ORM rows of ``spec``'s tuples, the SQLite-encoded values (times and JSON
    as text) decoded, for databases the tuples are not written to directly."""
    decoded = {"created_at": ctx.now, "updated_at": ctx.now}
    objects = []
    for r in rows:
        values = dict(zip(spec.columns, r, strict=True))
        if spec is CONTACT:
            values.update(decoded, social=json.loads(values["social"]))
        objects.append(spec.model(**values))
    return objects


def _write(session: Session, ctx: Context, out: _Rows) -> None:
    session.flush()  # tags made above, and anything the caller left pending
    if session.get_bind().dialect.name != "sqlite":
        # The sync server's PostgreSQL: no search to keep, and foreign keys
        # checked row by row, so companies go before the people working there.
        kind = CONTACT.columns.index("kind")
        for spec, rows in (
            (CONTACT, sorted(out.contacts, key=lambda r: r[kind] != "company")),
            (PHONE, out.phones),
            (EMAIL, out.emails),
            (RESPONSIBLE, out.responsible),
        ):
            session.add_all(_as_objects(spec, rows, ctx))
            session.flush()
        for model, dicts in ((ContactAddress, out.addresses), (ContactTag, out.tags)):
            session.add_all(model(**r) for r in dicts)
            session.flush()
        return
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    # A company may come after the people who work there: checked at the commit.
    raw.execute("PRAGMA defer_foreign_keys = ON")
    raw.execute("INSERT INTO contact_search_hold (held) VALUES (1)")
    after = _max_rowid(raw, "contact"), _max_rowid(raw, "contact_search")
    for spec, rows in (
        (CONTACT, out.contacts),
        (PHONE, out.phones),
        (EMAIL, out.emails),
    ):
        if rows:
            raw.executemany(spec.sql, rows)
    insert_rows(session, ContactAddress, out.addresses)
    insert_rows(session, ContactTag, out.tags)
    if out.responsible:
        raw.executemany(RESPONSIBLE.sql, out.responsible)
    _index_contacts(raw, *after)
    raw.execute("DELETE FROM contact_search_hold")


def _max_rowid(raw: sqlite3.Connection, table: str) -> int:
    return int(raw.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}").fetchone()[0])


# The document a contact's insert trigger builds (migration 0002), read from
# the trigger itself so that it is defined once; crmtui.store.bulk does the same.
_DOC_UPDATE = re.compile(
    r"UPDATE contact_search SET \(name, company, emails, phones, tags\) = .*?"
    r"WHERE contact_id = new\.id;",
    re.DOTALL,
)


def _index_contacts(raw: sqlite3.Connection, contacts_after: int, search_after: int) -> None:
    """Search rows, documents and FTS entries of the contacts written above,
    each built once (the insert triggers were held)."""
    trigger = raw.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'contact_search_on_insert'"
    ).fetchone()[0]
    found = _DOC_UPDATE.search(trigger)
    if found is None:
        raise RuntimeError("contact_search_on_insert changed shape; update contact_batch.py")
    raw.execute(
        "INSERT INTO contact_search (contact_id) SELECT id FROM contact WHERE rowid > ? "
        "ORDER BY rowid",
        (contacts_after,),
    )
    update = found.group(0).replace("new.id", "contact_search.contact_id")
    update = update.replace(
        "WHERE contact_id = contact_search.contact_id;", "WHERE contact_search.rowid > ?"
    )
    raw.execute(update, (search_after,))
    raw.execute(
        "INSERT INTO contact_fts (rowid, name, company, emails, phones, tags) "
        "SELECT rowid, name, company, emails, phones, tags FROM contact_search "
        "WHERE rowid > ? ORDER BY rowid",
        (search_after,),
    )


@mutation("contact.import_batch", ContactImportBatch)
def import_contacts(session: Session, ctx: Context, args: ContactImportBatch) -> int:
    """Create many contacts and update others at once (an import's batch)."""
    if args.create is not None:
        _check(session, args.create)
        _write(session, ctx, _build(session, ctx, args.create))
    for patch in args.update:
        update_contact(session, ctx, patch)
    return (len(args.create) if args.create else 0) + len(args.update)
