"""Importing contacts a batch at a time: one ``contact.import_batch`` per batch.

:class:`~.contact_import.ContactImporter` handles one row with a query per
question (is it already here? which company?) and a mutation per write, a
hundred rows a second. :class:`BatchPlanner` answers the same questions for a
whole batch with one query each (ids, numbers, e-mails, names, companies),
keeps what the batch itself creates in memory so that a row duplicating an
earlier row of the same batch is still caught, and sends every creation and
update of the batch as one mutation. The decisions are the single-row
importer's, rule for rule. A batch the planner cannot decide alone (a contact
updated twice, a company id already taken) or that the store refuses is
imported by the single-row importer instead, record by record.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..store.money import MoneyError, check_currency
from ..store.mutations import Context, MutationError, run_in
from ..store.mutations.args import name_id
from ..store.mutations.contact_batch import ContactColumns, ContactImportBatch
from ..store.mutations.contacts import Access, ContactUpdate, Label
from ..store.text import fold
from .contact_data import ContactData, RowRejected, check_row, create_args, phone_facts
from .contact_import import ContactImporter, update_args
from .importer import BatchRefused, Outcome, imported_id
from .source import Record

_COMPANY_DEFAULTS: dict[str, Any] = {
    "kind": "company",
    "first_name": "",
    "last_name": "",
    "company_id": None,
    "title": "",
    "website": "",
    "description": "",
    "type_id": None,
    "temperature": None,
    "currency": None,
    "access": "public_rw",
    "social": {},
    "phones": [],
    "emails": [],
    "addresses": [],
    "tags": [],
}


class _Fallback(Exception):
    """This batch goes through the single-row importer."""


@dataclass(slots=True)
class _Row:
    at: int  # position in the batch
    data: ContactData
    args: dict[str, Any]
    new_id: str
    given: bool
    e164s: tuple[str, ...]
    emails: tuple[str, ...]
    key: str  # folded name, as sort_key
    company_key: str  # folded company name of a person
    values: tuple[Any, ...] = ()  # the row's ContactColumns values, in FIELDS order


def _rows_of(session: Session, sql: str, values: Iterable[str]) -> list[Any]:
    """``sql`` run with ``{}`` standing for the set of ``values``, passed as one
    JSON parameter (binding thousands of parameters costs more than the query)."""
    wanted = sorted(set(values))
    if not wanted:
        return []
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw.execute(
        sql.format("SELECT value FROM json_each(?)"), (json.dumps(wanted),)
    ).fetchall()


def _first(rows: Iterable[Any]) -> dict[Any, str]:
    out: dict[Any, str] = {}
    for *key, value in rows:
        out.setdefault(key[0] if len(key) == 1 else tuple(key), value)
    return out


@dataclass
class _Known:
    """What the store and the batch so far hold, by each duplicate key."""

    kinds: dict[str, str] = field(default_factory=dict)  # contact id -> kind
    by_e164: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, str] = field(default_factory=dict)
    companies: dict[str, str] = field(default_factory=dict)  # folded name -> id
    people: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, company)
    types: dict[str, str] = field(default_factory=dict)  # folded type name -> id
    created: set[str] = field(default_factory=set)
    updated: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, rows: Sequence[_Row]) -> _Known:
        ids = {r.new_id for r in rows} | {r.data.company_id for r in rows if r.data.company_id}
        ids |= {name_id("import-company", r.company_key) for r in rows if r.company_key}
        keys = {r.key for r in rows} | {r.company_key for r in rows if r.company_key}
        return cls(
            kinds=dict(_rows_of(session, "SELECT id, kind FROM contact WHERE id IN ({})", ids)),
            by_e164=_first(
                _rows_of(
                    session,
                    "SELECT e164, contact_id FROM contact_phone WHERE e164 IN ({}) ORDER BY rowid",
                    (e for r in rows for e in r.e164s),
                )
            ),
            by_email=_first(
                _rows_of(
                    session,
                    "SELECT address, contact_id FROM contact_email WHERE address IN ({}) "
                    "ORDER BY rowid",
                    (e for r in rows for e in r.emails),
                )
            ),
            companies=_first(
                _rows_of(
                    session,
                    "SELECT sort_key, id FROM contact WHERE kind = 'company' AND sort_key IN ({}) "
                    "ORDER BY created_at, id",
                    keys,
                )
            ),
            people=_first(
                _rows_of(
                    session,
                    "SELECT sort_key, company_id, id FROM contact WHERE kind = 'person' "
                    "AND company_id IS NOT NULL AND sort_key IN ({}) ORDER BY rowid",
                    (r.key for r in rows),
                )
            ),
            types={
                fold(name): cid
                for cid, name in session.execute(
                    text("SELECT id, name FROM category WHERE scope = 'contact_type'")
                )
            },
        )

    def exists(self, contact_id: str) -> bool:
        return contact_id in self.kinds or contact_id in self.created

    def add(self, contact_id: str, row: _Row, company_id: str | None) -> None:
        self.created.add(contact_id)
        self.kinds[contact_id] = row.args["kind"]
        self.remember(contact_id, row.e164s, row.emails)
        if row.args["kind"] == "company":
            self.companies.setdefault(row.key, contact_id)
        elif company_id:
            self.people.setdefault((row.key, company_id), contact_id)

    def remember(self, contact_id: str, e164s: Iterable[str], emails: Iterable[str]) -> None:
        for e164 in e164s:
            self.by_e164.setdefault(e164, contact_id)
        for email in emails:
            self.by_email.setdefault(email, contact_id)


class BatchPlanner:
    """Plans and applies one batch of contact records (see the module doc)."""

    def __init__(self, single: ContactImporter) -> None:
        self.single = single
        self._currencies: dict[str, str | None] = {}

    def __call__(self, session: Session, ctx: Context, record: Record) -> Outcome:
        return self.single(session, ctx, record)

    def batch(self, session: Session, ctx: Context, records: list[Record]) -> list[Outcome] | None:
        """Every record's outcome, or None when the batch must go row by row.
        Raises :class:`BatchRefused` when the store refused the batch half-way:
        the transaction must be rolled back and the batch imported row by row."""
        outcomes: list[Outcome | None] = [None] * len(records)
        try:
            rows = self._parse(ctx, records, outcomes)
            rows = _validate(rows, outcomes)
            plan = _Plan(self, session, ctx, rows)
            for row in rows:
                outcomes[row.at] = plan.decide(row)
        except _Fallback:
            return None  # nothing written yet
        batch = plan.mutation()
        if batch is not None:
            try:
                run_in(session, ctx, "contact.import_batch", batch)
            except (MutationError, IntegrityError) as exc:
                raise BatchRefused(str(exc)) from exc
        plan.name_skipped(session)
        return [o for o in outcomes if o is not None]

    def _parse(
        self, ctx: Context, records: list[Record], outcomes: list[Outcome | None]
    ) -> list[_Row]:
        rows = []
        for at, record in enumerate(records):
            if record.error:
                outcomes[at] = Outcome("rejected", reason=record.error)
                continue
            try:
                rows.append(self._row(ctx, at, record))
            except RowRejected as exc:
                outcomes[at] = Outcome("rejected", reason=str(exc))
        return rows

    def _row(self, ctx: Context, at: int, record: Record) -> _Row:
        data = self.single.to_data(record.payload)
        check_row(data, ctx.region)
        args = create_args(data)
        if args.get("currency"):
            self._check_currency(args["currency"])
        e164s = (phone_facts(p["raw"], ctx.region)[0] for p in args["phones"])
        if args["kind"] == "company":
            key = fold(args["company_name"])
        else:
            key = fold(f"{args['last_name']} {args['first_name']}")
        company = data.company.strip() if args["kind"] == "person" else ""
        if len(company) > 300:
            raise RowRejected("company: longer than 300 characters")
        return _Row(
            at,
            data,
            args,
            data.id or imported_id(self.single.digest, record.line),
            data.id is not None,
            tuple(e for e in e164s if e),
            tuple(e["address"].strip().lower() for e in args["emails"]),
            key,
            fold(company),
        )

    def _check_currency(self, code: str) -> None:
        if code not in self._currencies:
            try:
                self._currencies[code] = check_currency(code)
            except MoneyError as exc:
                self._currencies[code] = None
                raise RowRejected(f"currency: {exc}") from None
        if self._currencies[code] is None:
            raise RowRejected(f"currency: unknown currency code {code!r}")


FIELDS = tuple(ContactColumns.model_fields)
# _values builds its tuples in this order; a new field must be added there too.
assert FIELDS == (
    "id",
    "kind",
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
    "social",
    "phones",
    "emails",
    "addresses",
    "tags",
), FIELDS
_COMPANY_ID, _TYPE_ID = FIELDS.index("company_id"), FIELDS.index("type_id")
_LABELS = frozenset(get_args(Label))
_ACCESS = frozenset(get_args(Access))


def _values(r: _Row) -> tuple[Any, ...]:
    """The row as a new contact's column values (company and type set later)."""
    a = r.args
    return (
        r.new_id,
        a["kind"],
        a.get("first_name", ""),
        a.get("last_name", ""),
        a.get("company_name", ""),
        None,
        a.get("title", ""),
        a.get("website", ""),
        a.get("description", ""),
        None,
        a.get("temperature"),
        a.get("currency"),
        a.get("access", "public_rw"),
        a.get("social", {}),
        [(p["raw"], p["label"]) for p in a["phones"]],
        [(e["address"], e["label"]) for e in a["emails"]],
        a["addresses"],
        a["tags"],
    )


