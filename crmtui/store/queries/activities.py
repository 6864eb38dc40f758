"""The history of activities, newest first, filtered by type, status, dates, user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .common import as_utc
from .keyset import SqlListing, sql_time


@dataclass(frozen=True, slots=True)
class ActivityRow:
    id: str
    starts_at: datetime
    type: str
    subject: str
    status: str
    outcome: str
    contact_id: str | None
    contact: str
    owner: str
    private: bool


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    type: str | None = None
    status: str | None = None
    since: datetime | None = None  # starts at or after
    until: datetime | None = None  # starts before
    user_id: str | None = None  # owner or assigned
    contact_id: str | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        parts, params = ["1"], {}
        for name in ("type", "status", "contact_id"):
            if getattr(self, name):
                parts.append(f"a.{name} = :{name}")
                params[name] = getattr(self, name)
        if self.since:
            parts.append("a.starts_at >= :since")
            params["since"] = sql_time(self.since)
        if self.until:
            parts.append("a.starts_at < :until")
            params["until"] = sql_time(self.until)
        if self.user_id:
            parts.append(
                "(a.owner_id = :user_id OR EXISTS (SELECT 1 FROM activity_user au "
                "WHERE au.activity_id = a.id AND au.user_id = :user_id))"
            )
            params["user_id"] = self.user_id
        return " AND ".join(parts), params


def _row(r: Any) -> ActivityRow:
    return ActivityRow(
        r["k1"],
        as_utc(r["k0"]) or datetime.min,
        r["type"],
        r["subject"],
        r["status"],
        r["outcome"] or "",
        r["contact_id"],
        r["contact"],
        r["owner"],
        bool(r["private"]),
    )


def activities(filters: ActivityFilter | None = None) -> SqlListing[ActivityRow]:
    """Activities matching ``filters``, newest first."""
    where, params = (filters or ActivityFilter()).sql()
    relation = f"""
        SELECT a.starts_at AS k0, a.id AS k1, a.type, a.subject, a.status, a.outcome, a.private,
               COALESCE(a.person_id, a.contact_id) AS contact_id,
               COALESCE((SELECT display_name FROM contact c
                         WHERE c.id = COALESCE(a.person_id, a.contact_id)), '') AS contact,
               COALESCE((SELECT name FROM user_account u WHERE u.id = a.owner_id), '') AS owner
        FROM activity a WHERE {where}"""
    return SqlListing(relation, _row, params, descending=True)
