"""Exact-number matching from memory, for imports as large as the phone book.

A CDR file of a million rows asks for nearly every stored number once: one
index probe per distinct number per batch costs more than reading every
stored number once. :class:`PhoneMap` reads ``e164 -> contacts`` of the whole
phone table (in keyset pages, so no statement holds it all) and answers the
exact lookups from memory, exactly as :class:`PhoneLookup` does (distinct
contacts, oldest first); the national and suffix lookups, asked only for the
few numbers the exact step leaves, stay indexed queries on the batch's session.

Like the matcher's remembered answers, the map is the phone table as the
import found it, plus the contacts the import creates (:meth:`PhoneMap.add`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from ..store.queries.calls import PhoneLookup
from ..store.sqlite_sets import one_json

PAGE = 50_000  # phones per statement while loading
_PAGE_SQL = (
    "SELECT json_group_array(json_array(rowid, e164, contact_id)) FROM (SELECT rowid, e164, "
    "contact_id FROM contact_phone WHERE rowid > ? AND e164 IS NOT NULL ORDER BY rowid LIMIT ?)"
)


def phone_count(session: Session) -> int:
    """About how many phones are stored (the highest rowid: no table scan)."""
    db = PhoneLookup(session)._db
    return int(db.execute("SELECT coalesce(max(rowid), 0) FROM contact_phone").fetchone()[0])


class PhoneMap(PhoneLookup):
    """:class:`PhoneLookup` with the exact lookups answered from memory."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._one: dict[str, str] = {}  # e164 -> the one contact holding it
        self._many: dict[str, list[str]] = {}  # e164 -> contacts, when several hold it
        after = 0
        while page := one_json(self._db, _PAGE_SQL, (after, PAGE)):
            for _rowid, e164, contact_id in page:
                self.add(e164, contact_id)
            after = page[-1][0]

    def on(self, session: Session) -> PhoneMap:
        """The map, its indexed lookups on ``session`` (the batch's transaction)."""
        self._db = PhoneLookup(session)._db
        return self

    def add(self, e164: str, contact_id: str) -> None:
        held = self._many.get(e164)
        if held is not None:
            if contact_id not in held:
                held.append(contact_id)
                held.sort()
            return
        first = self._one.setdefault(e164, contact_id)
        if first != contact_id:
            del self._one[e164]
            self._many[e164] = sorted((first, contact_id))

    def by_e164(self, e164: str) -> list[str]:
        return self.by_e164_many([e164]).get(e164, [])

    def by_e164_many(self, numbers: Sequence[str], limit: int = 5) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for e164 in numbers:
            one = self._one.get(e164)
            if one is not None:
                found[e164] = [one]
            elif e164 in self._many:
                found[e164] = self._many[e164][:limit]
        return found
