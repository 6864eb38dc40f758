"""The client's replica: applying a pull's patch and rebasing pending edits.

A page of a pull is applied in one transaction: records put or deleted,
acknowledged outbox entries dropped, events stored, and the mutations still
pending re-run on top (rebase), so a local edit never vanishes while it is in
flight. For the rebase to be exact, the records those pending mutations
changed must be back at the server's state first: the client finds them by
comparing each record's version with the one the server last sent
(``_sync_base``) and asks for them in the pull (``refresh``).

The replica holds a subset: a row may point at a record this user may not
see (an activity's private contact). So patches are applied on a connection
with SQLite's foreign keys off; integrity is the server's job, and a
dangling reference is expected here.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Engine,
    Table,
    and_,
    delete,
    event,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from sqlmodel import select as sqlselect

from ..store.db import Store, make_engine
from ..store.models import (
    OutboxEntry,
    SyncBase,
    SyncConflict,
    SyncNotification,
    SyncRejected,
    SyncState,
    utcnow,
)
from ..store.mutations import MutationError, apply
from . import schema
from .protocol import Event, Pulled, PullHead
from .schema import Key

_EVENT_TABLES = {
    "rejected": SyncRejected,
    "conflict": SyncConflict,
    "notification": SyncNotification,
}


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


def _foreign_keys_off(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA foreign_keys=OFF")


@cache
def patch_engine(path: Path) -> Engine:
    """A writer on the store whose connections do not enforce foreign keys."""
    engine = make_engine(path, immediate=True)
    event.listen(engine, "connect", _foreign_keys_off)  # runs after the store's own
    return engine


@cache
def _dirty_query() -> Any:
    """One query: every (table, id) whose local version is not the server's."""
    base = _t(SyncBase)
    parts: list[Any] = []
    for name, root in schema.roots().items():
        on = and_(base.c.tbl == name, base.c.row_id == root.pk)
        changed = or_(base.c.version.is_(None), base.c.version != root.table.c.version)
        parts.append(
            select(literal(name), root.pk)
            .select_from(root.table.outerjoin(base, on))
            .where(changed)
        )
        parts.append(
            select(base.c.tbl, base.c.row_id).where(
                base.c.tbl == name, ~exists().where(root.pk == base.c.row_id)
            )
        )
    return union_all(*parts)


def dirty(session: Session) -> list[Key]:
    """Records changed locally since the server last sent them."""
    return [(str(t), str(i)) for t, i in session.connection().execute(_dirty_query())]


Cascades = dict[str, list[tuple[str, str]]]


_CASCADES: dict[str, Cascades] = {}


def _cascades(conn: Any) -> Cascades:
    """Cached per database file: its tables only change when it is migrated,
    which happens when a store is opened, before any sync."""
    url = str(conn.engine.url)
    if url not in _CASCADES:
        _CASCADES[url] = _find_cascades(conn)
    return _CASCADES[url]


def _find_cascades(conn: Any) -> Cascades:
    """Tables outside the models (search indexes) whose rows go with a record.

    The database would cascade those deletes itself, but not with foreign
    keys off, so the replica does it by hand.
    """
    synced = set(schema.roots()) | set(schema.child_tables())
    found: dict[str, list[tuple[str, str]]] = {}
    names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    for (table,) in names.all():
        if table in synced:
            continue
        for fk in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').mappings():
            if fk["on_delete"] == "CASCADE" and fk["table"] in schema.roots():
                found.setdefault(fk["table"], []).append((table, fk["from"]))
    return found


def _cascade(conn: Any, cascades: Cascades, name: str, ids: list[str] | None) -> None:
    for table, column in cascades.get(name, []):
        if ids is None:
            conn.exec_driver_sql(f'DELETE FROM "{table}"')
        else:
            marks = ", ".join("?" * len(ids))
            conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE "{column}" IN ({marks})', tuple(ids))


def _wipe(conn: Any, cascades: Cascades) -> None:
    for name, root in schema.roots().items():
        _cascade(conn, cascades, name, None)
        for child in root.children:
            conn.execute(delete(child.table))
        conn.execute(delete(root.table))
    conn.execute(delete(_t(SyncBase)))


# Pages are written with plain SQL and one executemany per table and column
# set: a first sync writes every row of the subset, and SQLAlchemy's
# per-statement compilation and per-row parameter handling would cost more
# than SQLite's own work. Id lists travel as one JSON array (``json_each``).
_IN_IDS = "IN (SELECT value FROM json_each(?))"


def _ids_param(ids: list[str]) -> tuple[str]:
    return (json.dumps(ids),)


