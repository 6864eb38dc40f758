"""Reading calls: the keyset-paged call list, one call's details, statistics
per contact and per agent, and the indexed lookups that number matching and
merging need.

Lists come newest first, keyed by ``(started_at, id)`` (``started_at`` in the
text form SQLite stores), and never use OFFSET.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from ..models import Call, CallKey
from ..sqlite_sets import json_list, one_json
from .common import PAGE, Page, as_utc
from .keyset import SqlListing
from .lookups import Choice

# Missed means an inbound call nobody took: it went unanswered or to voicemail.
MISSED = "c.direction = 'inbound' AND c.status IN ('missed', 'voicemail')"


def sql_time(value: datetime) -> str:
    """A datetime in the text form the call table holds (naive UTC)."""
    return as_utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")  # type: ignore[union-attr]


def day_range(day: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """The start and end of ``day``'s calendar day in ``zone``, as UTC instants."""
    start = datetime.combine(day.astimezone(zone).date(), time(), zone)
    return as_utc(start), as_utc(start + timedelta(days=1))  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class CallRow:
    id: str
    started_at: datetime
    direction: str
    status: str
    remote_raw: str
    remote_e164: str | None
    remote_name: str
    contact_id: str | None
    contact_name: str
    agent_id: str | None
    agent_name: str
    duration_s: int
    billsec_s: int
    cost_minor: int | None
    cost_currency: str | None
    local_party: str
    source: str
    wrapped_up: bool


@dataclass(frozen=True, slots=True)
class CallFilter:
    """The call list's filters; ``since``/``until`` bound ``started_at``
    (``day_range`` gives today's)."""

    missed: bool = False
    unmatched: bool = False
    agent_id: str | None = None
    direction: str | None = None
    contact_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        parts: list[str] = []
        params: dict[str, Any] = {}
        if self.missed:
            parts.append(MISSED)
        if self.unmatched:
            parts.append("c.contact_id IS NULL")
        for name in ("agent_id", "direction", "contact_id"):
            if getattr(self, name):
                parts.append(f"c.{name} = :{name}")
                params[name] = getattr(self, name)
        if self.since is not None:
            parts.append("c.started_at >= :since")
            params["since"] = sql_time(self.since)
        if self.until is not None:
            parts.append("c.started_at < :until")
            params["until"] = sql_time(self.until)
        return " AND ".join(parts) or "1", params


_ROW_SQL = """
SELECT c.id, c.started_at, c.direction, c.status, c.remote_raw, c.remote_e164, c.remote_name,
  c.contact_id, COALESCE(ct.display_name, ''), c.agent_id, COALESCE(u.name, ''),
  c.duration_s, c.billsec_s, c.cost_minor, c.cost_currency, c.local_party, c.source,
  (c.wrapup_description <> '' OR c.wrapup_notes <> '' OR c.wrapup_outcome IS NOT NULL)
FROM call c
LEFT JOIN contact ct ON ct.id = c.contact_id
LEFT JOIN user_account u ON u.id = c.agent_id
"""


def _rows(session: Session, where: str, params: dict[str, Any], order: str, limit: int) -> list:
    sql = f"{_ROW_SQL} WHERE {where} ORDER BY {order} LIMIT :limit"
    out = []
    for r in session.execute(text(sql), {**params, "limit": limit}):
        out.append(CallRow(r[0], as_utc(r[1]), *r[2:17], bool(r[17])))  # type: ignore[arg-type, call-arg]
    return out


def _key(row: CallRow) -> tuple[str, str]:
    return (sql_time(row.started_at), row.id)


