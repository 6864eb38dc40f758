"""The contacts list as a :class:`~.keyset.Listing`: sorted, filtered, or searched.

Keys come from the narrow ``(sort_key, id)`` / ``id`` indexes; the wide rows
(first phone, e-mail, tags, responsible users) are built only for the ids of
one page, so a page costs the same at row 10 and at row 999,999.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sql import Db
from .contacts import ContactFilter, ContactRow, contacts_by_ids, search_contacts
from .keyset import Chunk, Key, SqlListing

# name: A to Z; name_desc: Z to A; newest/oldest: by creation (UUIDv7 ids sort by time).
SORTS: dict[str, tuple[str, bool]] = {
    "name": ("c.sort_key", False),
    "name_desc": ("c.sort_key", True),
    "newest": ("c.id", True),
    "oldest": ("c.id", False),
}


@dataclass(frozen=True)
class ContactListing:
    """All contacts matching ``filters``, in ``sort`` order."""

    filters: ContactFilter = field(default_factory=ContactFilter)
    sort: str = "name"

    def _keys(self) -> SqlListing[Key]:
        column, descending = SORTS[self.sort]
        where, params = self.filters.sql()
        relation = f"SELECT {column} AS k0, c.id AS k1 FROM contact c WHERE {where}"
        return SqlListing(relation, lambda r: (r["k0"], r["k1"]), params, descending)

    def count(self, db: Db) -> int:
        return self._keys().count(db)

    def anchors(self, db: Db, step: int) -> list[Key]:
        return self._keys().anchors(db, step)

    def keys_after(self, db: Db, after: Key | None, n: int) -> list[Key]:
        return self._keys().keys_after(db, after, n)

    def page(self, db: Db, after: Key | None, limit: int) -> Chunk[ContactRow]:
        keys = self._keys().page(db, after, limit)
        rows = contacts_by_ids(db, [k[1] for k in keys.rows])
        return Chunk(rows, keys.next_key)


@dataclass(frozen=True)
class SearchListing:
    """Contacts matching a search, newest first; open-ended (never counted,
    because counting a one-letter prefix over a million rows is slow)."""

    query: str

    def page(self, db: Db, after: Key | None, limit: int) -> Chunk[ContactRow]:
        found = search_contacts(db, self.query, after=after, limit=limit)
        return Chunk(found.rows, found.next_key)
