"""Which records one mutation changed, and their new versions (server side).

Mutations bump ``version`` on what they update (``records.touch``), but not
on everything they change: a child row replaced, a person whose company was
deleted (``company_id`` nulled by a bulk UPDATE), an activity whose linked
deal was deleted (a cascade in the database). The server must see every such
change, or clients would keep stale copies. So the tracker listens to the
session: ORM flushes (new, changed and deleted rows), bulk UPDATE and DELETE
statements (it selects the rows they will hit first), and foreign keys that
point at a deleted record. At the end of the mutation every touched record
that still exists gets exactly its version before the mutation plus one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Table, event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlmodel import Session, SQLModel

from . import schema
from .schema import Key

_BOOKKEEPING = {"version", "updated_at"}


@dataclass(slots=True)
class Change:
    """One record changed by one mutation."""

    key: Key
    op: str  # put or del
    version: int
    fields: list[str]
    created: bool = False


@lru_cache(maxsize=1)
def referrers() -> dict[str, list[tuple[Table, Column[Any]]]]:
    """For each root table, the synced columns that point at it."""
    found: dict[str, list[tuple[Table, Column[Any]]]] = defaultdict(list)
    for table in SQLModel.metadata.tables.values():
        if not schema.is_synced_name(table.name):
            continue
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table.name in schema.roots():
                    found[fk.column.table.name].append((table, column))
    return found


@dataclass
class Tracker:
    """Listens to one session; :meth:`reset` between mutations."""

    session: Session
    touched: dict[Key, set[str]] = field(default_factory=dict)
    created: set[Key] = field(default_factory=set)
    deleted: set[Key] = field(default_factory=set)
    loaded: dict[Key, int] = field(default_factory=dict)
    new: dict[Key, Any] = field(default_factory=dict)  # records the ORM inserted
    bulk: set[Key] = field(default_factory=set)  # records a bulk UPDATE or DELETE reached

    def __post_init__(self) -> None:
        event.listen(self.session, "before_flush", self._before_flush)
        event.listen(self.session, "do_orm_execute", self._on_execute)
        event.listen(self.session, "loaded_as_persistent", self._on_load)

    def close(self) -> None:
        event.remove(self.session, "before_flush", self._before_flush)
        event.remove(self.session, "do_orm_execute", self._on_execute)
        event.remove(self.session, "loaded_as_persistent", self._on_load)

    def reset(self) -> None:
        self.touched, self.created, self.deleted, self.loaded = {}, set(), set(), {}
        self.new, self.bulk = {}, set()

    def touch(self, key: Key, fields: Iterable[str] = ()) -> None:
        self.touched.setdefault(key, set()).update(f for f in fields if f not in _BOOKKEEPING)

    # -- listeners -----------------------------------------------------------

    def _on_load(self, _session: Session, obj: Any) -> None:
        name = obj.__table__.name
        if name in schema.roots():
            self.loaded.setdefault((name, str(_pk(obj, name))), obj.version)

    def _before_flush(self, session: Session, _ctx: Any, _instances: Any) -> None:
        for obj in list(session.new):
            self._note(obj, created=True)
        for obj in list(session.dirty):
            if session.is_modified(obj):
                changed = [a.key for a in inspect(obj).attrs if a.history.has_changes()]
                self._note(obj, fields=changed)
        for obj in list(session.deleted):
            self._note(obj, deleted=True)

    def _on_execute(self, state: ORMExecuteState) -> None:
        if not (state.is_update or state.is_delete):
            return
        stmt: Any = state.statement
        table: Table = stmt.table
        where = stmt.whereclause
        if table.name in schema.roots():
            pk = schema.roots()[table.name].pk
            ids = self._ids(select(pk).where(where) if where is not None else select(pk))
            fields = [str(getattr(c, "key", c)) for c in getattr(stmt, "_values", None) or ()]
            for rid in ids:
                self.touch((table.name, rid), fields)
                self.bulk.add((table.name, rid))
            if state.is_delete:
                self._deleting(table.name, ids)
        elif table.name in schema.child_tables():
            child = schema.child_tables()[table.name]
            col = child.parent_col
            known = _equals(where, col)
            if known is not None:
                parents = [known]  # "WHERE contact_id = x": no need to ask the database
            else:
                parents = self._ids(select(col).where(where) if where is not None else select(col))
            self._touch_parents(child, parents)

    # -- helpers ---------------------------------------------------------------

    def _ids(self, query: Any) -> list[str]:
        return [str(r[0]) for r in self.session.connection().execute(query) if r[0] is not None]

    def _note(
        self, obj: Any, *, created: bool = False, deleted: bool = False, fields: Iterable[str] = ()
    ) -> None:
        name = obj.__table__.name
        if name in schema.roots():
            key = (name, str(_pk(obj, name)))
            self.touch(key, fields)
            if created:
                self.created.add(key)
                self.new[key] = obj
            if deleted:
                self._deleting(name, [key[1]])
        elif name in schema.child_tables():
            child = schema.child_tables()[name]
            self._touch_parents(child, [getattr(obj, child.parent_col.key)], name)

    def _touch_parents(self, child: schema.Child, ids: list[Any], what: str = "") -> None:
        ids = [str(i) for i in ids if i is not None]
        if not ids:
            return
        if len(child.parents) == 1:  # the foreign key says which record: no query
            for rid in ids:
                self.touch((child.parents[0], rid), [what or child.table.name])
            return
        for parent in child.parents:
            pk = schema.roots()[parent].pk
            for rid in self._ids(select(pk).where(pk.in_(ids))):
                self.touch((parent, rid), [what or child.table.name])

    def _deleting(self, name: str, ids: list[str]) -> None:
        """A record goes: so do its children; rows pointing at it change."""
        for rid in ids:
            self.touch((name, rid))
            self.deleted.add((name, rid))
        for table, column in referrers()[name]:
            if table.name in schema.roots():
                pk = schema.roots()[table.name].pk
                for rid in self._ids(select(pk).where(column.in_(ids))):
                    self.touch((table.name, rid), [column.key])
            elif table.name in schema.child_tables():
                child = schema.child_tables()[table.name]
                if child.parents == (name,) and column is child.parent_col:
                    continue  # the deleted record's own children
                parents = self._ids(select(child.parent_col).where(column.in_(ids)))
                self._touch_parents(child, parents, table.name)

    # -- the end of a mutation -------------------------------------------------

    def finish(self) -> list[Change]:
        """Stamp every touched record with its next version; return the changes."""
        self.session.flush()
        conn = self.session.connection()
        changes = []
        for key, fields in self.touched.items():
            root = schema.roots()[key[0]]
            before = self.loaded.get(key)
            if self._plainly_new(key, before):  # its version is the one just inserted
                changes.append(Change(key, "put", self.new[key].version, sorted(fields), True))
                continue
            row = conn.execute(select(root.table.c.version).where(root.pk == key[1])).first()
            if row is None:
                if key in self.deleted:  # not a parent that never existed
                    changes.append(Change(key, "del", (before or 0) + 1, sorted(fields)))
                continue
            created = key in self.created and before is None
            version = int(row[0] if created else (row[0] if before is None else before) + 1)
            if version != row[0]:
                conn.execute(update(root.table).where(root.pk == key[1]).values(version=version))
            changes.append(Change(key, "put", version, sorted(fields), created))
        self.session.expunge_all()  # the next mutation loads fresh versions
        return changes

    def _plainly_new(self, key: Key, before: int | None) -> bool:
        """Inserted by this mutation through the ORM, and touched by nothing else."""
        return (
            key in self.new
            and before is None
            and key not in self.deleted
            and key not in self.bulk
            and inspect(self.new[key]).persistent
        )


def _equals(where: Any, column: Column[Any]) -> str | None:
    """The value of ``column = value`` when that is the whole WHERE clause."""
    if not isinstance(where, BinaryExpression) or where.operator is not operators.eq:
        return None
    left, right = where.left, where.right
    same = (
        getattr(left, "table", None) is column.table and getattr(left, "name", None) == column.name
    )
    if same and isinstance(right, BindParameter) and right.effective_value is not None:
        return str(right.effective_value)
    return None


def _pk(obj: Any, name: str) -> Any:
    return getattr(obj, schema.roots()[name].pk.key)
