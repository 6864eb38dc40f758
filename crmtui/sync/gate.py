"""Who pushes, read in the push's own transaction with one query.

A push needs the token's account (valid, its user active), the client's row
locked (the client must be the token's user's), the default region and
whether anyone follows anything, and whether the contacts the push creates
exist already (creations.py). Read one by one that was four queries and a
second pooled connection for the token; for a known client it is one query
here. A new client, or a token or client that does not match, takes the
long way (accounts.viewer_for_token, push.start), which registers the client
or says what is wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, exists, select
from sqlmodel import Session

from ..store import settings
from ..store.models import Contact, Follow, Setting, SyncAccount, SyncClient, User
from . import accounts, creations, push
from .protocol import PushRequest
from .subset import Viewer

_REGION = "default_region"


def _t(model: Any) -> Table:
    return cast(Table, model.__table__)


def _query() -> Select[Any]:
    c, a, u, s, f, k = (_t(m) for m in (SyncClient, SyncAccount, User, Setting, Follow, Contact))
    joined = (
        c.join(a, a.c.user_id == c.c.user_id)
        .join(u, u.c.id == a.c.user_id)
        .outerjoin(s, s.c.key == _REGION)
    )
    return (
        select(
            c,
            a.c.scope.label("gate_scope"),
            u.c.role.label("gate_role"),
            s.c.key.label("gate_region_set"),
            s.c.value.label("gate_region"),
            exists(select(f.c.id)).label("gate_follows"),
            exists(select(k.c.id).where(k.c.id.in_(bindparam("ids", expanding=True)))).label(
                "gate_taken"
            ),
        )
        .select_from(joined)
        .where(
            c.c.client_id == bindparam("client"),
            a.c.token_hash == bindparam("hash"),
            a.c.disabled_at.is_(None),
            u.c.active,
        )
        .with_for_update(of=c)
    )


_GATE = _query()
Entered = tuple[Viewer, push.Start]


def enter(session: Session, token: str, req: PushRequest, now: datetime) -> Entered | None:
    """The viewer ``token`` stands for and what their push reads first; None
    if the token is not valid now (push.SyncRefused if the client is not theirs)."""
    conn = session.connection()
    ids = [
        i
        for m in req.mutations
        if m.name == creations.NAME and isinstance(i := m.args.get("id"), str)
    ]
    params = {"client": req.client_id, "hash": accounts.hash_token(token), "ids": ids}
    row = conn.execute(_GATE, params).first()
    if row is None:
        viewer = accounts.viewer_for_token(conn, token)
        return None if viewer is None else (viewer, push.start(session, viewer, req.client_id, now))
    region = row.gate_region if row.gate_region_set is not None else settings.DEFAULTS[_REGION]
    viewer = Viewer(user_id=row.user_id, role=row.gate_role, scope=row.gate_scope)
    fresh = frozenset() if row.gate_taken else frozenset(ids)
    return viewer, push.Start(row, str(region), bool(row.gate_follows), fresh)
