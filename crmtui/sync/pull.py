"""``POST /sync/pull``: the per-user diff, in pages (server side).

In one snapshot the server lists ``(table, id, version)`` of every record the
user may hold now (subset.py), compares it with what it sent this client
(``sync_cvr``), and answers puts for new or changed records and dels for
those that left: deleted, aged out, or no longer visible. A page holds at
most ``limit`` entries; the CVR records exactly what was sent.

A diff larger than a page starts a *pass*: the first page stores every key
of the diff in ``sync_pass`` (in sync order: table, then id), and the next
pages take the following keys from there, keyset-paged, without listing the
subset again. Each of them re-reads its records in its own snapshot, with
the visibility rules applied (a record that became private meanwhile goes
out as a del, never as a put). Changes made during the pass to records
already sent are caught by the next pull: when the pass ends, the CVR counts
as computed at the clock the pass started at.

Cookies are ``generation.n``. A pull with the current cookie moves to n+1
and remembers each entry's previous version (and which pass keys it sent);
a pull that repeats the previous cookie (its answer was lost) first undoes
that step. Any other cookie (none, or a store restored from a backup) starts
again from empty with ``reset``. When nothing could have changed (same
clock, day, role and scope, no pass under way, and no record to refresh)
the answer is empty without listing the subset, which keeps an idle pull
cheap.

Answers are built as plain dicts and serialised once with ``json``: a first
sync sends every row of the subset, and a pydantic model per row would cost
more than reading the rows.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from pydantic_core import to_json
from sqlalchemy import Connection, Table, any_, delete, func, select, update
from sqlmodel import Session

from ..store.models import SyncClient, SyncCvr, SyncEvent, SyncPass
from . import schema, serverdb, subset, tracking
from .protocol import PullRequest
from .push import lock_client
from .schema import Key

_CHUNK = 5_000  # ids per IN (...): few round trips, well under SQLite's limit
_ORDER = {name: i for i, name in enumerate(schema.roots())}
_EVENTS = 1_000  # events per answer

Entry = dict[str, Any]  # {"op": "put", "tbl", "id", "version", "row", "children"} or a del


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


@dataclass
class Cvr:
    """What the server believes this client holds, as of its cookie."""

    generation: str
    cookie: int
    held: dict[Key, int]
    reset: bool = False
    undone: bool = False  # the last page's answer was lost: its step was undone


@dataclass
class PullPage:
    """One answer; ``json()`` gives the body (fields as ``protocol.PullResponse``)."""

    cookie: str
    last_mutation_id: int
    user_id: str
    clock: int = 0
    reset: bool = False
    has_more: bool = False
    patch: list[Entry] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def json(self) -> bytes:
        body = {
            "cookie": self.cookie,
            "last_mutation_id": self.last_mutation_id,
            "reset": self.reset,
            "has_more": self.has_more,
            "clock": self.clock,
            "user_id": self.user_id,
            "patch": self.patch,
            "events": self.events,
        }
        # pydantic's encoder: the JSON json.dumps writes (compact, UTF-8), 3-4 times faster.
        return to_json(body)


def put(tbl: str, rid: str, version: int, row: dict[str, Any]) -> Entry:
    return {"op": "put", "tbl": tbl, "id": rid, "version": version, "row": row, "children": {}}


def gone(tbl: str, rid: str) -> Entry:
    return {"op": "del", "tbl": tbl, "id": rid}


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
        return Cvr(client.generation, client.cookie - 1, {}, undone=True)
    if client.generation and cookie == current:
        return Cvr(client.generation, client.cookie, {})
    conn.execute(delete(t).where(mine))
    _drop_pass(conn, client.client_id)
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


def _sort_key(k: Key) -> tuple[int, str]:
    return (_ORDER.get(k[0], 99), k[1])


def _diff(now: dict[Key, int], held: dict[Key, int], refresh: set[Key]) -> list[Key]:
    changed = [k for k, v in now.items() if held.get(k) != v or k in refresh]
    gone = [k for k in held if k not in now]
    gone += [k for k in refresh if k not in now and k not in held and k[0] in _ORDER]
    return sorted(changed + gone, key=_sort_key)


_SEP = "\x1f"  # ASCII unit separator: never part of an id


def _among(conn: Connection, column: Any, ids: list[str]) -> Any:
    """``column IN ids``; on PostgreSQL one text parameter split on the server
    (psycopg dumps a Python list element by element: slow for 20,000 ids)."""
    if conn.dialect.name == "postgresql":
        return column == any_(func.string_to_array(_SEP.join(ids), _SEP))
    return column.in_(ids)


def _by_table(keys: list[Key]) -> dict[str, list[str]]:
    wanted: dict[str, list[str]] = defaultdict(list)
    for tbl, rid in keys:
        wanted[tbl].append(rid)
    return wanted


def _rows(conn: Connection, name: str, ids: list[str], user_id: str | None) -> dict[str, Entry]:
    """Puts for the records ``ids`` of ``name``, children included; with
    ``user_id``, only those that user may see."""
    root = schema.roots()[name]
    visible = subset.visible(name, user_id) if user_id is not None else None
    puts: dict[str, Entry] = {}
    pk = root.pk.key
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        query = select(root.table).where(_among(conn, root.pk, chunk))
        if visible is not None:
            query = query.where(visible)
        for data in schema.dump_rows(root.table, conn.execute(query)):
            rid = str(data[pk])
            puts[rid] = put(name, rid, data["version"], data)
        for child in root.children:
            query = select(child.table).where(_among(conn, child.parent_col, chunk))
            key = child.parent_col.key
            for data in schema.dump_rows(child.table, conn.execute(query)):
                parent = puts.get(str(data[key]))
                if parent is not None:
                    parent["children"].setdefault(child.table.name, []).append(data)
    return puts


def _referrers_of(conn: Connection, keys: set[Key]) -> set[Key]:
    """The records that point at ``keys``.

    A refreshed record may have been deleted on the client (a change the
    server then refused), and SQLite's ON DELETE actions changed its
    referrers there (SET NULL, or CASCADE on a child row such as a deal's
    link to an activity) without a new version: they are sent again too.
    """
    found: set[Key] = set()
    for name, ids in _by_table(list(keys)).items():
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


def patch_for(
    conn: Connection, keys: list[Key], now: dict[Key, int] | None, user_id: str | None = None
) -> list[Entry]:
    """Entries for ``keys`` in order: a put for each record that exists (in
    ``now``, when given; visible to ``user_id``, when given), else a del."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for tbl, rid in keys:
        if tbl in _ORDER and (now is None or (tbl, rid) in now):
            wanted[tbl].append(rid)
    loaded = {name: _rows(conn, name, ids, user_id) for name, ids in wanted.items()}
    patch: list[Entry] = []
    for tbl, rid in keys:
        entry = loaded.get(tbl, {}).get(rid)
        patch.append(entry if entry is not None else gone(tbl, rid))
    return patch


