"""Reading contacts: keyset-paged lists, search, lookups by number, details.

Every function returns frozen dataclasses, never live ORM rows, so a screen
can keep them as long as it likes and no lazy load ever runs on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..search import fts_query, phone_digits, phone_fts_query
from ..sql import Db, column, marks, scalar, tuples
from ..text import fold
from .common import PAGE, Page


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: str
    kind: str
    display_name: str
    sort_key: str
    company: str
    type_name: str
    temperature: str
    phone_raw: str
    phone_e164: str | None
    email: str
    tags: str
    responsible: str


@dataclass(frozen=True, slots=True)
class ContactFilter:
    kind: str | None = None
    type_id: str | None = None
    tag_id: str | None = None
    temperature: str | None = None
    responsible_id: str | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        parts, params = [], {}
        if self.kind:
            parts.append("c.kind = :kind")
            params["kind"] = self.kind
        if self.type_id:
            parts.append("c.type_id = :type_id")
            params["type_id"] = self.type_id
        if self.temperature:
            parts.append("c.temperature = :temperature")
            params["temperature"] = self.temperature
        if self.tag_id:
            parts.append(
                "EXISTS (SELECT 1 FROM contact_tag t WHERE t.contact_id = c.id "
                "AND t.tag_id = :tag_id)"
            )
            params["tag_id"] = self.tag_id
        if self.responsible_id:
            parts.append(
                "EXISTS (SELECT 1 FROM contact_responsible r WHERE r.contact_id = c.id "
                "AND r.user_id = :responsible_id)"
            )
            params["responsible_id"] = self.responsible_id
        return " AND ".join(parts) or "1", params


# The columns a list shows, for the few rows of one page.
_ROW_SQL = """
SELECT c.id, c.kind, c.display_name, c.sort_key,
  COALESCE(co.display_name, ''),
  COALESCE((SELECT name FROM category WHERE id = c.type_id), ''),
  COALESCE(c.temperature, ''),
  COALESCE((SELECT raw FROM contact_phone WHERE contact_id = c.id ORDER BY position LIMIT 1), ''),
  (SELECT e164 FROM contact_phone WHERE contact_id = c.id ORDER BY position LIMIT 1),
  COALESCE((SELECT address FROM contact_email WHERE contact_id = c.id ORDER BY position LIMIT 1),
           ''),
  COALESCE((SELECT group_concat(t.name, ', ') FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
            WHERE ct.contact_id = c.id), ''),
  COALESCE((SELECT group_concat(u.name, ', ') FROM contact_responsible r
            JOIN user_account u ON u.id = r.user_id WHERE r.contact_id = c.id), '')
