"""A contact's timeline: activities, calls, tasks, opportunities and invoices,
newest first, as one keyset-paged UNION ALL.

Every arm exposes the same columns (``k0`` the instant as stored text, ``k1``
the id), so the list pages on ``(k0, k1)`` whatever the record's kind. Dates
without a time (an invoice's issue date) count as midnight UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..sql import Db, rows, scalar, tuples
from .common import as_utc
from .deals import visible
from .keyset import Chunk, Key

if TYPE_CHECKING:
    from ..mutations.registry import Context

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


# One arm per (table, link): its sort key, its columns, and where it comes from.
# Each arm is one index range (contact_id, time), so a page asks every arm for at
# most a page of its newest rows after the key and merges those, instead of
# sorting a whole history; a record linked twice (as contact and as person)
# appears once.
_ACTIVITY = (
    "a.starts_at",
    "a.id",
    """'activity' AS kind, a.subject AS title, a.status AS status,
    a.type || CASE WHEN a.outcome IS NULL THEN '' ELSE ' · ' || a.outcome END AS detail,
    NULL AS amount_minor, NULL AS currency""",
)
_CALL = (
    "c.started_at",
    "c.id",
    """'call', COALESCE(NULLIF(c.remote_name, ''), c.remote_raw),
    c.status, c.direction || ' · ' || c.duration_s || ' s', NULL, NULL""",
)
_OPPORTUNITY = (
    "o.created_at",
    "o.id",
    """'opportunity', o.title,
    COALESCE((SELECT s.name FROM stage s WHERE s.id = o.stage_id), ''), o.description,
    o.budget_minor, o.currency""",
)
_INVOICE = (
    "i.issue_date || ' 00:00:00.000000'",
    "i.id",
    """'invoice', i.number, i.status,
    i.po_number, i.total_minor, i.currency""",
)
ARMS = (
    (*_ACTIVITY, "FROM activity a WHERE a.contact_id = :cid"),
    (*_ACTIVITY, "FROM activity a WHERE a.person_id = :cid AND a.contact_id IS NOT :cid"),
    (*_CALL, "FROM call c WHERE c.contact_id = :cid"),
    (*_CALL, "FROM call c WHERE c.person_id = :cid AND c.contact_id IS NOT :cid"),
    (
        "COALESCE(t.due_at, t.created_at)",
        "t.id",
        """'task', t.title,
        CASE WHEN t.closed_at IS NULL THEN 'open' ELSE 'closed' END, t.description, NULL, NULL""",
        "FROM task t WHERE t.contact_id = :cid",
    ),
    # {deals} keeps restricted deals away from users without a grant
    (*_OPPORTUNITY, "FROM opportunity o WHERE o.contact_id = :cid AND {deals}"),
    (
        *_OPPORTUNITY,
        "FROM opportunity o JOIN opportunity_contact oc ON oc.opportunity_id = o.id "
        "WHERE oc.contact_id = :cid AND o.contact_id IS NOT :cid AND {deals}",
    ),
    (*_INVOICE, "FROM invoice i WHERE i.client_id = :cid"),
    (*_INVOICE, "FROM invoice i WHERE i.consignee_id = :cid AND i.client_id IS NOT :cid"),
)
_ORDER = "k0 DESC, k1 DESC"


def _sources(deals: str) -> list[tuple[str, str, str, str]]:
    return [
        (key, ident, cols, source.replace("{deals}", deals)) for key, ident, cols, source in ARMS
    ]


def _union(deals: str, *, columns: bool, after: bool) -> str:
    """Every arm's newest ``:n`` rows (after the key), as one UNION ALL."""
    parts = []
    for key, ident, cols, source in _sources(deals):
        where = f" AND ({key}, {ident}) < (:a0, :a1)" if after else ""
        extra = f", {cols}" if columns else ""
        parts.append(
            f"SELECT * FROM (SELECT {key} AS k0, {ident} AS k1{extra} {source}{where} "
            f"ORDER BY {_ORDER} LIMIT :n)"
        )
    return " UNION ALL ".join(parts)


@dataclass(frozen=True)
class Timeline:
    """The timeline of one contact as an indexed listing (see ``keyset``), as
    ``viewer`` may see it (None: every record, as for an admin)."""

    contact_id: str
    viewer: Context | None

    @property
    def _deals(self) -> tuple[str, dict[str, Any]]:
        return visible(self.viewer)

    def _params(self, after: Key | None, n: int) -> dict[str, Any]:
        params: dict[str, Any] = {"cid": self.contact_id, "n": n, **self._deals[1]}
        if after is not None:
            params.update(a0=after[0], a1=after[1])
        return params

    def count(self, db: Db) -> int:
        deals, params = self._deals
        sql = " + ".join(f"(SELECT count(*) {source})" for *_, source in _sources(deals))
        params = {"cid": self.contact_id, **params}
        return int(scalar(db, f"SELECT {sql}", params))

    def anchors(self, db: Db, step: int) -> list[Key]:
        whole = _union(self._deals[0], columns=False, after=False)
        sql = (
            f"SELECT k0, k1 FROM (SELECT k0, k1, row_number() OVER (ORDER BY {_ORDER}) AS rn "
            f"FROM ({whole})) WHERE rn % :step = 0 ORDER BY rn"
        )
        params = {**self._params(None, -1), "step": step}  # LIMIT -1: no limit
        return tuples(db, sql, params)

    def keys_after(self, db: Db, after: Key | None, n: int) -> list[Key]:
        union = _union(self._deals[0], columns=False, after=after is not None)
        sql = f"SELECT k0, k1 FROM ({union}) ORDER BY {_ORDER} LIMIT :n"
        return tuples(db, sql, self._params(after, n))

    def page(self, db: Db, after: Key | None, limit: int) -> Chunk[TimelineEntry]:
        union = _union(self._deals[0], columns=True, after=after is not None)
        sql = f"SELECT * FROM ({union}) ORDER BY {_ORDER} LIMIT :n"
        found = rows(db, sql, self._params(after, limit + 1))
        more = len(found) > limit
        found = found[:limit]
        last = (found[-1]["k0"], found[-1]["k1"]) if found and more else None
        return Chunk([_entry(r) for r in found], last)


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


def timeline(contact_id: str, viewer: Context | None) -> Timeline:
    """The timeline of one contact (person or company), newest first, without
    the restricted deals ``viewer`` has no grant for."""
    return Timeline(contact_id, viewer)
