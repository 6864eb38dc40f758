"""The rows of each export, read in keyset pages (never OFFSET, never all at once).

Contacts come companies first, so that re-importing a file creates each
company before the people who work there, each kind in the order it was
stored (rowid): a contact's phones, e-mails and search row were written just
after it, so reading in that order reads the store's pages in order, where
name order jumped to a random page for every lookup (several times slower on
a million contacts). Every other record comes in id order. Times are ISO
8601 UTC, amounts decimal major units beside their currency, references both
as id and as the name a person reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from ..store.money import exponent
from ..store.queries.common import as_utc

PAGE = 1000


@dataclass
class ContactOut:
    id: str
    kind: str
    first_name: str
    last_name: str
    company_name: str
    display_name: str
    company: str
    company_id: str | None
    title: str
    website: str
    description: str
    type: str
    temperature: str
    currency: str
    access: str
    social: dict[str, str]
    phones: list[tuple[str, str]] = field(default_factory=list)
    emails: list[tuple[str, str]] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


_CONTACTS = """
SELECT c.id, c.kind, c.first_name, c.last_name, c.company_name, c.display_name,
  COALESCE(co.display_name, ''), c.company_id, c.title, c.website, c.description,
  COALESCE(t.name, ''), COALESCE(c.temperature, ''), COALESCE(c.currency, ''), c.access,
  c.social, c.rowid
FROM contact c LEFT JOIN contact co ON co.id = c.company_id
LEFT JOIN category t ON t.id = c.type_id
WHERE +c.kind = ? AND c.rowid > ?
ORDER BY c.rowid LIMIT ?
"""
# "+c.kind": not through the kind index, whose rows would then be sorted by
# rowid for every page; a scan in rowid order skips the other kind instead.
KINDS = ("company", "person")


def _cursor(session: Session) -> Any:
    """The session's own SQLite cursor: exports read millions of rows, and
    going around SQLAlchemy's statement layer makes them several times faster."""
    return session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]


def contacts(session: Session) -> Iterator[ContactOut]:
    """Every contact with its phones, e-mails, addresses and tags."""
    cur = _cursor(session)
    for kind in KINDS:
        after = 0
        while rows := cur.execute(_CONTACTS, (kind, after, PAGE)).fetchall():
            page = [_contact(r) for r in rows]
            _fill_children(cur, {c.id: c for c in page})
            yield from page
            after = rows[-1][16]


def _contact(r: Any) -> ContactOut:
    social = r[15] if isinstance(r[15], dict) else json.loads(r[15] or "{}")
    return ContactOut(*r[:15], social)  # type: ignore[call-arg]  # 15 scalars, in order


_CHILDREN = {
    "phones": "SELECT contact_id, label, raw FROM contact_phone WHERE contact_id IN ({}) "
    "ORDER BY contact_id, position",
    "emails": "SELECT contact_id, label, address FROM contact_email WHERE contact_id IN ({}) "
    "ORDER BY contact_id, position",
    "addresses": "SELECT contact_id, label, street, postcode, city, region, country "
    "FROM contact_address WHERE contact_id IN ({}) ORDER BY contact_id, position",
    "tags": "SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
    "WHERE ct.contact_id IN ({}) ORDER BY ct.contact_id, t.name",
}
_ADDRESS_KEYS = ("label", "street", "postcode", "city", "region", "country")


def _fill_children(cur: Any, by_id: dict[str, ContactOut]) -> None:
    ids = list(by_id)
    marks = ",".join("?" * len(ids))
    for cid, label, raw in cur.execute(_CHILDREN["phones"].format(marks), ids):
        by_id[cid].phones.append((label, raw))
    for cid, label, address in cur.execute(_CHILDREN["emails"].format(marks), ids):
        by_id[cid].emails.append((label, address))
    for cid, *parts in cur.execute(_CHILDREN["addresses"].format(marks), ids):
        by_id[cid].addresses.append(dict(zip(_ADDRESS_KEYS, parts, strict=True)))
    for cid, name in cur.execute(_CHILDREN["tags"].format(marks), ids):
        by_id[cid].tags.append(name)