FROM contact c LEFT JOIN contact co ON co.id = c.company_id
"""


def _rows(db: Db, where: str, params: dict[str, Any], order: str, limit: int) -> list[ContactRow]:
    sql = f"{_ROW_SQL} WHERE {where} ORDER BY {order} LIMIT :limit"
    return [ContactRow(*row) for row in tuples(db, sql, {**params, "limit": limit})]


def list_contacts(
    db: Db,
    *,
    after: tuple[str, ...] | None = None,
    before: tuple[str, ...] | None = None,
    limit: int = PAGE,
    filters: ContactFilter | None = None,
) -> Page[ContactRow]:
    """A page of contacts in name order, after (or before) a ``(sort_key, id)`` key."""
    where, params = (filters or ContactFilter()).sql()
    if before is not None:
        params.update(k0=before[0], k1=before[1])
        rows = _rows(
            db,
            f"{where} AND (c.sort_key, c.id) < (:k0, :k1)",
            params,
            "c.sort_key DESC, c.id DESC",
            limit + 1,
        )
        more = len(rows) > limit
        rows = rows[:limit][::-1]
        return Page(
            rows, _key(rows[-1]) if rows else None, _key(rows[0]) if rows and more else None
        )
    if after is not None:
        params.update(k0=after[0], k1=after[1])
        where = f"{where} AND (c.sort_key, c.id) > (:k0, :k1)"
    rows = _rows(db, where, params, "c.sort_key, c.id", limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        rows,
        _key(rows[-1]) if more else None,
        _key(rows[0]) if rows and after is not None else None,
    )


def _key(row: ContactRow) -> tuple[str, str]:
    return (row.sort_key, row.id)


def count_contacts(db: Db, filters: ContactFilter | None = None) -> int:
    where, params = (filters or ContactFilter()).sql()
    return int(scalar(db, f"SELECT count(*) FROM contact c WHERE {where}", params))


def search_contacts(
    db: Db, query: str, *, after: tuple[str, ...] | None = None, limit: int = PAGE
) -> Page[ContactRow]:
    """Contacts matching ``query`` (names, company, e-mails, tags, phone digits).

    Results come newest first: FTS5 walks its index in rowid order and stops
    after one page, so a one-letter prefix over a million contacts costs no
    more than a full name.
    """
    digits = phone_digits(query)
    match = phone_fts_query(digits) if digits else fts_query(query)
    if match is None:
        return Page([], None, None)
    params: dict[str, Any] = {"match": match, "limit": limit + 1}
    keyset = ""
    if after is not None:
        keyset = "AND rowid < :after"
        params["after"] = int(after[0])
    hits = column(
        db,
        f"SELECT rowid FROM contact_fts WHERE contact_fts MATCH :match {keyset} "
        "ORDER BY rowid DESC LIMIT :limit",
        params,
    )
    if digits and len(digits) >= 4 and len(hits) <= limit and after is None:
        hits = _with_suffix_hits(db, digits, hits, limit + 1)
    more = len(hits) > limit
    hits = hits[:limit]
    if not hits:
        return Page([], None, None)
    ids = tuples(
        db,
        "SELECT rowid, contact_id FROM contact_search WHERE rowid IN "
        f"({','.join(str(int(h)) for h in hits)})",
    )
    by_rowid = dict(ids)
    id_list = [by_rowid[h] for h in hits if h in by_rowid]
    rows = {r.id: r for r in _rows_by_id(db, id_list)}
    ordered = [rows[i] for i in id_list if i in rows]
    return Page(ordered, (str(hits[-1]),) if more else None, None)


def _with_suffix_hits(db: Db, digits: str, hits: list[int], limit: int) -> list[int]:
    """Add contacts whose number ends with ``digits`` (``5678`` finds ``06 12 34 56 78``)."""
    rev = digits[::-1]
    extra = column(
        db,
        "SELECT DISTINCT s.rowid FROM contact_phone p JOIN contact_search s "
        "ON s.contact_id = p.contact_id WHERE p.digits_rev >= :lo AND p.digits_rev < :hi "
        "LIMIT :limit",
        {"lo": rev, "hi": rev + "\uffff", "limit": limit},
    )
    merged = list(dict.fromkeys([*hits, *sorted(extra, reverse=True)]))
    return merged[:limit]


def _rows_by_id(db: Db, ids: list[str]) -> list[ContactRow]:
    if not ids:
        return []
    listed, params = marks(ids)
    return _rows(db, f"c.id IN ({listed})", params, "c.sort_key", len(ids))


def contacts_by_ids(db: Db, ids: list[str]) -> list[ContactRow]:
    """Rows for known ids, in the order given (missing ids are left out)."""
    rows = {r.id: r for r in _rows_by_id(db, ids)}
    return [rows[i] for i in ids if i in rows]


def find_by_e164(db: Db, e164: str) -> list[str]:
    """Ids of the contacts that have exactly this E.164 number."""
    return column(db, "SELECT DISTINCT contact_id FROM contact_phone WHERE e164 = :e", {"e": e164})


def find_by_suffix(db: Db, digits: str, *, limit: int = 3) -> list[str]:
    """Ids of contacts with a number ending in ``digits`` (at most ``limit``)."""
    rev = digits[::-1]
    return column(
        db,
        "SELECT DISTINCT contact_id FROM contact_phone WHERE digits_rev >= :lo "
        "AND digits_rev < :hi LIMIT :limit",
        {"lo": rev, "hi": rev + "\uffff", "limit": limit},
    )


@dataclass(frozen=True, slots=True)
class CompanyHit:
    """A company offered by a picker, with what tells it apart from a namesake."""

    id: str
    name: str
    city: str
    phone: str
    people: int


_COMPANY_SQL = """
SELECT c.id, c.display_name,
  COALESCE((SELECT city FROM contact_address WHERE contact_id = c.id AND city != ''
            ORDER BY position LIMIT 1), ''),
  COALESCE((SELECT raw FROM contact_phone WHERE contact_id = c.id ORDER BY position LIMIT 1), ''),
  (SELECT count(*) FROM contact p WHERE p.company_id = c.id)
FROM contact c WHERE c.id = :id
"""


def search_companies(db: Db, typed: str, *, limit: int = 8) -> list[CompanyHit]:
    """Companies for a picker: those whose name starts with ``typed`` first (in
    name order, so namesakes sit together), then those with a word of their
    name starting with it (the contacts search, on the name column)."""
    key = fold(typed.strip())
    if not key:
        return []
    ids = column(
        db,
        "SELECT id FROM contact WHERE kind = 'company' AND sort_key >= :lo "
        "AND sort_key < :hi ORDER BY sort_key, id LIMIT :limit",
        {"lo": key, "hi": key + "\uffff", "limit": limit},
    )
    match = fts_query(typed, column="name")
    if len(ids) < limit and match is not None:
        # Newest first and one page at most, as the contacts search walks it.
        more = column(
            db,
            "SELECT c.id FROM contact_fts f JOIN contact_search s ON s.rowid = f.rowid "
            "JOIN contact c ON c.id = s.contact_id WHERE contact_fts MATCH :match "
            "AND c.kind = 'company' ORDER BY f.rowid DESC LIMIT :limit",
            {"match": match, "limit": limit},
        )
        ids = list(dict.fromkeys([*ids, *more]))[:limit]
    return [_company(db, i) for i in ids]


def companies_named(db: Db, name: str, *, limit: int = 20) -> list[CompanyHit]:
    """Every company (up to ``limit``) whose name is ``name``, ignoring case and accents."""
    ids = column(
        db,
        "SELECT id FROM contact WHERE kind = 'company' AND sort_key = :key "
        "ORDER BY id LIMIT :limit",
        {"key": fold(name.strip()), "limit": limit},
    )
    return [_company(db, i) for i in ids]


def _company(db: Db, company_id: str) -> CompanyHit:
    return CompanyHit(*tuples(db, _COMPANY_SQL, {"id": company_id})[0])
