"""Mutations on calls: log one, log a batch, wrap up, link to a contact.

Every call the phone system reports is written by ``call.log`` (one call, live
sources) or ``call.log_batch`` (imports: one outbox row covers thousands of
calls). Both are upserts keyed by ``(source, source_call_id)`` through the
``call_key`` table, and merging follows :func:`merge_call`, whose rules are
idempotent (min, max, a status ranking), so replaying a batch on another
replica, re-importing a file or hearing a leg twice converges on the same row.
Which contact a call belongs to, and which unknown numbers get a new contact,
is decided by the caller (crmtui.telephony) and carried in the arguments, so
the server's replay does not depend on its own matching.

The wrap-up (description, notes, outcome, person spoken to) is written only by
``call.wrapup``; no merge ever touches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..models import Call, CallKey, Contact, User
from ..phones import format_for_display
from .args import Args, CreateArgs
from .call_args import CallLog, CallLogBatch, NewCallContact
from .call_merge import call_state, merge_call
from .call_rows import create_caller_contacts, insert_calls
from .contacts import ContactCreate, PhoneIn, create_contact
from .records import check_exists, load, touch
from .registry import Context, MutationError, mutation


@dataclass(slots=True)
class LogResult:
    """What a log mutation did: the call id of each input, in order."""

    call_ids: list[str] = field(default_factory=list)
    new: int = 0
    merged: int = 0
    unchanged: int = 0
    contacts_created: int = 0
    contacts: dict[str, str] = field(default_factory=dict)  # planned id -> contact used


_CHUNK = 500  # bound parameters per IN (...) list


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def known_keys(session: Session, source: str, ids: Sequence[str]) -> dict[str, str]:
    """``source_call_id -> call id`` for the ids of ``source`` already stored."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        rows = session.exec(
            select(CallKey.source_call_id, CallKey.call_id).where(
                CallKey.source == source, col(CallKey.source_call_id).in_(chunk)
            )
        )
        found.update(dict(rows.all()))
    return found


def _missing(session: Session, model: Any, ids: set[str]) -> set[str]:
    present: set[str] = set()
    for chunk in _chunks(sorted(ids)):
        present.update(session.exec(select(model.id).where(col(model.id).in_(chunk))).all())
    return ids - present


def _create_contacts(
    session: Session, ctx: Context, specs: Sequence[NewCallContact], result: LogResult
) -> dict[str, str]:
    """Create the contacts of unknown numbers; returns ``spec id -> contact id``.

    A number that meanwhile has a contact (another replica created it, or a
    user typed it) reuses that contact, so one number never gets two."""
    planned = [(s.id, s.e164, s.name) for s in specs]
    used, created = create_caller_contacts(session, ctx, planned)
    result.contacts.update(used)
    result.contacts_created += created
    return used


Row = dict[str, Any]


def _check_refs(session: Session, rows: Sequence[Row]) -> None:
    contacts = {r["contact_id"] for r in rows if r["contact_id"]}
    if missing := _missing(session, Contact, contacts):
        raise MutationError(f"contact_id: no such contact {sorted(missing)[0]}")
    agents = {r["agent_id"] for r in rows if r["agent_id"]}
    if missing := _missing(session, User, agents):
        raise MutationError(f"agent_id: no such user {sorted(missing)[0]}")


def _new_row(ctx: Context, row: Row) -> Row:
    """The row to insert (``row`` is the mutation's own copy: stamped in place)."""
    row.update(created_by=ctx.user_id, created_at=ctx.now, updated_at=ctx.now, version=1)
    return row


def _merge_stored(session: Session, ctx: Context, call_id: str, row: Row) -> bool:
    stored = load(session, Call, call_id, "call")
    changes = merge_call(call_state(stored), row)
    for key, value in changes.items():
        setattr(stored, key, value)
    if changes:
        touch(stored, ctx)
    return bool(changes)


def _merge_target(session: Session, row: Row) -> str | None:
    """The call named by ``merge_into``, if it still exists and has not
    already been merged with another call of this source."""
    target = row["merge_into"]
    if target is None or session.get(Call, target) is None:
        return None
    taken = session.exec(
        select(CallKey.source_call_id).where(
            CallKey.call_id == target, CallKey.source == row["source"]
        )
    ).first()
    return None if taken is not None else target


def _known(session: Session, rows: Sequence[Row]) -> dict[tuple[str, str], str]:
    by_source: dict[str, list[str]] = {}
    for r in rows:
        by_source.setdefault(r["source"], []).append(r["source_call_id"])
    return {
        (source, key): call_id
        for source, ids in by_source.items()
        for key, call_id in known_keys(session, source, ids).items()
    }


def _upsert(session: Session, ctx: Context, rows: Sequence[Row], result: LogResult) -> None:
    pending: dict[tuple[str, str], Row] = {}
    keys: list[Row] = []
    known = _known(session, rows)
    for row in rows:
        key = (row["source"], row["source_call_id"])
        if key in pending:  # a second leg of a call new in this batch
            new = pending[key]
            new.update(merge_call(new, row))
            result.merged += 1
            result.call_ids.append(new["id"])
            continue
        target = known.get(key) or _merge_target(session, row)
        if target is None:
            pending[key] = _new_row(ctx, row)
            keys.append({"source": key[0], "source_call_id": key[1], "call_id": row["id"]})
            result.call_ids.append(row["id"])
            continue
        changed = _merge_stored(session, ctx, target, row)
        result.merged += changed
        result.unchanged += not changed
        if key not in known:
            keys.append({"source": key[0], "source_call_id": key[1], "call_id": target})
            known[key] = target
        result.call_ids.append(target)
    session.flush()  # merged ORM rows first, then the bulk rows beside them
    insert_calls(session, list(pending.values()), keys)
    result.new += len(pending)