def _plain(text: Any, most: int = 1 << 30) -> bool:
    return type(text) is str and len(text) <= most and text == text.strip()


def _already_valid(v: tuple[Any, ...]) -> bool:
    """True when ContactColumns would accept these values and change none of
    them (stripping, coercing); a stricter test than its own, never looser, so
    that what passes here replays on the server. The others are validated."""
    (
        new_id,
        kind,
        first,
        last,
        company,
        _company_id,
        title,
        website,
        description,
        _type_id,
        temperature,
        currency,
        access,
        social,
        phones,
        emails,
        addresses,
        tags,
    ) = v
    return (
        _plain(new_id)
        and bool(new_id)
        and kind in ("person", "company")
        and _plain(first, 200)
        and _plain(last, 200)
        and _plain(company, 300)
        and _plain(title)
        and _plain(website)
        and _plain(description)
        and (temperature is None or _plain(temperature))
        and (currency is None or _plain(currency))
        and access in _ACCESS
        and not social
        and not addresses
        and all(_plain(raw, 64) and raw and label in _LABELS for raw, label in phones)
        and all(_plain(address) and label in _LABELS for address, label in emails)
        and all(_plain(tag) for tag in tags)
    )


def _validate(rows: list[_Row], outcomes: list[Outcome | None]) -> list[_Row]:
    """The rows the mutation accepts, each with its validated values; the
    others rejected with the reason ContactColumns gives."""
    odd: list[_Row] = []
    for row in rows:
        row.values = _values(row)
        if not _already_valid(row.values):
            odd.append(row)
    if not odd:
        return rows
    refused: set[int] = set()
    while odd:
        columns = {
            name: list(values)
            for name, values in zip(FIELDS, zip(*(r.values for r in odd), strict=True), strict=True)
        }
        try:
            valid = ContactColumns.model_validate(columns)
        except ValidationError as exc:
            bad: dict[int, str] = {}
            for err in exc.errors():
                where = err["loc"]
                if len(where) < 2 or not isinstance(where[1], int):
                    raise _Fallback from None
                bad.setdefault(where[1], f"{where[0]}: {err['msg']}")
            for j, reason in bad.items():
                outcomes[odd[j].at] = Outcome("rejected", reason=reason)
                refused.add(odd[j].at)
            odd = [r for j, r in enumerate(odd) if j not in bad]
            continue
        for j, row in enumerate(odd):
            row.values = tuple(getattr(valid, name)[j] for name in FIELDS)
        break
    return [r for r in rows if r.at not in refused]


