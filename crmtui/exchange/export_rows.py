"""The rows of each export, read in keyset pages (never OFFSET, never all at once).

Contacts come companies first, so that re-importing a file creates each
company before the people who work there; every other record comes in id
order. Times are ISO 8601 UTC, amounts decimal major units beside their
currency, references both as id and as the name a person reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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
  c.social, c.sort_key
FROM contact c LEFT JOIN contact co ON co.id = c.company_id
LEFT JOIN category t ON t.id = c.type_id
WHERE (c.kind, c.sort_key, c.id) > (?, ?, ?)
ORDER BY c.kind, c.sort_key, c.id LIMIT ?
"""


def _cursor(session: Session) -> Any:
    """The session's own SQLite cursor: exports read millions of rows, and
    going around SQLAlchemy's statement layer makes them several times faster."""
    return session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]


def contacts(session: Session) -> Iterator[ContactOut]:
    """Every contact with its phones, e-mails, addresses and tags."""
    cur = _cursor(session)
    key: tuple[str, str, str] = ("", "", "")
    while True:
        rows = cur.execute(_CONTACTS, (*key, PAGE)).fetchall()
        if not rows:
            return
        page = [_contact(r) for r in rows]
        _fill_children(cur, {c.id: c for c in page})
        yield from page
        last = rows[-1]
        key = (last[1], last[16], last[0])


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


def contact_row(c: ContactOut) -> list[str]:
    """One line of our own contact CSV (headers.OWN_CONTACT_COLUMNS)."""
    first = c.addresses[0] if c.addresses else {}
    others = json.dumps(c.addresses[1:], ensure_ascii=False) if len(c.addresses) > 1 else ""
    return [
        c.id,
        c.kind,
        c.first_name,
        c.last_name,
        c.company_name,
        c.company if c.kind == "person" else "",
        c.company_id or "",
        c.title,
        c.website,
        c.description,
        c.type,
        c.temperature,
        c.currency,
        c.access,
        json.dumps(c.social, ensure_ascii=False) if c.social else "",
        "\n".join(f"{label}: {raw}" for label, raw in c.phones),
        "\n".join(f"{label}: {address}" for label, address in c.emails),
        first.get("label", ""),
        first.get("street", ""),
        first.get("postcode", ""),
        first.get("city", ""),
        first.get("region", ""),
        first.get("country", ""),
        others,
        "\n".join(c.tags),
    ]


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