# Our own CSV's lines, built by SQLite: phones, e-mails and tags are joined
# there (one correlated lookup each, in index order) instead of as Python
# objects, which makes the export several times faster. Addresses, which
# need JSON, are read per page for the contacts that have some.
# (crmtui.exchange.contact_pages reads them, a page at a time.)
LINE_COLUMNS = (
    "c.id",
    "c.kind",
    "c.first_name",
    "c.last_name",
    "c.company_name",
    "CASE WHEN c.kind = 'person' THEN COALESCE(co.display_name, '') ELSE '' END",
    "COALESCE(c.company_id, '')",
    "c.title",
    "c.website",
    "c.description",
    "COALESCE(t.name, '')",
    "COALESCE(c.temperature, '')",
    "COALESCE(c.currency, '')",
    "c.access",
    "c.social",
    "COALESCE((SELECT group_concat(label || ': ' || raw, char(10)) FROM (SELECT label, raw "
    "FROM contact_phone WHERE contact_id = c.id ORDER BY position)), '')",
    "COALESCE((SELECT group_concat(label || ': ' || address, char(10)) FROM (SELECT label, "
    "address FROM contact_email WHERE contact_id = c.id ORDER BY position)), '')",
    "EXISTS (SELECT 1 FROM contact_address WHERE contact_id = c.id)",
    "COALESCE((SELECT group_concat(name, char(10)) FROM (SELECT tg.name FROM contact_tag ct "
    "JOIN tag tg ON tg.id = ct.tag_id WHERE ct.contact_id = c.id ORDER BY tg.name)), '')",
    "c.rowid",
)
LINES_FROM = """
FROM contact c LEFT JOIN contact co ON co.id = c.company_id
LEFT JOIN category t ON t.id = c.type_id
WHERE +c.kind = ? AND c.rowid > ?
ORDER BY c.rowid LIMIT ?
"""
LINES = f"SELECT {', '.join(LINE_COLUMNS)} {LINES_FROM}"
_NO_ADDRESS = ("",) * 7


def line(r: Any, addresses: dict[str, tuple[str, ...]]) -> list[str]:
    """A row of ``LINES`` as a line of our own CSV (``OWN_CONTACT_COLUMNS``)."""
    social = "" if r[14] in ("{}", None) else json.dumps(_social(r[14]), ensure_ascii=False)
    return [*r[:14], social, r[15], r[16], *addresses.get(r[0], _NO_ADDRESS), r[18]]


def _social(value: Any) -> Any:
    return value if isinstance(value, dict) else json.loads(value)


def addresses(cur: Any, ids: list[str]) -> dict[str, tuple[str, ...]]:
    """The address columns of our CSV of the contacts ``ids``."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return address_columns(cur.execute(_CHILDREN["addresses"].format(marks), ids))


def address_columns(found: Iterable[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """The address columns of our CSV (the first address, then the others as
    JSON), from (contact id, *address fields) rows in position order."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for cid, *parts in found:
        grouped.setdefault(cid, []).append(dict(zip(_ADDRESS_KEYS, parts, strict=True)))
    out = {}
    for cid, items in grouped.items():
        first = items[0]
        others = json.dumps(items[1:], ensure_ascii=False) if len(items) > 1 else ""
        out[cid] = (*(first[k] for k in _ADDRESS_KEYS), others)
    return out


@dataclass(frozen=True)
class Table:
    """A flat export: a SELECT whose first column is the id it is paged by."""

    columns: tuple[str, ...]
    sql: str  # with "{where}" before ORDER BY; columns named as above
    times: frozenset[str] = frozenset()
    money: dict[str, str] = field(default_factory=dict)  # amount column -> currency column


def table_rows(session: Session, table: Table) -> Iterator[list[Any]]:
    cur = _cursor(session)
    sql = table.sql.format(where="x.id > ?") + " ORDER BY x.id LIMIT ?"
    after = ""
    while True:
        cur.execute(sql, (after, PAGE))
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if not rows:
            return
        for row in rows:
            yield [_cell(table, name, row) for name in table.columns]
        after = rows[-1]["id"]


def _cell(table: Table, name: str, row: Any) -> Any:
    value = row[name]
    if value is None:
        return ""
    if name in table.times:
        return as_utc(value).isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]
    if name in table.money:
        currency = row[table.money[name]]
        return str(Decimal(value).scaleb(-exponent(currency))) if currency else value
    if isinstance(value, date):
        return value.isoformat()
    return value