class _Plan:
    """The decisions for one batch, and the mutation they add up to."""

    def __init__(
        self,
        planner: BatchPlanner,
        session: Session,
        ctx: Context,
        rows: list[_Row],
    ) -> None:
        self.planner, self.session, self.ctx = planner, session, ctx
        self.known = _Known.load(session, rows)
        self.create: list[tuple[Any, ...]] = []  # new contacts' values, in FIELDS order
        self.update: list[ContactUpdate] = []
        self.skipped: list[tuple[Outcome, str, str]] = []  # outcome, contact id, reason

    def decide(self, row: _Row) -> Outcome:
        data, args = row.data, row.args
        args["type_id"] = self._type_id(data)
        also: list[str] = []
        company_id = self._company(row, also) if args["kind"] == "person" else None
        args["company_id"] = company_id
        outcome = self._place(row, company_id)
        outcome.warnings[:0] = data.warnings
        outcome.also[:0] = also
        return outcome

    def _type_id(self, data: ContactData) -> str | None:
        name = data.scalars.get("type", "")
        if not name:
            return None
        found = self.known.types.get(fold(name))
        if found is None:
            data.warnings.append(f"contact type {name!r} is not defined; left empty")
        return found

    def _company(self, row: _Row, also: list[str]) -> str | None:
        given = row.data.company_id
        if given and self.known.kinds.get(given) == "company":
            return given
        if not row.company_key:
            return None
        found = self.known.companies.get(row.company_key)
        if found:
            return found
        company_id = given or name_id("import-company", row.company_key)
        if self.known.exists(company_id):
            raise _Fallback  # the single-row importer says what is wrong
        values = {**_COMPANY_DEFAULTS, "id": company_id, "company_name": row.data.company.strip()}
        self.create.append(tuple(values[name] for name in FIELDS))
        self.known.created.add(company_id)
        self.known.kinds[company_id] = "company"
        self.known.companies[row.company_key] = company_id
        also.append("companies created")
        return company_id

    def _match(self, row: _Row, company_id: str | None) -> tuple[str, str] | None:
        if self.known.exists(row.new_id):
            return row.new_id, "same id"
        if row.given:
            return None
        for e164 in row.e164s:
            if e164 in self.known.by_e164:
                return self.known.by_e164[e164], f"same number {e164}"
        for email in row.emails:
            if email in self.known.by_email:
                return self.known.by_email[email], f"same e-mail {email}"
        if row.args["kind"] == "company":
            found = self.known.companies.get(row.key)
            return (found, "same company name") if found else None
        if company_id is None:
            return None
        found = self.known.people.get((row.key, company_id))
        return (found, "same name at the same company") if found else None

    def _place(self, row: _Row, company_id: str | None) -> Outcome:
        policy = self.planner.single.policy
        match = self._match(row, company_id)
        if match is None or (policy == "create" and match[1] != "same id"):
            self._create(row, company_id)
            return Outcome("created", row.new_id)
        found, reason = match
        if policy == "update":
            return self._update(row, found, reason)
        if reason == "same id":
            return Outcome("unchanged", found, reason="already imported")
        outcome = Outcome("skipped", found)
        self.skipped.append((outcome, found, reason))
        return outcome

    def _create(self, row: _Row, company_id: str | None) -> None:
        values = list(row.values)
        values[_COMPANY_ID] = company_id
        values[_TYPE_ID] = row.args["type_id"]
        self.create.append(tuple(values))
        self.known.add(row.new_id, row, company_id)

    def _update(self, row: _Row, found: str, reason: str) -> Outcome:
        if found in self.known.created or found in self.known.updated:
            raise _Fallback  # the patch would be worked out from a stale row
        patch = update_args(self.session, found, row.args, self.ctx.region)
        if not patch:
            return Outcome("unchanged", found, reason=reason)
        try:
            self.update.append(ContactUpdate.model_validate({"id": found, **patch}))
        except ValidationError as exc:
            return Outcome("rejected", reason="; ".join(e["msg"] for e in exc.errors()))
        self.known.updated.add(found)
        self.known.remember(found, row.e164s, row.emails)
        return Outcome("updated", found, reason=reason)

    def mutation(self) -> ContactImportBatch | None:
        if not self.create and not self.update:
            return None
        # Built from validated values: checking them again would only cost time.
        create = None
        if self.create:
            columns = zip(FIELDS, zip(*self.create, strict=True), strict=True)
            create = ContactColumns.model_construct(None, **{k: list(v) for k, v in columns})
        return ContactImportBatch.model_construct(create=create, update=self.update)

    def name_skipped(self, session: Session) -> None:
        """Say whose duplicate each skipped row is (one query for the batch)."""
        names = dict(
            _rows_of(
                session,
                "SELECT id, display_name FROM contact WHERE id IN ({})",
                (found for _, found, _ in self.skipped),
            )
        )
        for outcome, found, reason in self.skipped:
            outcome.reason = f"duplicate of {names.get(found, found)} ({reason})"
