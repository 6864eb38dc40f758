"""How rows of one table are written in bulk: its columns in a fixed order and
the encoders that turn Python values into what SQLAlchemy itself would bind.

Below the mutations (which write batches with it) and the bulk loader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import JSON, Date, DateTime
from sqlalchemy.dialects import sqlite
from sqlmodel import SQLModel, UTCDateTime

from .models import Contact, ContactEmail, ContactPhone, ContactResponsible

_DIALECT = sqlite.dialect()


@dataclass(frozen=True)
class TableSpec:
    """How rows of one table are written: its columns, in the order given.

    ``encode`` turns Python values into what SQLAlchemy itself would bind
    (aware datetimes to UTC text, JSON, exact decimals), so a loaded row reads
    back exactly like one a mutation wrote.
    """

    model: type[SQLModel]
    columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return str(self.model.__table__.name)  # type: ignore[attr-defined]

    @property
    def sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" * len(self.columns))
        return f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})'

    def processors(self) -> list[tuple[int, Callable[[Any], Any]]]:
        table = self.model.__table__  # type: ignore[attr-defined]
        found = []
        for i, name in enumerate(self.columns):
            proc = _processor(table.c[name].type)
            if proc is not None:
                found.append((i, proc))
        return found

    def encoder(self) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
        procs = self.processors()
        width = len(self.columns)

        def encode(row: Sequence[Any]) -> tuple[Any, ...]:
            if len(row) != width:
                raise ValueError(f"{self.table}: {len(row)} values for {width} columns")
            if not procs:
                return tuple(row)
            out = list(row)
            for i, proc in procs:
                out[i] = proc(out[i])
            return tuple(out)

        return encode


def _utc_text(value: datetime | None) -> str | None:
    """What ``UTCDateTime`` binds on SQLite, ~5x faster (bulk rows have millions)."""
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ValueError("bulk rows need aware datetimes")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _processor(column_type: Any) -> Callable[[Any], Any] | None:
    """The bind processor of a column type; for the types every row carries, a
    faster function that gives the same text (tests/store/test_bulk.py checks)."""
    proc = column_type._cached_bind_processor(_DIALECT)
    if isinstance(column_type, UTCDateTime):
        return _utc_text
    if isinstance(column_type, Date) and not isinstance(column_type, DateTime):
        return _date_text
    if isinstance(column_type, JSON) and proc is not None:
        slow = proc
        return lambda value: "{}" if value == {} else slow(value)
    return cast(Callable[[Any], Any] | None, proc)


PHONE = TableSpec(
    ContactPhone,
    (
        "id",
        "contact_id",
        "label",
        "raw",
        "e164",
        "digits",
        "digits_rev",
        "search_digits",
        "valid",
        "position",
    ),
)


# The contact tables, as the batch import and the demo loader both write them.
STAMPS = ("created_at", "updated_at", "created_by", "version")

CONTACT = TableSpec(
    Contact,
    (
        *STAMPS,
        "id",
        "kind",
        "first_name",
        "last_name",
        "company_name",
        "display_name",
        "sort_key",
        "company_id",
        "title",
        "website",
        "social",
        "description",
        "type_id",
        "temperature",
        "currency",
        "photo_path",
        "access",
        "owner_id",
        "origin",
    ),
)
EMAIL = TableSpec(ContactEmail, ("id", "contact_id", "label", "address", "position"))
RESPONSIBLE = TableSpec(ContactResponsible, ("contact_id", "user_id"))
