"""What the screen pop shows about a caller, read in one go: who they are,
their company, the last few activities, the open deals and the open tasks.

A screen pop has 200 ms from the INVITE to the painted card, so every part is
one short index range (``LIMIT``), whatever the contact's history holds. A
person's company's deals count as theirs: the caller is usually calling about
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from .common import as_utc
from .lookups import Choice

LINES = 3  # rows per section: the pop is a glance, the contact screen has the rest


@dataclass(frozen=True, slots=True)
class CardActivity:
    at: datetime
    type: str
    subject: str


@dataclass(frozen=True, slots=True)
class CardDeal:
    title: str
    stage: str
    budget_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class CardTask:
    due_at: datetime | None
    title: str


@dataclass(frozen=True, slots=True)
class CallerCard:
    id: str
    kind: str  # person or company
    name: str
    title: str
    company: Choice | None
    activities: tuple[CardActivity, ...]
    deals: tuple[CardDeal, ...]
    tasks: tuple[CardTask, ...]


_MAIN = """SELECT c.id, c.kind, c.display_name, c.title, co.id, co.display_name
FROM contact c LEFT JOIN contact co ON co.id = c.company_id WHERE c.id = :id"""

_ACTIVITIES = """SELECT starts_at, type, subject FROM (
  SELECT * FROM (SELECT id, starts_at, type, subject FROM activity WHERE contact_id = :id
                 ORDER BY starts_at DESC LIMIT :n)
  UNION
  SELECT * FROM (SELECT id, starts_at, type, subject FROM activity WHERE person_id = :id
                 ORDER BY starts_at DESC LIMIT :n))
ORDER BY starts_at DESC LIMIT :n"""

_DEALS = """SELECT o.title, COALESCE(s.name, ''), o.budget_minor, o.currency
FROM opportunity o LEFT JOIN stage s ON s.id = o.stage_id
WHERE (o.contact_id IN (:id, :company) OR o.id IN (
         SELECT opportunity_id FROM opportunity_contact WHERE contact_id IN (:id, :company)))
  AND COALESCE(s.state, 'open') = 'open'
ORDER BY o.expected_close IS NULL, o.expected_close, o.title LIMIT :n"""

_TASKS = """SELECT due_at, title FROM task WHERE contact_id = :id AND closed_at IS NULL
ORDER BY due_at IS NULL, due_at LIMIT :n"""


def caller_card(session: Session, contact_id: str, *, lines: int = LINES) -> CallerCard | None:
    """The card of ``contact_id``, or None when it does not exist."""
    main = session.execute(text(_MAIN), {"id": contact_id}).first()
    if main is None:
        return None
    cid, kind, name, title, company_id, company_name = main
    params = {"id": cid, "company": company_id or cid, "n": lines}
    activities = tuple(
        CardActivity(as_utc(r[0]), r[1], r[2])  # type: ignore[arg-type]
        for r in session.execute(text(_ACTIVITIES), params)
    )
    deals = tuple(CardDeal(*r) for r in session.execute(text(_DEALS), params))
    tasks = tuple(CardTask(as_utc(r[0]), r[1]) for r in session.execute(text(_TASKS), params))
    company = Choice(company_id, company_name) if company_id else None
    return CallerCard(cid, kind, name, title or "", company, activities, deals, tasks)
