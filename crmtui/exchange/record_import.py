"""Importing activities, tasks and opportunities from CSV.

The columns are those of our own export (``crmtui export tasks``...); other
files name theirs with ``--map``. References are given either as ids or as
what a person would write: a contact's e-mail or name, a user's name, a
stage's or category's name. A record is a duplicate when its id (from the
file, or derived from the file and line) is already stored: ``skip`` leaves
it, ``update`` applies what differs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, SQLModel

from ..store import settings
from ..store.models import Activity, Opportunity, Task
from ..store.money import Money, MoneyError
from ..store.mutations import Context, run_in
from ..store.text import fold
from .contact_data import RowRejected
from .importer import Outcome, imported_id
from .source import Record

Row = dict[str, str]


def parse_time(value: str, what: str) -> datetime | None:
    """ISO 8601; a time without a zone is the machine's local time."""
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RowRejected(f"{what}: {value!r} is not a date and time (2026-11-23 14:30)") from None
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


def parse_date(value: str, what: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise RowRejected(f"{what}: {value!r} is not a date (2026-11-23)") from None


def _one(session: Session, sql: str, params: dict[str, str], what: str) -> str | None:
    found = session.execute(text(sql), params).scalars().all()
    if len(found) > 1:
        raise RowRejected(f"{what} matches {len(found)} records; give its id instead")
    return str(found[0]) if found else None


def contact_ref(session: Session, row: Row, id_col: str, name_col: str) -> str | None:
    """A contact by id, else by e-mail, else by exact (folded) name."""
    given_id = row.get(id_col, "").strip()
    if given_id and _one(session, "SELECT id FROM contact WHERE id = :v", {"v": given_id}, ""):
        return given_id
    name = row.get(name_col, "").strip()
    if not name:
        return None
    if "@" in name:
        sql = "SELECT DISTINCT contact_id FROM contact_email WHERE address = :v"
        found = _one(session, sql, {"v": name.lower()}, f"{name_col} {name!r}")
    else:
        sql = "SELECT id FROM contact WHERE sort_key = :v OR lower(display_name) = lower(:n)"
        found = _one(session, sql, {"v": fold(name), "n": name}, f"{name_col} {name!r}")
    if found is None:
        raise RowRejected(f"{name_col}: no contact {name!r}")
    return found


def named(
    session: Session,
    table: str,
    name: str,
    warnings: list[str],
    what: str,
    scope: str | None = None,
) -> str | None:
    """The id of a user, stage or category by its name; unknown names warn."""
    if not name.strip():
        return None
    where = " AND scope = :s" if scope else ""
    rows = session.execute(
        text(f"SELECT id, name FROM {table} WHERE 1=1{where}"), {"s": scope or ""}
    ).all()
    for row_id, row_name in rows:
        if fold(row_name) == fold(name):
            return str(row_id)
    warnings.append(f"{what} {name!r} is not defined; left empty")
    return None


class RecordImporter:
    """The handler for one family: ``build`` turns a row into create arguments."""

    def __init__(
        self,
        kind: str,
        model: type[SQLModel],
        build: Callable[[Session, Row, list[str]], dict[str, Any]],
        *,
        digest: str,
        policy: str,
        after: Callable[..., None] | None = None,
    ) -> None:
        self.kind, self.model, self.build = kind, model, build
        self.digest, self.policy, self.after = digest, policy, after

    def __call__(self, session: Session, ctx: Context, record: Record) -> Outcome:
        row: Row = record.payload  # type: ignore[assignment]
        warnings: list[str] = []
        args = self.build(session, row, warnings)
        record_id = row.get("id", "").strip() or imported_id(self.digest, record.line, self.kind)
        stored = session.get(self.model, record_id)
        if stored is None:
            run_in(session, ctx, f"{self.kind}.create", {**args, "id": record_id})
            if self.after:
                self.after(session, ctx, record_id, row)
            return Outcome("created", record_id, warnings=warnings)
        if self.policy != "update":
            return Outcome("unchanged", record_id, reason="already imported", warnings=warnings)
        changed = {
            k: v
            for k, v in args.items()
            if k in type(stored).model_fields and getattr(stored, k) != v
        }
        if not changed:
            return Outcome("unchanged", record_id, warnings=warnings)
        run_in(session, ctx, f"{self.kind}.update", {"id": record_id, **changed})
        return Outcome("updated", record_id, warnings=warnings)


def _flag(value: str) -> bool:
    return fold(value) in ("1", "true", "yes", "oui", "x")


def activity_args(session: Session, row: Row, warnings: list[str]) -> dict[str, Any]:
    args: dict[str, Any] = {
        "subject": row.get("subject", ""),
        "details": row.get("details", ""),
        "starts_at": parse_time(row.get("starts_at", ""), "starts_at") or datetime.now(UTC),
        "ends_at": parse_time(row.get("ends_at", ""), "ends_at"),
        "contact_id": contact_ref(session, row, "contact_id", "contact"),
        "person_id": contact_ref(session, row, "person_id", "person"),
        "private": _flag(row.get("private", "")),
        "category_id": named(
            session,
            "category",
            row.get("category", ""),
            warnings,
            "activity category",
            "activity_category",
        ),
    }
    for key in ("type", "status", "outcome"):
        if row.get(key, "").strip():
            args[key] = row[key].strip().lower()
    return args


def task_args(session: Session, row: Row, warnings: list[str]) -> dict[str, Any]:
    reminder = row.get("reminder_minutes", "").strip()
    opp = row.get("opportunity_id", "").strip() or None
    if opp and session.get(Opportunity, opp) is None:
        warnings.append(f"opportunity {opp} is not in the store; left empty")
        opp = None
    return {
        "title": row.get("title", ""),
        "description": row.get("description", ""),
        "due_at": parse_time(row.get("due_at", ""), "due_at"),
        "reminder_minutes": int(reminder) if reminder.isdigit() else None,
        "contact_id": contact_ref(session, row, "contact_id", "contact"),
        "opportunity_id": opp,
        "responsible_id": named(
            session, "user_account", row.get("responsible", ""), warnings, "user"
        ),
        "category_id": named(
            session, "category", row.get("category", ""), warnings, "task category", "task_category"
        ),
    }


def close_task(session: Session, ctx: Context, task_id: str, row: Row) -> None:
    closed = parse_time(row.get("closed_at", ""), "closed_at")
    if closed is not None:
        run_in(session, ctx, "task.close", {"id": task_id, "at": closed})


def opportunity_args(session: Session, row: Row, warnings: list[str]) -> dict[str, Any]:
    currency = row.get("currency", "").strip().upper() or str(
        settings.get(session, "default_currency")
    )
    try:
        budget = Money.parse(row.get("budget", "") or "0", currency).minor
    except MoneyError as exc:
        raise RowRejected(f"budget: {exc}") from None
    args: dict[str, Any] = {
        "title": row.get("title", ""),
        "description": row.get("description", ""),
        "contact_id": contact_ref(session, row, "contact_id", "contact"),
        "budget_minor": budget,
        "currency": currency,
        "expected_close": parse_date(row.get("expected_close", ""), "expected_close"),
        "responsible_id": named(
            session, "user_account", row.get("responsible", ""), warnings, "user"
        ),
        "stage_id": _stage(session, row, warnings),
    }
    if row.get("budget_type", "").strip():
        args["budget_type"] = row["budget_type"].strip().lower()
    if row.get("budget_count", "").strip().isdigit():
        args["budget_count"] = int(row["budget_count"])
    return {k: v for k, v in args.items() if v is not None or k != "stage_id"}


def _stage(session: Session, row: Row, warnings: list[str]) -> str | None:
    stage = named(session, "stage", row.get("stage", ""), warnings, "stage")
    state = fold(row.get("state", ""))
    if stage is None and state in ("won", "lost"):
        return session.execute(
            text("SELECT id FROM stage WHERE state = :s ORDER BY position, id LIMIT 1"),
            {"s": state},
        ).scalar()
    return stage


FAMILIES: dict[str, tuple[str, type[SQLModel], Callable[..., dict[str, Any]]]] = {
    "activities": ("activity", Activity, activity_args),
    "tasks": ("task", Task, task_args),
    "opportunities": ("opportunity", Opportunity, opportunity_args),
}


def record_handler(family: str, *, digest: str, policy: str) -> RecordImporter:
    kind, model, build = FAMILIES[family]
    after = close_task if family == "tasks" else None
    return RecordImporter(kind, model, build, digest=digest, policy=policy, after=after)
