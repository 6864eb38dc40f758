"""One activity with every field its form edits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from .common import as_utc
from .lookups import Choice


@dataclass(frozen=True, slots=True)
class ActivityEdit:
    id: str
    version: int
    type: str
    category_id: str | None
    starts_at: datetime
    ends_at: datetime | None
    subject: str
    details: str
    status: str
    outcome: str | None
    contact_id: str | None  # the person if there is one, else the contact
    contact_name: str
    private: bool
    opportunities: tuple[Choice, ...]  # linked deals (id, title)


def activity_for_edit(session: Session, activity_id: str) -> ActivityEdit | None:
    row = session.execute(
        text(
            "SELECT a.id, a.version, a.type, a.category_id, a.starts_at, a.ends_at, a.subject, "
            "a.details, a.status, a.outcome, COALESCE(a.person_id, a.contact_id), "
            "COALESCE((SELECT display_name FROM contact c "
            "WHERE c.id = COALESCE(a.person_id, a.contact_id)), ''), a.private "
            "FROM activity a WHERE a.id = :id"
        ),
        {"id": activity_id},
    ).first()
    if row is None:
        return None
    deals = session.execute(
        text(
            "SELECT o.id, o.title FROM activity_opportunity l JOIN opportunity o "
            "ON o.id = l.opportunity_id WHERE l.activity_id = :id ORDER BY o.title"
        ),
        {"id": activity_id},
    )
    starts = as_utc(row[4])
    assert starts is not None  # starts_at is NOT NULL
    return ActivityEdit(
        row[0],
        int(row[1]),
        row[2],
        row[3],
        starts,
        as_utc(row[5]),
        row[6] or "",
        row[7] or "",
        row[8],
        row[9],
        row[10],
        row[11],
        bool(row[12]),
        tuple(Choice(*d) for d in deals),
    )