def _delete(conn: Any, cascades: Cascades, name: str, ids: list[str]) -> None:
    root = schema.roots()[name]
    _cascade(conn, cascades, name, ids)
    _delete_children(conn, root, ids)
    conn.exec_driver_sql(f'DELETE FROM "{name}" WHERE "{root.pk.name}" {_IN_IDS}', _ids_param(ids))
    conn.exec_driver_sql(
        f"DELETE FROM _sync_base WHERE tbl = ? AND row_id {_IN_IDS}", (name, *_ids_param(ids))
    )


def _delete_children(conn: Any, root: schema.Root, ids: list[str]) -> None:
    for child in root.children:
        conn.exec_driver_sql(
            f'DELETE FROM "{child.table.name}" WHERE "{child.parent_col.name}" {_IN_IDS}',
            _ids_param(ids),
        )


def _existing(conn: Any, root: schema.Root, ids: list[str]) -> list[str]:
    query = f'SELECT "{root.pk.name}" FROM "{root.table.name}" WHERE "{root.pk.name}" {_IN_IDS}'
    return [str(r[0]) for r in conn.exec_driver_sql(query, _ids_param(ids))]


def _put(conn: Any, name: str, puts: list[dict[str, Any]], fresh: bool) -> None:
    """Write the records ``puts`` of table ``name`` with their children; ``fresh``:
    the store was just emptied, so none of them can be there already."""
    root = schema.roots()[name]
    known = [] if fresh else _existing(conn, root, [p["id"] for p in puts])
    if known:
        _delete_children(conn, root, known)
    _write(conn, root.table, [p["row"] for p in puts], upsert=True)
    for child in root.children:
        kids = [c for p in puts for c in p["children"].get(child.table.name, ())]
        if kids:
            _write(conn, child.table, kids, upsert=False)
    conn.exec_driver_sql(
        "INSERT INTO _sync_base (tbl, row_id, version) VALUES (?, ?, ?) "
        "ON CONFLICT (tbl, row_id) DO UPDATE SET version = excluded.version",
        [(name, p["id"], p["version"]) for p in puts],
    )


def _write(conn: Any, table: Table, rows: list[dict[str, Any]], *, upsert: bool) -> None:
    """Insert ``rows`` (JSON values, as the server dumped them), one executemany
    per column set; ``upsert`` updates rows whose key exists, otherwise a
    conflicting row is replaced (children: their keys derive from the parent)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for keys, same in groups.items():
        sql, plan = _statement(conn.dialect, table, keys, upsert)
        params = [
            tuple(v if (v := r[k]) is None or f is None else f(v) for k, f in plan) for r in same
        ]
        conn.exec_driver_sql(sql, params)


@cache
def _statement(
    dialect: Any, table: Table, keys: tuple[str, ...], upsert: bool
) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """The INSERT for these JSON keys (unknown ones, a newer server's columns,
    are left out) and how to turn each JSON value into its SQLite parameter."""
    columns = [table.c[k] for k in keys if k in table.c]
    names = ", ".join(f'"{c.name}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    verb = "INSERT" if upsert else "INSERT OR REPLACE"
    sql = f'{verb} INTO "{table.name}" ({names}) VALUES ({marks})'
    if upsert:
        pks = [c.name for c in table.primary_key.columns]
        sets = ", ".join(f'"{c.name}" = excluded."{c.name}"' for c in columns if not c.primary_key)
        sql += f" ON CONFLICT ({', '.join(pks)}) DO UPDATE SET {sets}"
    return sql, tuple((c.name, _converter(dialect, c)) for c in columns)


def _converter(dialect: Any, column: Any) -> Any:
    """JSON value -> SQLite parameter: the schema's loader (ISO text to datetime...),
    then the column type's own bind processing; None when the value goes as is."""
    load = schema.loader(column)
    bind = column.type.bind_processor(dialect)
    if load is None:
        return bind
    if bind is None:
        return lambda v: load(v) if isinstance(v, str) else v
    return lambda v: bind(load(v) if isinstance(v, str) else v)


def apply_patch(conn: Any, patch: list[dict[str, Any]], reset: bool) -> None:
    cascades = _cascades(conn)
    if reset:
        _wipe(conn, cascades)
    roots = schema.roots()
    dels: dict[str, list[str]] = {}
    puts: dict[str, list[dict[str, Any]]] = {}
    for entry in patch:
        name = entry["tbl"]
        if name not in roots:
            continue  # a table this (older) client does not know
        if entry["op"] == "del":
            dels.setdefault(name, []).append(entry["id"])
        else:
            puts.setdefault(name, []).append(entry)
    for name, ids in dels.items():
        _delete(conn, cascades, name, ids)
    held = _all_new(conn, puts)
    if held:
        conn.exec_driver_sql("INSERT INTO contact_search_hold (held) VALUES (1)")
        after = _max_rowid(conn, "contact"), _max_rowid(conn, "contact_search")
    for name, items in puts.items():
        _put(conn, name, items, fresh=reset)
    if held:
        _index_new_contacts(conn, *after)
        conn.exec_driver_sql("DELETE FROM contact_search_hold")