def _record(conn: Connection, client_id: str, cvr: Cvr, sent: list[Entry]) -> None:
    """Remember what this page sent, and what each entry was before."""
    t = _t(SyncCvr)
    held, after = cvr.held, cvr.cookie + 1
    rows = [
        {
            "client_id": client_id,
            "tbl": e["tbl"],
            "row_id": e["id"],
            "version": e.get("version"),
            "prev_version": held.get((e["tbl"], e["id"])),
            "changed_cookie": after,
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


def _events(conn: Connection, user_id: str, client_id: str, after: int) -> list[dict[str, Any]]:
    """Events numbered after ``after`` (numbers follow commit order: see serverdb)."""
    t = _t(SyncEvent)
    rows = conn.execute(
        select(t.c.seq, t.c.kind, t.c.payload, t.c.at)
        .where(
            t.c.user_id == user_id,
            t.c.seq > after,
            (t.c.client_id == client_id) | t.c.client_id.is_(None),
        )
        .order_by(t.c.seq)
        .limit(_EVENTS)
    )
    return [{"seq": s, "kind": k, "payload": p, "at": at.isoformat()} for s, k, p, at in rows]


# -- passes ------------------------------------------------------------------------


def _in_pass(conn: Connection, client_id: str, pos: int) -> bool:
    p = _t(SyncPass)
    query = select(p.c.pos).where(p.c.client_id == client_id, p.c.pos >= pos)
    return conn.execute(query.limit(1)).first() is not None


def _drop_pass(conn: Connection, client_id: str) -> None:
    p = _t(SyncPass)
    conn.execute(delete(p).where(p.c.client_id == client_id))


def _start_pass(conn: Connection, client_id: str, keys: list[Key], held: dict[Key, int]) -> None:
    """Store the whole diff, numbered in order, with what the client held of each key."""
    _drop_pass(conn, client_id)
    rows = [
        {"client_id": client_id, "pos": i, "tbl": k[0], "row_id": k[1], "held": held.get(k)}
        for i, k in enumerate(keys)
    ]
    serverdb.insert_many(conn, _t(SyncPass), rows)


def _next_keys(
    conn: Connection, client_id: str, pos: int, limit: int
) -> tuple[list[Key], dict[Key, int], bool]:
    """The ``limit`` keys of the pass from ``pos`` on (a keyset range), what the
    client held of them, and whether any remain after them."""
    p = _t(SyncPass)
    rows = conn.execute(
        select(p.c.tbl, p.c.row_id, p.c.held)
        .where(p.c.client_id == client_id, p.c.pos >= pos, p.c.pos < pos + limit + 1)
        .order_by(p.c.pos)
    ).all()
    more = len(rows) > limit
    keys = [(str(r.tbl), str(r.row_id)) for r in rows[:limit]]
    held = {k: r.held for k, r in zip(keys, rows, strict=False) if r.held is not None}
    return keys, held, more


# -- the handler ---------------------------------------------------------------------


def pull(session: Session, viewer: subset.Viewer, req: PullRequest, at: datetime) -> PullPage:
    """Answer one page of the diff in the caller's (snapshot) transaction."""
    conn = session.connection()
    client = lock_client(conn, req.client_id, viewer.user_id, at)
    clock = serverdb.read_clock(conn)
    cvr = _load_cvr(conn, client, req.cookie)
    answer = PullPage(
        cookie=f"{cvr.generation}.{cvr.cookie}",
        clock=clock,
        last_mutation_id=client.last_mutation_id,
        user_id=viewer.user_id,
        events=_events(conn, viewer.user_id, req.client_id, req.events_after),
    )
    refresh = {(t, i) for t, i in req.refresh}
    pos = client.pass_prev if cvr.undone else client.pass_pos
    maybe = (pos > 0 or cvr.undone) and not cvr.reset and not refresh  # a pass under way?
    passing = maybe and _in_pass(conn, req.client_id, pos)
    unchanged = client.cvr_clock == clock and client.cvr_key == viewer.key()
    if unchanged and not passing and not refresh and not cvr.reset and cvr.cookie == client.cookie:
        return answer
    if conn.dialect.name == "postgresql":
        # The subset query is large: JIT-compiling it costs seconds, and the
        # union of a big subset spills to disk at the default work_mem.
        conn.execute(
            select(func.set_config("jit", "off", True), func.set_config("work_mem", "64MB", True))
        )
    after = cvr.cookie + 1
    values: dict[str, Any] = {"generation": cvr.generation, "cookie": after, "last_seen_at": at}
    if passing:
        keys, cvr.held, more = _next_keys(conn, req.client_id, pos, req.limit)
        answer.patch = patch_for(conn, keys, None, viewer.user_id)
        values.update(pass_prev=pos, pass_pos=pos + len(keys))
        if not more:  # the pass is complete: the CVR stands as of its start
            done = client.cvr_key == viewer.key() and client.pass_clock >= 0
            values["cvr_clock"] = client.pass_clock if done else -1
    else:
        _read(conn, req.client_id, cvr)
        now = subset.versions(conn, viewer)
        if refresh:
            refresh |= {k for k in _referrers_of(conn, refresh) if k in now}
        keys = _diff(now, cvr.held, refresh)
        more = len(keys) > req.limit
        if more:
            _start_pass(conn, req.client_id, keys, cvr.held)
        elif pos or client.pass_pos:
            _drop_pass(conn, req.client_id)
        answer.patch = patch_for(conn, keys[: req.limit], now)
        values.update(
            cvr_clock=-1 if more else clock,
            cvr_key=viewer.key(),
            pass_clock=clock if more else -1,
            pass_prev=0,
            pass_pos=req.limit if more else 0,
        )
    answer.reset, answer.has_more = cvr.reset, more
    _record(conn, req.client_id, cvr, answer.patch)
    answer.cookie = f"{cvr.generation}.{after}"
    t = _t(SyncClient)
    conn.execute(update(t).where(t.c.client_id == req.client_id).values(**values))
    return answer