def list_calls(
    session: Session,
    *,
    after: tuple[str, ...] | None = None,
    before: tuple[str, ...] | None = None,
    limit: int = PAGE,
    filters: CallFilter | None = None,
) -> Page[CallRow]:
    """A page of calls, newest first, after (or before) a ``(started_at, id)`` key."""
    where, params = (filters or CallFilter()).sql()
    if before is not None:
        params.update(k0=before[0], k1=before[1])
        where = f"{where} AND (c.started_at, c.id) > (:k0, :k1)"
        rows = _rows(session, where, params, "c.started_at, c.id", limit + 1)
        more = len(rows) > limit
        rows = rows[:limit][::-1]
        return Page(rows, _key(rows[-1]) if rows else None, _key(rows[0]) if more else None)
    if after is not None:
        params.update(k0=after[0], k1=after[1])
        where = f"{where} AND (c.started_at, c.id) < (:k0, :k1)"
    rows = _rows(session, where, params, "c.started_at DESC, c.id DESC", limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    prev = _key(rows[0]) if rows and after is not None else None
    return Page(rows, _key(rows[-1]) if more else None, prev)


def count_calls(session: Session, filters: CallFilter | None = None) -> int:
    where, params = (filters or CallFilter()).sql()
    sql = f"SELECT count(*) FROM call c WHERE {where}"
    return int(session.execute(text(sql), params).scalar_one())


@dataclass(frozen=True, slots=True)
class CallDetail:
    """One call with its wrap-up and every key it was heard under."""

    row: CallRow
    answered_at: datetime | None
    ended_at: datetime | None
    hangup_cause: str
    person_id: str | None
    wrapup_description: str
    wrapup_notes: str
    wrapup_outcome: str | None
    wrapup_person_id: str | None
    version: int
    sources: tuple[tuple[str, str], ...]


def call_detail(session: Session, call_id: str) -> CallDetail | None:
    rows = _rows(session, "c.id = :id", {"id": call_id}, "c.id", 1)
    call = session.get(Call, call_id)
    if not rows or call is None:
        return None
    keys = session.exec(
        select(CallKey.source, CallKey.source_call_id)
        .where(CallKey.call_id == call_id)
        .order_by(col(CallKey.source))
    ).all()
    return CallDetail(
        rows[0],
        call.answered_at,
        call.ended_at,
        call.hangup_cause,
        call.person_id,
        call.wrapup_description,
        call.wrapup_notes,
        call.wrapup_outcome,
        call.wrapup_person_id,
        call.version,
        tuple((s, k) for s, k in keys),
    )


@dataclass(frozen=True, slots=True)
class CallStats:
    """Counts and talk time (billable seconds) over a set of calls."""

    calls: int = 0
    answered: int = 0
    missed: int = 0
    inbound: int = 0
    outbound: int = 0
    talk_s: int = 0
    last_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AgentCallStats:
    agent_id: str | None
    agent_name: str
    stats: CallStats


_STATS = f"""count(*), COALESCE(sum(c.status = 'answered'), 0), COALESCE(sum({MISSED}), 0),
  COALESCE(sum(c.direction = 'inbound'), 0), COALESCE(sum(c.direction = 'outbound'), 0),
  COALESCE(sum(c.billsec_s), 0), max(c.started_at)"""


def _stats(row: Sequence[Any]) -> CallStats:
    calls, answered, missed, inbound, outbound, talk = (int(v) for v in row[:6])
    return CallStats(calls, answered, missed, inbound, outbound, talk, as_utc(row[6]))


def _period(since: datetime | None, until: datetime | None) -> tuple[str, dict[str, Any]]:
    return CallFilter(since=since, until=until).sql()


def contact_call_stats(
    session: Session,
    contact_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> CallStats:
    """Calls with a contact, as the company called or as the person spoken to."""
    where, params = _period(since, until)
    sql = (
        f"SELECT {_STATS} FROM call c WHERE c.id IN (SELECT id FROM call WHERE contact_id = :cid "
        f"UNION SELECT id FROM call WHERE person_id = :cid) AND {where}"
    )
    return _stats(session.execute(text(sql), {**params, "cid": contact_id}).one())


def call_stats_by_contact(
    session: Session,
    contact_ids: Iterable[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, CallStats]:
    """Statistics for several contacts at once (a list's visible rows, a report)."""
    return {cid: contact_call_stats(session, cid, since=since, until=until) for cid in contact_ids}


def call_stats_by_agent(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    filters: CallFilter | None = None,
) -> list[AgentCallStats]:
    """One row per agent (None: calls with no agent), busiest first, over the
    calls of ``filters`` (the calls screen's) or of the period."""
    where, params = filters.sql() if filters is not None else _period(since, until)
    sql = (
        f"SELECT c.agent_id, COALESCE(u.name, ''), {_STATS} FROM call c "
        f"LEFT JOIN user_account u ON u.id = c.agent_id WHERE {where} "
        "GROUP BY c.agent_id ORDER BY count(*) DESC, c.agent_id"
    )
    return [AgentCallStats(r[0], r[1], _stats(r[2:])) for r in session.execute(text(sql), params)]


@dataclass(frozen=True, slots=True)
class MergeCandidate:
    """A stored call that an incoming call from another source may be."""

    id: str
    remote_e164: str
    direction: str
    started_at: datetime
    billsec_s: int


def _driver(session: Session) -> Any:
    """The session's own SQLite connection (the import's hot loops skip the ORM)."""
    return session.connection().connection.driver_connection


def merge_candidates(
    session: Session, source: str, numbers: Sequence[str], lo: datetime, hi: datetime
) -> list[MergeCandidate]:
    """Calls with one of ``numbers`` started in ``[lo, hi]`` that no call of
    ``source`` was merged into yet (one statement: an index seek per number)."""
    if not numbers:
        return []
    sql = (
        "SELECT json_group_array(json_array(c.id, c.remote_e164, c.direction, c.started_at, "
        "c.billsec_s)) FROM call c WHERE c.remote_e164 IN (SELECT value FROM json_each(?)) "
        "AND c.started_at BETWEEN ? AND ? AND NOT EXISTS "
        "(SELECT 1 FROM call_key k WHERE k.call_id = c.id AND k.source = ?)"
    )
    params = (json_list(numbers), sql_time(lo), sql_time(hi), source)
    return [
        MergeCandidate(r[0], r[1], r[2], _utc(r[3]), r[4])  # type: ignore[arg-type]
        for r in one_json(_driver(session), sql, params)
    ]


def _utc(text: str | None) -> datetime | None:
    """A stored time (naive UTC text on SQLite) as an aware UTC datetime."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


# One row per key: the key, and up to ? matching ``[contact, e164]``.
_PHONES_BY_KEY = """SELECT json_group_array(json_array(j.value, json((
  SELECT json_group_array(json_array(contact_id, e164)) FROM (
    SELECT contact_id, e164 FROM contact_phone WHERE {where} LIMIT ?)))))
FROM json_each(?) j"""


class PhoneLookup:
    """The three indexed lookups number matching makes, on the session's own
    SQLite connection (no ORM in the loop: matching must stay under a
    millisecond against a million contacts). Each has a ``_many`` form that
    answers a batch of numbers in one statement."""

    def __init__(self, session: Session) -> None:
        self._db: Any = session.connection().connection.driver_connection

    def by_e164(self, e164: str) -> list[str]:
        """Contacts holding exactly this number, oldest first."""
        rows = self._db.execute(
            "SELECT DISTINCT contact_id FROM contact_phone WHERE e164 = ? "
            "ORDER BY contact_id LIMIT 5",
            (e164,),
        ).fetchall()
        return [r[0] for r in rows]

    def by_e164_many(self, numbers: Sequence[str], limit: int = 5) -> dict[str, list[str]]:
        """:meth:`by_e164` for many numbers: ``e164 -> contacts``, oldest first,
        for the numbers some contact holds."""
        if not numbers:
            return {}
        sql = (
            "SELECT json_group_array(json_array(e164, contact_id)) FROM (SELECT DISTINCT "
            "e164, contact_id FROM contact_phone WHERE e164 IN (SELECT value FROM json_each(?)))"
        )
        found: dict[str, list[str]] = {}
        for e164, contact_id in one_json(self._db, sql, (json_list(numbers),)):
            found.setdefault(e164, []).append(contact_id)
        return {e164: sorted(ids)[:limit] for e164, ids in found.items()}

    def by_digits(self, digits: str, limit: int = 20) -> list[tuple[str, str | None]]:
        """``(contact, e164)`` of phones whose national digits are exactly ``digits``."""
        sql = "SELECT contact_id, e164 FROM contact_phone WHERE digits_rev = ? LIMIT ?"
        return [tuple(r) for r in self._db.execute(sql, (digits[::-1], limit))]

    def by_digits_many(
        self, numbers: Sequence[str], limit: int = 20
    ) -> dict[str, list[tuple[str, str | None]]]:
        """:meth:`by_digits` for many digit strings: ``digits -> rows``."""
        if not numbers:
            return {}
        sql = _PHONES_BY_KEY.format(where="digits_rev = j.value")
        found = one_json(self._db, sql, (limit, json_list(d[::-1] for d in numbers)))
        return {rev[::-1]: [(c, e) for c, e in rows] for rev, rows in found}

    def by_suffix(self, digits: str, limit: int = 20) -> list[tuple[str, str | None]]:
        """``(contact, e164)`` of phones whose digits end with ``digits``."""
        rev = digits[::-1]
        sql = (
            "SELECT contact_id, e164 FROM contact_phone WHERE digits_rev >= ? "
            "AND digits_rev < ? LIMIT ?"
        )
        return [tuple(r) for r in self._db.execute(sql, (rev, rev + "\uffff", limit))]

    def by_suffix_many(
        self, suffixes: Sequence[str], limit: int = 20
    ) -> dict[str, list[tuple[str, str | None]]]:
        """:meth:`by_suffix` for many suffixes: ``suffix -> rows``."""
        if not suffixes:
            return {}
        where = "digits_rev >= j.value ->> 0 AND digits_rev < j.value ->> 1"
        ranges = ([d[::-1], d[::-1] + "\uffff"] for d in suffixes)
        found = one_json(self._db, _PHONES_BY_KEY.format(where=where), (limit, json_list(ranges)))
        return {low[::-1]: [(c, e) for c, e in rows] for (low, _high), rows in found}


def call_list(filters: CallFilter | None = None) -> SqlListing[CallRow]:
    """The calls screen's listing: calls matching ``filters``, newest first."""
    where, params = (filters or CallFilter()).sql()
    relation = f"""SELECT c.started_at AS k0, c.id AS k1, c.direction, c.status, c.remote_raw,
        c.remote_e164, c.remote_name, c.contact_id,
        COALESCE((SELECT display_name FROM contact WHERE id = c.contact_id), '') AS contact,
        c.agent_id, COALESCE((SELECT name FROM user_account WHERE id = c.agent_id), '') AS agent,
        c.duration_s, c.billsec_s, c.cost_minor, c.cost_currency, c.local_party, c.source,
        (c.wrapup_description <> '' OR c.wrapup_notes <> '' OR c.wrapup_outcome IS NOT NULL)
          AS wrapped
        FROM call c WHERE {where}"""
    return SqlListing(relation, _listed, params, descending=True)


def _listed(r: Any) -> CallRow:
    return CallRow(
        id=r["k1"],
        started_at=as_utc(r["k0"]),  # type: ignore[arg-type]  # started_at is NOT NULL
        contact_name=r["contact"],
        agent_name=r["agent"],
        wrapped_up=bool(r["wrapped"]),
        **{name: r[name] for name in _LISTED},
    )


_LISTED = (
    "direction",
    "status",
    "remote_raw",
    "remote_e164",
    "remote_name",
    "contact_id",
    "agent_id",
    "duration_s",
    "billsec_s",
    "cost_minor",
    "cost_currency",
    "local_party",
    "source",
)


def call_id_by_key(session: Session, source: str, source_call_id: str) -> str | None:
    """The call a source's key was logged as (None: not in the store yet)."""
    return session.exec(
        select(CallKey.call_id).where(
            CallKey.source == source, CallKey.source_call_id == source_call_id
        )
    ).first()


def people_to_speak_to(session: Session, contact_id: str | None, limit: int = 50) -> list[Choice]:
    """Who a call's wrap-up may name as the person spoken to: the person called,
    or the people of the company called (and of a person's company)."""
    if not contact_id:
        return []
    sql = """SELECT id, display_name FROM contact WHERE kind = 'person' AND (id = :id
        OR company_id = :id
        OR company_id = (SELECT company_id FROM contact WHERE id = :id))
        ORDER BY id <> :id, sort_key, id LIMIT :n"""
    return [Choice(*r) for r in session.execute(text(sql), {"id": contact_id, "n": limit})]