# Search (migrations 0002 and 0007): the triggers rebuild a contact's search
# document on its insert and again on each phone, e-mail and tag inserted. A
# page of contacts new to this store (a first sync) holds those triggers and
# indexes the new contacts once each, set-wise, with the statement of the
# insert trigger itself. Pages that change known contacts or rename tags run
# the triggers as usual, since the hold covers inserts only.
_DOC_UPDATE = re.compile(
    r"UPDATE contact_search SET \(name, company, emails, phones, tags\) = .*?"
    r"WHERE contact_id = new\.id;",
    re.DOTALL,
)


def _all_new(conn: Any, puts: dict[str, list[dict[str, Any]]]) -> bool:
    """The page brings contacts and no contact or tag this store already holds."""
    if not puts.get("contact"):
        return False
    for name in ("contact", "tag"):
        root = schema.roots()[name]
        ids = [p["id"] for p in puts.get(name, [])]
        if ids and _existing(conn, root, ids):
            return False
    return True


def _max_rowid(conn: Any, table: str) -> int:
    return int(conn.exec_driver_sql(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}").scalar())


def _index_new_contacts(conn: Any, contacts_after: int, search_after: int) -> None:
    trigger = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'contact_search_on_insert'"
    ).scalar_one()
    found = _DOC_UPDATE.search(trigger)
    if found is None:
        raise RuntimeError("contact_search_on_insert changed shape; update sync/replica.py")
    conn.exec_driver_sql(
        "INSERT INTO contact_search (contact_id) SELECT id FROM contact WHERE rowid > ? "
        "ORDER BY rowid",
        (contacts_after,),
    )
    document = found.group(0).replace("new.id", "contact_search.contact_id")
    document = document.replace(
        "WHERE contact_id = contact_search.contact_id;", "WHERE contact_search.rowid > ?"
    )
    conn.exec_driver_sql(document, (search_after,))
    conn.exec_driver_sql(
        "INSERT INTO contact_fts (rowid, name, company, emails, phones, tags) "
        "SELECT rowid, name, company, emails, phones, tags FROM contact_search "
        "WHERE rowid > ? ORDER BY rowid",
        (search_after,),
    )


def store_events(conn: Any, events: list[Event]) -> None:
    for e in events:
        table = _t(_EVENT_TABLES[e.kind])
        values = {k: v for k, v in e.payload.items() if k in table.c}
        if e.kind == "conflict":
            values["name"] = e.payload.get("mutation", "")
        values.update(seq=e.seq, at=datetime.fromisoformat(e.at))
        conn.execute(insert(table).prefix_with("OR IGNORE"), values)


def rebase(session: Session, store: Store) -> int:
    """Re-run still-pending mutations on top of the server's state; count them."""
    ctx = store.context(session)
    pending = session.exec(sqlselect(OutboxEntry).order_by(col(OutboxEntry.mutation_id))).all()
    for entry in pending:
        savepoint = session.begin_nested()
        try:
            apply(session, ctx, entry.name, entry.args)
            session.flush()
            savepoint.commit()
        except (MutationError, ValueError, IntegrityError):
            savepoint.rollback()  # the server will refuse it too, and say why
    return len(pending)


def apply_page(store: Store, page: Pulled, outbox_mark: int) -> int | None:
    """Apply one pull page; returns pending count, or None if local writes raced it."""
    resp = page.head
    with Session(patch_engine(store.path)) as session, session.begin():
        conn = session.connection()
        newest = conn.execute(select(func.max(_t(OutboxEntry).c.mutation_id))).scalar() or 0
        if newest != outbox_mark:
            session.rollback()
            return None  # a local write landed after the refresh list was made
        apply_patch(conn, page.patch, resp.reset)
        outbox = _t(OutboxEntry)
        conn.execute(delete(outbox).where(outbox.c.mutation_id <= resp.last_mutation_id))
        store_events(conn, resp.events)
        _advance(session, resp)
        pending = rebase(session, store)
        state = session.exec(sqlselect(SyncState)).one()
        state.pending = pending
        return pending


def _advance(session: Session, resp: PullHead) -> None:
    state = session.exec(sqlselect(SyncState)).one()
    state.cookie, state.clock, state.user_id = resp.cookie, resp.clock, resp.user_id
    state.last_acked_id = max(state.last_acked_id, resp.last_mutation_id)
    if resp.events:
        state.events_after = max(state.events_after, max(e.seq for e in resp.events))
    state.last_success_at = utcnow()
    session.flush()
