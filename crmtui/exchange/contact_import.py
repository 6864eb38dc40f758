"""Importing one contact: link its company, find its duplicate, apply the policy.

The policy decides what a duplicate (same E.164, same e-mail, or same name at
the same company) does: ``skip`` leaves the stored contact alone, ``update``
fills it with what the file adds, ``create`` adds the row as a new contact
anyway. A row whose own id is already stored (our own export, or a file
imported before) is never created twice, whatever the policy.

A row that carries its id (our own export) is matched by that id only: it
*is* that record, so a store's contacts come back as they were, including
those that share a number or an e-mail. ``crmtui duplicates`` finds those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from sqlalchemy import text
from sqlmodel import Session, col, select

from ..store.models import Category, Contact, ContactEmail, ContactPhone, ContactTag, Tag
from ..store.mutations import Context, run_in
from ..store.mutations.args import name_id
from ..store.phones import normalise
from ..store.text import fold
from .contact_data import ContactData, check_row, create_args
from .duplicates import Candidate, match_contact
from .importer import Outcome, imported_id
from .source import Record

Policy = Literal["skip", "update", "create"]
POLICIES = ("skip", "update", "create")
_PATCHABLE = (
    "first_name",
    "last_name",
    "company_name",
    "company_id",
    "title",
    "website",
    "description",
    "type_id",
    "temperature",
    "currency",
    "access",
)


class ContactImporter:
    """The import handler for contacts; ``to_data`` reads one record's payload."""

    def __init__(
        self, to_data: Callable[[Any], ContactData], *, digest: str, policy: Policy = "skip"
    ) -> None:
        self.to_data = to_data
        self.digest = digest
        self.policy = policy

    def __call__(self, session: Session, ctx: Context, record: Record) -> Outcome:
        data = self.to_data(record.payload)
        check_row(data, ctx.region)
        args = create_args(data)
        also: list[str] = []
        args["type_id"] = _type_id(session, data)
        if args["kind"] == "person":
            args["company_id"] = self._company(session, ctx, data, also)
        new_id = data.id or imported_id(self.digest, record.line)
        outcome = self._place(session, ctx, new_id, args, given_id=data.id is not None)
        outcome.warnings[:0] = data.warnings
        outcome.also[:0] = also
        return outcome

    def _place(
        self, session: Session, ctx: Context, new_id: str, args: dict[str, Any], given_id: bool
    ) -> Outcome:
        match: tuple[str, str] | None = None
        if session.get(Contact, new_id) is not None:
            match = (new_id, "same id")
        elif not given_id:
            match = match_contact(session, _candidate(args, ctx.region))
        if match is None or (self.policy == "create" and match[1] != "same id"):
            run_in(session, ctx, "contact.create", {**args, "id": new_id})
            return Outcome("created", new_id)
        found, reason = match
        if self.policy == "update":
            patch = update_args(session, found, args, ctx.region)
            if patch:
                run_in(session, ctx, "contact.update", {"id": found, **patch})
                return Outcome("updated", found, reason=reason)
            return Outcome("unchanged", found, reason=reason)
        if reason == "same id":
            return Outcome("unchanged", found, reason="already imported")
        name = session.get(Contact, found)
        shown = name.display_name if name else found
        return Outcome("skipped", found, reason=f"duplicate of {shown} ({reason})")

    def _company(
        self, session: Session, ctx: Context, data: ContactData, also: list[str]
    ) -> str | None:
        """The person's company: by id, by name, or created from its name."""
        if data.company_id:
            company = session.get(Contact, data.company_id)
            if company is not None and company.kind == "company":
                return company.id
        name = data.company.strip()
        if not name:
            return None
        found = session.execute(
            text(
                "SELECT id FROM contact WHERE kind = 'company' AND sort_key = :k "
                "ORDER BY created_at, id LIMIT 1"
            ),
            {"k": fold(name)},
        ).scalar()
        if found:
            return str(found)
        company_id = data.company_id or name_id("import-company", fold(name))
        run_in(
            session,
            ctx,
            "contact.create",
            {"id": company_id, "kind": "company", "company_name": name, "origin": "import"},
        )
        also.append("companies created")
        return company_id


def _type_id(session: Session, data: ContactData) -> str | None:
    name = data.scalars.get("type", "")
    if not name:
        return None
    for cat in session.exec(select(Category).where(col(Category.scope) == "contact_type")):
        if fold(cat.name) == fold(name):
            return cat.id
    data.warnings.append(f"contact type {name!r} is not defined; left empty")
    return None


def _candidate(args: dict[str, Any], region: str) -> Candidate:
    if args["kind"] == "company":
        key = fold(args["company_name"])
    else:
        key = fold(f"{args['last_name']} {args['first_name']}")
    e164s = (normalise(p["raw"], region).e164 for p in args["phones"])
    return Candidate(
        kind=args["kind"],
        sort_key=key,
        company_id=args.get("company_id"),
        e164s=tuple(e for e in e164s if e),
        emails=tuple(e["address"].lower() for e in args["emails"]),
    )


def update_args(
    session: Session, contact_id: str, args: dict[str, Any], region: str
) -> dict[str, Any]:
    """What ``contact.update`` must change so the stored contact holds the row's
    data too: fields the row fills, and phones, e-mails and tags it adds."""
    c = session.get(Contact, contact_id)
    assert c is not None
    patch = {
        k: args[k]
        for k in _PATCHABLE
        if args.get(k) and args[k] != getattr(c, k) and (k != "company_id" or c.kind == "person")
    }
    if c.kind != args["kind"]:
        for key in ("first_name", "last_name", "company_name"):
            patch.pop(key, None)
    if args.get("social") and {**c.social, **args["social"]} != c.social:
        patch["social"] = {**c.social, **args["social"]}
    patch.update(_added_children(session, contact_id, args, region))
    return patch


def _added_children(
    session: Session, contact_id: str, args: dict[str, Any], region: str
) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    phones = session.exec(
        select(ContactPhone)
        .where(col(ContactPhone.contact_id) == contact_id)
        .order_by(col(ContactPhone.position))
    ).all()
    known = {p.e164 or p.raw for p in phones}
    new = [p for p in args["phones"] if _phone_key(p["raw"], region) not in known]
    if new:
        patch["phones"] = [{"raw": p.raw, "label": p.label} for p in phones] + new
    emails = session.exec(
        select(ContactEmail)
        .where(col(ContactEmail.contact_id) == contact_id)
        .order_by(col(ContactEmail.position))
    ).all()
    have = {e.address for e in emails}
    added = [e for e in args["emails"] if e["address"].lower() not in have]
    if added:
        patch["emails"] = [{"address": e.address, "label": e.label} for e in emails] + added
    tags = session.exec(
        select(Tag.name)
        .join(ContactTag, col(ContactTag.tag_id) == Tag.id)
        .where(col(ContactTag.contact_id) == contact_id)
    ).all()
    more = [t for t in args["tags"] if fold(t) not in {fold(n) for n in tags}]
    if more:
        patch["tags"] = [*tags, *more]
    if args["addresses"] and not _has_address(session, contact_id):
        patch["addresses"] = args["addresses"]
    return patch


def _phone_key(raw: str, region: str) -> str:
    """Numbers compare in E.164 when they parse, as typed otherwise."""
    return normalise(raw, region).e164 or raw.strip()


def _has_address(session: Session, contact_id: str) -> bool:
    return (
        session.execute(
            text("SELECT 1 FROM contact_address WHERE contact_id = :c LIMIT 1"), {"c": contact_id}
        ).first()
        is not None
    )
