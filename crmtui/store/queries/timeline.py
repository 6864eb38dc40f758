"""A contact's timeline: activities, calls, tasks, opportunities and invoices,
newest first, as one keyset-paged UNION ALL.

Every arm exposes the same columns (``k0`` the instant as stored text, ``k1``
the id), so the list pages on ``(k0, k1)`` whatever the record's kind. Dates
without a time (an invoice's issue date) count as midnight UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .common import as_utc
from .keyset import SqlListing

KINDS = ("activity", "call", "task", "opportunity", "invoice")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    kind: str  # one of KINDS
    id: str
    at: datetime
    title: str
    status: str
    detail: str
    amount_minor: int | None
    currency: str | None


_TIMELINE = """
SELECT a.starts_at AS k0, a.id AS k1, 'activity' AS kind, a.subject AS title,
       a.status AS status, a.type || CASE WHEN a.outcome IS NULL THEN '' ELSE ' · ' || a.outcome
       END AS detail, NULL AS amount_minor, NULL AS currency
  FROM activity a WHERE a.contact_id = :cid OR a.person_id = :cid
UNION ALL
SELECT c.started_at, c.id, 'call', COALESCE(NULLIF(c.remote_name, ''), c.remote_raw), c.status,
       c.direction || ' · ' || c.duration_s || ' s', NULL, NULL
  FROM call c WHERE c.contact_id = :cid OR c.person_id = :cid
UNION ALL
SELECT COALESCE(t.due_at, t.created_at), t.id, 'task', t.title,
       CASE WHEN t.closed_at IS NULL THEN 'open' ELSE 'closed' END, t.description, NULL, NULL
  FROM task t WHERE t.contact_id = :cid
UNION ALL
SELECT o.created_at, o.id, 'opportunity', o.title,
       COALESCE((SELECT s.name FROM stage s WHERE s.id = o.stage_id), ''), o.description,
       o.budget_minor, o.currency
  FROM opportunity o WHERE o.contact_id = :cid OR o.id IN
       (SELECT oc.opportunity_id FROM opportunity_contact oc WHERE oc.contact_id = :cid)
UNION ALL
SELECT i.issue_date || ' 00:00:00.000000', i.id, 'invoice', i.number, i.status, i.po_number,
       i.total_minor, i.currency
  FROM invoice i WHERE i.client_id = :cid OR i.consignee_id = :cid
"""


def _entry(row: Any) -> TimelineEntry:
    at = as_utc(row["k0"])
    assert at is not None  # every arm's instant is NOT NULL
    return TimelineEntry(
        row["kind"],
        row["k1"],
        at,
        row["title"] or "",
        row["status"] or "",
        row["detail"] or "",
        row["amount_minor"],
        row["currency"],
    )


def timeline(contact_id: str) -> SqlListing[TimelineEntry]:
    """The timeline of one contact (person or company), newest first."""
    return SqlListing(_TIMELINE, _entry, {"cid": contact_id}, descending=True)