def _log(
    session: Session, ctx: Context, rows: list[Row], specs: Sequence[NewCallContact]
) -> LogResult:
    if {r["id"] for r in rows} & {s.id for s in specs}:
        raise MutationError("a call and a new contact share an id")
    result = LogResult()
    alias = _create_contacts(session, ctx, specs, result)
    for row in rows:
        if row["contact_id"] in alias:
            row["contact_id"] = alias[row["contact_id"]]
    _check_refs(session, rows)
    _upsert(session, ctx, rows, result)
    return result


@mutation("call.log", CallLog)
def log_call(session: Session, ctx: Context, args: CallLog) -> LogResult:
    """Log one call (a live event or a manual entry); merges with what is known."""
    specs = [args.new_contact] if args.new_contact else []
    return _log(session, ctx, [args.model_dump(exclude={"new_contact"})], specs)


@mutation("call.log_batch", CallLogBatch)
def log_calls(session: Session, ctx: Context, args: CallLogBatch) -> LogResult:
    """Log many calls from one import at once, with the contacts of unknown numbers."""
    return _log(session, ctx, args.calls.rows(), args.new_contacts)


class CallWrapup(Args):
    """The after-call form; only the fields given change."""

    id: str = Field(min_length=1)
    description: str = Field(default="", max_length=5000)
    notes: str = Field(default="", max_length=20000)
    outcome: Literal["success", "failure"] | None = None
    person_id: str | None = None
    base_version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {**self.model_dump(mode="json", exclude_unset=True), "id": self.id}


@mutation("call.wrapup", CallWrapup)
def wrapup_call(session: Session, ctx: Context, args: CallWrapup) -> str:
    """Fill the after-call wrap-up: description, notes, outcome, person spoken to."""
    call = load(session, Call, args.id, "call")
    given = args.model_fields_set - {"id", "base_version"}
    if "person_id" in given:
        person = session.get(Contact, args.person_id) if args.person_id else None
        if args.person_id and (person is None or person.kind != "person"):
            raise MutationError(f"person_id: no person with id {args.person_id}")
    for name in given:
        setattr(call, "wrapup_" + name, getattr(args, name))
    touch(call, ctx)
    return call.id


class CallLink(Args):
    id: str = Field(min_length=1)
    contact_id: str = Field(min_length=1)
    person_id: str | None = None
    same_number: bool = False  # also link the other unmatched calls of that number


def _link(session: Session, ctx: Context, call: Call, contact_id: str, same_number: bool) -> int:
    call.contact_id = contact_id
    touch(call, ctx)
    if not (same_number and call.remote_e164):
        return 1
    others = session.execute(
        update(Call)
        .where(col(Call.remote_e164) == call.remote_e164, col(Call.contact_id).is_(None))
        .where(col(Call.id) != call.id)
        .values(contact_id=contact_id, version=Call.version + 1, updated_at=ctx.now)
    )
    return 1 + int(others.rowcount or 0)  # type: ignore[attr-defined]


@mutation("call.link_contact", CallLink)
def link_call(session: Session, ctx: Context, args: CallLink) -> int:
    """Link a call (and optionally every unmatched call of its number) to a contact."""
    call = load(session, Call, args.id, "call")
    check_exists(session, Contact, args.contact_id, "contact_id")
    check_exists(session, Contact, args.person_id, "person_id")
    if args.person_id:
        call.person_id = args.person_id
    return _link(session, ctx, call, args.contact_id, args.same_number)


class CallNewContact(CreateArgs):
    """Create a contact from a call's number and link the call to it."""

    call_id: str = Field(min_length=1)
    kind: Literal["person", "company"] = "person"
    first_name: str = Field(default="", max_length=200)
    last_name: str = Field(default="", max_length=200)
    company_name: str = Field(default="", max_length=300)
    same_number: bool = True


@mutation("call.create_contact", CallNewContact)
def create_contact_from_call(session: Session, ctx: Context, args: CallNewContact) -> str:
    """Create a contact carrying the call's number and link the call to it."""
    call = load(session, Call, args.call_id, "call")
    if not call.remote_raw.strip():
        raise MutationError("call_id: the call has no number to create a contact from")
    fallback = call.remote_name or format_for_display(call.remote_raw, call.remote_e164, ctx.region)
    names = {"first_name": args.first_name, "last_name": args.last_name}
    if args.kind == "company":
        names = {"company_name": args.company_name or fallback}
    elif not (args.first_name or args.last_name):
        names["last_name"] = fallback
    phone = PhoneIn(raw=call.remote_e164 or call.remote_raw[:64], label="work")
    create_contact(
        session,
        ctx,
        ContactCreate(id=args.id, kind=args.kind, origin="call", phones=[phone], **names),
    )
    _link(session, ctx, call, args.id, args.same_number)
    return args.id
