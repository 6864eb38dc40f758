"""The to-do list: tasks in buckets (overdue, today, this week, later, closed),
what is due soon, and which reminders are owed.

"Today" and "this week" are the user's local calendar: the caller passes the
time zone (and "now", so that tests and the bench can freeze the clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from ..sql import Db, rows
from .common import as_utc
from .keyset import SqlListing, sql_time

BUCKETS = ("overdue", "today", "week", "later", "closed")
_NEVER = "9999-12-31 23:59:59.999999"  # sorts a task without a due date last


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: str
    title: str
    due_at: datetime | None
    reminder_minutes: int | None
    closed_at: datetime | None
    contact_id: str | None
    contact: str
    opportunity: str
    responsible: str
    description: str


@dataclass(frozen=True, slots=True)
class Bounds:
    """The instants that separate the buckets, in UTC text as the store holds it."""

    now: str
    tomorrow: str
    next_week: str

    @classmethod
    def at(cls, now: datetime, tz: tzinfo) -> Bounds:
        local = now.astimezone(tz)
        tomorrow = datetime.combine(local.date() + timedelta(days=1), time(), tz)
        next_week = datetime.combine(local.date() + timedelta(days=7 - local.weekday()), time(), tz)
        return cls(sql_time(now), sql_time(tomorrow), sql_time(next_week))


_BUCKET_WHERE = {
    "overdue": "t.closed_at IS NULL AND t.due_at < :now",
    "today": "t.closed_at IS NULL AND t.due_at >= :now AND t.due_at < :tomorrow",
    "week": "t.closed_at IS NULL AND t.due_at >= :tomorrow AND t.due_at < :next_week",
    "later": "t.closed_at IS NULL AND (t.due_at >= :next_week OR t.due_at IS NULL)",
    "closed": "t.closed_at IS NOT NULL",
}

_COLUMNS = """t.id AS k1, t.title, t.due_at, t.reminder_minutes, t.closed_at, t.contact_id,
    t.description,
    COALESCE((SELECT display_name FROM contact c WHERE c.id = t.contact_id), '') AS contact,
    COALESCE((SELECT title FROM opportunity o WHERE o.id = t.opportunity_id), '') AS opportunity,
    COALESCE((SELECT name FROM user_account u WHERE u.id = t.responsible_id), '') AS responsible
"""


def _row(r: Any) -> TaskRow:
    return TaskRow(
        r["k1"],
        r["title"],
        as_utc(r["due_at"]),
        r["reminder_minutes"],
        as_utc(r["closed_at"]),
        r["contact_id"],
        r["contact"],
        r["opportunity"],
        r["responsible"],
        r["description"],
    )


def tasks(bucket: str, bounds: Bounds) -> SqlListing[TaskRow]:
    """One bucket: open tasks by due time, closed ones most recently closed first."""
    if bucket not in _BUCKET_WHERE:
        raise ValueError(f"unknown task list {bucket!r}; one of {', '.join(BUCKETS)}")
    key = "t.closed_at" if bucket == "closed" else f"COALESCE(t.due_at, '{_NEVER}')"
    relation = f"SELECT {key} AS k0, {_COLUMNS} FROM task t WHERE {_BUCKET_WHERE[bucket]}"
    params = {"now": bounds.now, "tomorrow": bounds.tomorrow, "next_week": bounds.next_week}
    return SqlListing(relation, _row, params, descending=bucket == "closed")


def bucket_counts(db: Db, bounds: Bounds) -> dict[str, int]:
    """How many tasks each bucket holds (for the tab labels)."""
    return {b: tasks(b, bounds).count(db) for b in BUCKETS}


def due_within(db: Db, now: datetime, within: timedelta) -> list[TaskRow]:
    """Open tasks due before ``now + within``, overdue ones included, soonest first."""
    sql = (
        f"SELECT t.due_at AS k0, {_COLUMNS} FROM task t WHERE t.closed_at IS NULL "
        "AND t.due_at IS NOT NULL AND t.due_at < :until ORDER BY t.due_at, t.id"
    )
    found = rows(db, sql, {"until": sql_time(now + within)})
    return [_row(r) for r in found]


def reminders_due(db: Db, now: datetime, user_id: str | None) -> list[TaskRow]:
    """Open tasks of ``user_id`` (or nobody's) whose reminder time has come and
    that were not reminded yet. The longest reminder is one day, so only tasks
    due before tomorrow can qualify, which the due-date index finds."""
    sql = (
        f"SELECT t.due_at AS k0, {_COLUMNS} FROM task t WHERE t.closed_at IS NULL "
        "AND t.reminded_at IS NULL AND t.reminder_minutes IS NOT NULL "
        "AND t.due_at IS NOT NULL AND t.due_at < :horizon "
        "AND (t.responsible_id = :user OR t.responsible_id IS NULL) ORDER BY t.due_at, t.id"
    )
    params = {"horizon": sql_time(now + timedelta(days=1, seconds=1)), "user": user_id}
    listed = [_row(r) for r in rows(db, sql, params)]
    return [
        r
        for r in listed
        if r.due_at and r.due_at - timedelta(minutes=r.reminder_minutes or 0) <= now
    ]


def task_row(db: Db, task_id: str) -> TaskRow | None:
    """One task as the lists show it (for opening it from a timeline), if it exists."""
    sql = f"SELECT t.due_at AS k0, {_COLUMNS} FROM task t WHERE t.id = :id"
    found = rows(db, sql, {"id": task_id})
    return _row(found[0]) if found else None
