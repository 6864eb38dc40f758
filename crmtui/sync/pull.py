"""``POST /sync/pull``: the per-user diff, in pages (server side).

In one snapshot the server lists ``(table, id, version)`` of every record the
user may hold now (subset.py), compares it with what it sent this client
(``sync_cvr``), and answers puts for new or changed records and dels for
those that left: deleted, aged out, or no longer visible. A page holds at
most ``limit`` entries; the CVR records exactly what was sent, so the next
pull continues where this one stopped, whatever changed in between.

Cookies are ``generation.n``. A pull with the current cookie moves to n+1
and remembers each entry's previous version; a pull that repeats the
previous cookie (its answer was lost) first undoes that step. Any other
cookie (none, or a store restored from a backup) starts again from empty
with ``reset``. When nothing could have changed (same clock, day, role and
scope, and no record to refresh) the answer is empty without listing the
subset, which keeps an idle pull cheap.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, String, Table, any_, delete, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from ..store.models import SyncClient, SyncCvr, SyncEvent
from . import schema, serverdb, subset, tracking
from .protocol import Del, Event, PullRequest, PullResponse, Put
from .push import lock_client
from .schema import Key

_CHUNK = 5_000  # ids per IN (...): few round trips, well under SQLite's limit
_ORDER = {name: i for i, name in enumerate(schema.roots())}


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


@dataclass
class Cvr:
    """What the server believes this client holds, as of its cookie."""

    generation: str
    cookie: int
    held: dict[Key, int]
    reset: bool = False


def _load_cvr(conn: Connection, client: Any, cookie: str | None) -> Cvr:
    t = _t(SyncCvr)
    mine = t.c.client_id == client.client_id
    current = f"{client.generation}.{client.cookie}"
    previous = f"{client.generation}.{client.cookie - 1}"
    if client.generation and cookie == previous:
        changed = mine & (t.c.changed_cookie == client.cookie)
        conn.execute(
            update(t)
            .where(changed)
            .values(version=t.c.prev_version, changed_cookie=client.cookie - 1)
        )
        return Cvr(client.generation, client.cookie - 1, {})
    if client.generation and cookie == current:
        return Cvr(client.generation, client.cookie, {})
    conn.execute(delete(t).where(mine))
    return Cvr(secrets.token_hex(4), 0, {}, reset=True)


def _read(conn: Connection, client_id: str, cvr: Cvr) -> Cvr:
    """Load what the CVR holds (only once the idle shortcut did not apply)."""
    if cvr.reset:
        return cvr
    t = _t(SyncCvr)
    rows = conn.execute(
        select(t.c.tbl, t.c.row_id, t.c.version).where(
            t.c.client_id == client_id, t.c.version.is_not(None)
        )
    )
    cvr.held = {(tbl, rid): v for tbl, rid, v in rows}
    return cvr


def _diff(now: dict[Key, int], held: dict[Key, int], refresh: set[Key]) -> list[Key]:
    changed = [k for k, v in now.items() if held.get(k) != v or k in refresh]
    gone = [k for k in held if k not in now]
    gone += [k for k in refresh if k not in now and k not in held and k[0] in _ORDER]
    return sorted(changed + gone, key=lambda k: (_ORDER.get(k[0], 99), k[1]))


def _among(conn: Connection, column: Any, ids: list[str]) -> Any:
    """``column IN ids``; on PostgreSQL one array parameter, not thousands."""
    if conn.dialect.name == "postgresql":
        return column == any_(sql_cast(ids, ARRAY(String)))
    return column.in_(ids)


def _rows(conn: Connection, name: str, ids: list[str]) -> dict[str, Put]:
    root = schema.roots()[name]
    puts: dict[str, Put] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        found = conn.execute(select(root.table).where(_among(conn, root.pk, chunk))).all()
        for data in schema.dump_rows(root.table, found):
            puts[str(data[root.pk.key])] = Put(
                tbl=name, id=str(data[root.pk.key]), version=data["version"], row=data
            )
        for child in root.children:
            query = select(child.table).where(_among(conn, child.parent_col, chunk))
            for data in schema.dump_rows(child.table, conn.execute(query).all()):
                parent = puts.get(str(data[child.parent_col.key]))
                if parent is not None:
                    parent.children.setdefault(child.table.name, []).append(data)
    return puts


def _referrers_of(conn: Connection, keys: set[Key]) -> set[Key]:
    """The records that point at ``keys``.

    A refreshed record may have been deleted on the client (a change the
    server then refused), and SQLite's ON DELETE actions changed its
    referrers there (SET NULL, or CASCADE on a child row such as a deal's
    link to an activity) without a new version: they are sent again too.
    """
    wanted: dict[str, list[str]] = defaultdict(list)
    for tbl, rid in keys:
        wanted[tbl].append(rid)
    found: set[Key] = set()
    for name, ids in wanted.items():
        for table, column in tracking.referrers().get(name, []):
            parents: tuple[str, ...]
            if table.name in schema.roots():
                owner, parents = schema.roots()[table.name].pk, (table.name,)
            elif table.name in schema.child_tables():
                child = schema.child_tables()[table.name]
                owner, parents = child.parent_col, child.parents
            else:
                continue
            for i in range(0, len(ids), _CHUNK):
                query = select(owner).where(_among(conn, column, ids[i : i + _CHUNK]))
                for (rid,) in conn.execute(query).all():
                    found.update((p, str(rid)) for p in parents)
    return found


def _patch(conn: Connection, keys: list[Key], now: dict[Key, int]) -> list[Put | Del]:
    wanted: dict[str, list[str]] = {}
    for tbl, rid in keys:
        if (tbl, rid) in now:
            wanted.setdefault(tbl, []).append(rid)
    loaded = {name: _rows(conn, name, ids) for name, ids in wanted.items()}
    patch: list[Put | Del] = []
    for tbl, rid in keys:
        put = loaded.get(tbl, {}).get(rid)
        patch.append(put if put is not None else Del(tbl=tbl, id=rid))
    return patch


def _record(
    conn: Connection, client_id: str, cvr: Cvr, sent: list[Put | Del], held: dict[Key, int]
) -> None:
    """Remember what this page sent, and what each entry was before."""
    t = _t(SyncCvr)
    rows = [
        {
            "client_id": client_id,
            "tbl": e.tbl,
            "row_id": e.id,
            "version": e.version if isinstance(e, Put) else None,
            "prev_version": held.get((e.tbl, e.id)),
            "changed_cookie": cvr.cookie + 1,
        }
        for e in sent
    ]
    serverdb.upsert(
        conn, t, rows, ["client_id", "tbl", "row_id"], ["version", "prev_version", "changed_cookie"]
    )
    conn.execute(
        delete(t).where(
            t.c.client_id == client_id, t.c.version.is_(None), t.c.changed_cookie <= cvr.cookie
        )
    )


def _events(conn: Connection, user_id: str, client_id: str, after: int) -> list[Event]:
    t = _t(SyncEvent)
    rows = conn.execute(
        select(t)
        .where(
            t.c.user_id == user_id,
            t.c.id > after,
            (t.c.client_id == client_id) | t.c.client_id.is_(None),
        )
        .order_by(t.c.id)
        .limit(1_000)
    )
    return [Event(seq=r.id, kind=r.kind, payload=r.payload, at=r.at.isoformat()) for r in rows]


def pull(session: Session, viewer: subset.Viewer, req: PullRequest, at: datetime) -> PullResponse:
    """Answer one page of the diff in the caller's (snapshot) transaction."""
    conn = session.connection()
    client = lock_client(conn, req.client_id, viewer.user_id, at)
    clock = serverdb.read_clock(conn)
    cvr = _load_cvr(conn, client, req.cookie)
    answer = PullResponse(
        cookie=f"{cvr.generation}.{cvr.cookie}",
        clock=clock,
        last_mutation_id=client.last_mutation_id,
        user_id=viewer.user_id,
        events=_events(conn, viewer.user_id, req.client_id, req.events_after),
    )
    refresh = {(t, i) for t, i in req.refresh}
    unchanged = client.cvr_clock == clock and client.cvr_key == viewer.key()
    if unchanged and not refresh and not cvr.reset and cvr.cookie == client.cookie:
        return answer
    _read(conn, req.client_id, cvr)
    now = subset.versions(conn, viewer)
    if refresh:
        refresh |= {k for k in _referrers_of(conn, refresh) if k in now}
    keys = _diff(now, cvr.held, refresh)
    page, more = keys[: req.limit], len(keys) > req.limit
    answer.patch = _patch(conn, page, now)
    answer.reset, answer.has_more = cvr.reset, more
    _record(conn, req.client_id, cvr, answer.patch, cvr.held)
    answer.cookie = f"{cvr.generation}.{cvr.cookie + 1}"
    t = _t(SyncClient)
    conn.execute(
        update(t)
        .where(t.c.client_id == req.client_id)
        .values(
            generation=cvr.generation,
            cookie=cvr.cookie + 1,
            last_seen_at=at,
            cvr_clock=-1 if more else clock,
            cvr_key=viewer.key(),
        )
    )
    return answer
