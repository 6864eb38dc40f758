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

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..models import Call, CallKey, Contact, User
from ..phones import format_for_display
from ..sqlite_sets import json_list, one_json, sqlite_connection
from .args import Args, CreateArgs
from .call_args import CallLog, CallLogBatch, NewCallContact
from .call_merge import MERGED_FIELDS, call_state, merge_call, states_by_id
from .call_rows import create_caller_contacts, insert_calls, stored_time
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

    def absorb(self, other: LogResult) -> None:
        """Add what another log mutation of the same transaction did."""
        self.call_ids += other.call_ids
        self.new += other.new
        self.merged += other.merged
        self.unchanged += other.unchanged
        self.contacts_created += other.contacts_created
        self.contacts.update(other.contacts)


_CHUNK = 500  # bound parameters per IN (...) list


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def known_keys(session: Session, source: str, ids: Sequence[str]) -> dict[str, str]:
    """``source_call_id -> call id`` for the ids of ``source`` already stored."""
    raw = sqlite_connection(session)
    if raw is not None:
        sql = (
            "SELECT json_group_array(json_array(source_call_id, call_id)) FROM call_key "
            "WHERE source = ? AND source_call_id IN (SELECT value FROM json_each(?))"
        )
        return dict(one_json(raw, sql, (source, json_list(dict.fromkeys(ids)))))
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
    """The ``ids`` no row of ``model`` has."""
    raw = sqlite_connection(session)
    if raw is not None and ids:
        table = model.__table__.name
        sql = (
            "SELECT json_group_array(value) FROM json_each(?) "
            f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" WHERE id = value)'
        )
        return set(one_json(raw, sql, (json_list(ids),)))
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


def _merge_stored(session: Session, ctx: Context, merges: list[tuple[str, Row]]) -> list[bool]:
    """Fold each ``(call id, row)`` into its stored call, in order; whether
    each changed it. On SQLite the calls are read with one statement and
    written back with one ``executemany``; elsewhere (the sync server) through
    the ORM, which its change tracking listens to."""
    if not merges:
        return []
    db = sqlite_connection(session)
    if db is None:
        return [_merge_orm(session, ctx, call_id, row) for call_id, row in merges]
    states = states_by_id(db, (call_id for call_id, _ in merges))
    bumps: dict[str, int] = {}
    out = []
    for call_id, row in merges:
        if call_id not in states:
            raise MutationError(f"no call with id {call_id}")
        changes = merge_call(states[call_id], row)
        states[call_id].update(changes)
        if changes:
            bumps[call_id] = bumps.get(call_id, 0) + 1
        out.append(bool(changes))
    if bumps:
        now = stored_time(ctx.now)
        db.executemany(
            _UPDATE_MERGED,
            [[*_stored_values(states[cid]), n, now, cid] for cid, n in bumps.items()],
        )
    return out


_UPDATE_MERGED = (
    "UPDATE call SET "
    + ", ".join(f"{name} = ?" for name in MERGED_FIELDS)
    + ", version = version + ?, updated_at = ? WHERE id = ?"
)


_TIMES = frozenset({"started_at", "answered_at", "ended_at"})


def _stored_values(state: Row) -> list[Any]:
    return [stored_time(state[n]) if n in _TIMES else state[n] for n in MERGED_FIELDS]


def _merge_orm(session: Session, ctx: Context, call_id: str, row: Row) -> bool:
    stored = load(session, Call, call_id, "call")
    changes = merge_call(call_state(stored), row)
    for key, value in changes.items():
        setattr(stored, key, value)
    if changes:
        touch(stored, ctx)
    return bool(changes)


def _merge_targets(
    session: Session, rows: Sequence[Row], known: dict[tuple[str, str], str]
) -> dict[int, str]:
    """Row index -> the call its ``merge_into`` names, for the rows whose key
    is new and whose target still exists and has no key of the row's source
    yet. One target takes one call of a source, even within a batch."""
    asked = [
        (i, r["merge_into"], r["source"])
        for i, r in enumerate(rows)
        if r["merge_into"] and (r["source"], r["source_call_id"]) not in known
    ]
    if not asked:
        return {}
    db = sqlite_connection(session)
    if db is not None:
        sql = (
            "SELECT json_group_array(json_array(c.id, j.value ->> 1)) FROM json_each(?) j "
            "JOIN call c ON c.id = j.value ->> 0 WHERE NOT EXISTS (SELECT 1 FROM call_key k "
            "WHERE k.call_id = c.id AND k.source = j.value ->> 1)"
        )
        pairs = json_list([target, source] for _, target, source in asked)
        free = {(t, src) for t, src in one_json(db, sql, (pairs,))}
    else:
        free = {(t, src) for _, t, src in asked if _free_orm(session, t, src)}
    out: dict[int, str] = {}
    for i, target, source in asked:
        if (target, source) in free:
            free.discard((target, source))
            out[i] = target
    return out


def _free_orm(session: Session, target: str, source: str) -> bool:
    if session.get(Call, target) is None:
        return False
    taken = session.exec(
        select(CallKey.source_call_id).where(CallKey.call_id == target, CallKey.source == source)
    ).first()
    return taken is None


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
    targets = _merge_targets(session, rows, known)
    merges: list[tuple[str, Row]] = []
    for i, row in enumerate(rows):
        key = (row["source"], row["source_call_id"])
        if key in pending:  # a second leg of a call new in this batch
            new = pending[key]
            new.update(merge_call(new, row))
            result.merged += 1
            result.call_ids.append(new["id"])
            continue
        target = known.get(key) or targets.get(i)
        if target is None:
            pending[key] = _new_row(ctx, row)
            keys.append({"source": key[0], "source_call_id": key[1], "call_id": row["id"]})
            result.call_ids.append(row["id"])
            continue
        merges.append((target, row))
        if key not in known:
            keys.append({"source": key[0], "source_call_id": key[1], "call_id": target})
            known[key] = target
        result.call_ids.append(target)
    for changed in _merge_stored(session, ctx, merges):
        result.merged += changed
        result.unchanged += not changed
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
    if sqlite_connection(session) is None:
        _check_refs(session, rows)
        _upsert(session, ctx, rows, result)
        return result
    # SQLite checks the foreign keys as it writes (a batch's contact ids are
    # not read twice); a failure then says which reference is missing.
    try:
        _upsert(session, ctx, rows, result)
    except sqlite3.IntegrityError:
        _check_refs(session, rows)
        raise
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
