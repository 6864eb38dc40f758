"""Listings: the random-access face of a keyset-paged list.

A screen showing a million rows needs four things from the store, each cheap:
how many rows there are, a sparse index of every ``step``-th key (so a scroll
position maps to a nearby key without ``OFFSET``), the keys following a key
(to walk from an anchor to an exact row), and a page of rows after a key.
:class:`SqlListing` provides them for any SQL relation exposing its sort key
as ``k0`` and its id as ``k1``; other listings (contacts, search results)
implement the same :class:`Listing` protocol over existing queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from ..sql import Db, rows, tuples

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Chunk(Generic[T_co]):
    """Rows of one page and the key to continue after them (None: no more rows)."""

    rows: Sequence[T_co]
    next_key: Key | None


class Listing(Protocol[T_co]):
    """A list read page by page; all an open-ended list (search results) offers."""

    def page(self, db: Db, after: Key | None, limit: int) -> Chunk[T_co]:
        """Up to ``limit`` rows following ``after`` (from the start if None)."""
        ...


class IndexedListing(Listing[T_co], Protocol[T_co]):
    """A list that can also be counted and entered anywhere; every call is one
    short query."""

    def count(self, db: Db) -> int: ...

    def anchors(self, db: Db, step: int) -> list[Key]:
        """The keys of rows ``step-1``, ``2*step-1``...: "after" keys for each stride."""
        ...

    def keys_after(self, db: Db, after: Key | None, n: int) -> list[Key]:
        """The keys of the ``n`` rows following ``after`` (from the start if None)."""
        ...


def sql_time(value: datetime) -> str:
    """A datetime in the text form SQLite columns hold (naive UTC)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class SqlListing(Generic[T]):
    """A list over ``relation`` (a SELECT with columns ``k0``, ``k1``, ...).

    ``make`` turns one result row into the frozen object a screen shows.
    ``descending`` lists newest (largest key) first.
    """

    relation: str
    make: Callable[[Any], T]
    params: dict[str, Any] = field(default_factory=dict)
    descending: bool = False

    def _order(self) -> str:
        way = " DESC" if self.descending else ""
        return f"k0{way}, k1{way}"

    def _after(self, after: Key | None, params: dict[str, Any]) -> str:
        if after is None:
            return "1"
        params.update(a0=after[0], a1=after[1])
        return f"(k0, k1) {'<' if self.descending else '>'} (:a0, :a1)"

    def count(self, db: Db) -> int:
        sql = f"SELECT count(*) FROM ({self.relation})"
        return int(tuples(db, sql, self.params)[0][0])

    def anchors(self, db: Db, step: int) -> list[Key]:
        sql = (
            f"SELECT k0, k1 FROM (SELECT k0, k1, row_number() OVER (ORDER BY {self._order()})"
            f" AS rn FROM ({self.relation})) WHERE rn % :step = 0 ORDER BY rn"
        )
        return tuples(db, sql, {**self.params, "step": step})

    def keys_after(self, db: Db, after: Key | None, n: int) -> list[Key]:
        params = dict(self.params)
        where = self._after(after, params)
        sql = (
            f"SELECT k0, k1 FROM ({self.relation}) WHERE {where} ORDER BY {self._order()} LIMIT :n"
        )
        return tuples(db, sql, {**params, "n": n})

    def page(self, db: Db, after: Key | None, limit: int) -> Chunk[T]:
        params = dict(self.params)
        where = self._after(after, params)
        sql = f"SELECT * FROM ({self.relation}) WHERE {where} ORDER BY {self._order()} LIMIT :limit"
        found = rows(db, sql, {**params, "limit": limit + 1})
        more = len(found) > limit
        found = found[:limit]
        last = (found[-1]["k0"], found[-1]["k1"]) if found and more else None
        return Chunk([self.make(r) for r in found], last)
