"""Conflicts and notifications, computed from the change log (server side).

A conflict: an update carries the version its edit started from; if someone
else (another client) changed one of the same fields since, both values are
logged for the user who pushed it, and the field ends as the later write in
the server's apply order (last writer wins per field). The log keeps the
value that lost, so nothing is lost silently.

A notification: a user follows a contact or a deal; when someone else
changes it, deletes it, or logs an activity, a call or a task on it, the
follower is told after their next sync.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, or_, select

from ..store.models import Follow, SyncChange, User
from ..store.mutations.args import Patch
from . import schema
from .schema import dump_value
from .tracking import Change

# Mutation nouns that are not table names.
NOUN_TABLES = {"deal": "opportunity", "user": "user_account"}
# Records whose links point at what a user may follow, and through which columns.
_LINKS = {
    "activity": ("activity", ("contact_id", "person_id")),
    "call": ("call", ("contact_id", "person_id")),
    "task": ("task", ("contact_id", "opportunity_id")),
}
_FOLLOWABLE = ("contact", "opportunity")


def table_for(mutation_name: str) -> str | None:
    noun = mutation_name.split(".", 1)[0]
    name = NOUN_TABLES.get(noun, noun)
    return name if name in schema.roots() else None


def user_name(conn: Connection, user_id: str | None) -> str:
    if user_id is None:
        return "someone"
    t = User.__table__  # type: ignore[attr-defined]
    return conn.execute(select(t.c.name).where(t.c.id == user_id)).scalar() or user_id


def conflicts(
    conn: Connection, name: str, model: BaseModel, client_id: str
) -> list[dict[str, Any]]:
    """The fields of an update that another client changed since its base version."""
    table = table_for(name)
    if not isinstance(model, Patch) or model.base_version is None or table is None:
        return []
    root = schema.roots()[table]
    row = conn.execute(select(root.table).where(root.pk == model.id)).first()
    if row is None or row.version <= model.base_version:
        return []
    ch = SyncChange.__table__  # type: ignore[attr-defined]
    later = conn.execute(
        select(ch.c.fields, ch.c.user_id, ch.c.version)
        .where(
            ch.c.tbl == table,
            ch.c.row_id == model.id,
            ch.c.version > model.base_version,
            ch.c.op == "put",
            or_(ch.c.client_id != client_id, ch.c.client_id.is_(None)),
        )
        .order_by(ch.c.version)
    ).all()
    mine = model.to_json()
    found: dict[str, dict[str, Any]] = {}
    for fields, user_id, _version in later:
        for field in set(fields) & set(model.changes()):
            found[field] = {
                "mutation": name,
                "tbl": table,
                "row_id": model.id,
                "field": field,
                "mine": mine.get(field),
                "theirs": dump_value(row._mapping.get(field)),
                "base_version": model.base_version,
                "server_version": row.version,
                "by_user": user_name(conn, user_id),
            }
    return list(found.values())


def deleted_by(conn: Connection, name: str, model: BaseModel) -> str | None:
    """Who deleted the record a failed mutation addressed, if it was deleted."""
    table, rid = table_for(name), getattr(model, "id", None)
    if table is None or rid is None:
        return None
    ch = SyncChange.__table__  # type: ignore[attr-defined]
    row = conn.execute(
        select(ch.c.user_id)
        .where(
            ch.c.tbl == table,
            ch.c.row_id == str(rid),
            ch.c.op == "del",
        )
        .order_by(ch.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else user_name(conn, row[0])


def _label(conn: Connection, table: str, rid: str) -> str:
    root = schema.roots()[table]
    column = "display_name" if table == "contact" else "title"
    row = conn.execute(select(root.table.c[column]).where(root.pk == rid)).first()
    return f"{table} {rid}" if row is None else str(row[0])


def _targets(conn: Connection, change: Change) -> list[tuple[str, str, str]]:
    """(table, id, kind) of the followable records a change concerns."""
    table, rid = change.key
    if table in _FOLLOWABLE:
        return [(table, rid, "deleted" if change.op == "del" else "changed")]
    if table not in _LINKS or change.op == "del":
        return []
    root = schema.roots()[table]
    columns = [root.table.c[c] for c in _LINKS[table][1] if c in root.table.c]
    row = conn.execute(select(*columns).where(root.pk == rid)).first()
    found = []
    for column, value in zip(columns, row or (), strict=False):
        if value is not None:
            target = "opportunity" if column.name == "opportunity_id" else "contact"
            found.append((target, str(value), table))
    return found


def notifications(
    conn: Connection, changes: list[Change], actor_id: str, at: str
) -> list[tuple[str, dict[str, Any]]]:
    """(follower id, payload) for every follower of what ``changes`` touched."""
    f = Follow.__table__  # type: ignore[attr-defined]
    if conn.execute(select(f.c.id).limit(1)).first() is None:
        return []  # nobody follows anything: skip the per-record lookups
    actor = user_name(conn, actor_id)
    verbs = {
        "changed": "changed",
        "deleted": "deleted",
        "activity": "logged an activity on",
        "call": "logged a call with",
        "task": "added a task on",
    }
    seen: set[tuple[str, str, str]] = set()
    out = []
    for change in changes:
        for table, rid, kind in _targets(conn, change):
            followers = conn.execute(
                select(f.c.user_id).where(
                    f.c.entity == table, f.c.entity_id == rid, f.c.user_id != actor_id
                )
            ).scalars()
            for follower in followers:
                if (follower, table, rid) in seen:
                    continue
                seen.add((follower, table, rid))
                summary = f"{actor} {verbs[kind]} {_label(conn, table, rid)}"
                out.append(
                    (
                        follower,
                        {
                            "tbl": table,
                            "row_id": rid,
                            "kind": kind,
                            "actor": actor,
                            "summary": summary,
                            "at": at,
                        },
                    )
                )
    return out
