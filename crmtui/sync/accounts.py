"""Server accounts: users with bearer tokens (only their SHA-256 is stored).

A token is 32 random bytes, shown once when issued. Tokens are compared by
their hash, which is indexed and unique; a disabled account (or one whose CRM
user is inactive) is refused. The CRM user itself is created with the
``user.create`` mutation, run as the server, so it syncs like any record.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..store.models import SyncAccount, SyncClient, User, utcnow
from ..store.mutations import MutationError, apply
from ..store.mutations.registry import Context
from . import serverdb
from .push import Journal
from .subset import Viewer
from .tracking import Tracker

SCOPES = ("subset", "all")
SERVER = Context(user_id=None, role="admin")


class AccountError(Exception):
    """A user or token problem; the message is for the person at the terminal."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "crm_" + secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class AccountRow:
    user_id: str
    name: str
    role: str
    scope: str
    active: bool
    clients: int
    last_seen_at: datetime | None


def _find(session: Session, name: str) -> User:
    users = session.exec(select(User).where(col(User.name) == name)).all()
    if not users:
        raise AccountError(f"no user named {name!r}")
    if len(users) > 1:
        raise AccountError(f"{len(users)} users are named {name!r}; rename one first")
    return users[0]


def add_user(
    session: Session, name: str, role: str, scope: str = "subset", email: str | None = None
) -> tuple[str, str]:
    """Create (or give a token to an existing) user; returns (user id, token)."""
    if scope not in SCOPES:
        raise AccountError(f"scope must be one of {', '.join(SCOPES)}")
    existing = session.exec(select(User).where(col(User.name) == name)).first()
    if existing is not None and session.get(SyncAccount, existing.id) is not None:
        raise AccountError(f"{name!r} already has a token; use reset-token")
    if existing is None:
        tracker = Tracker(session)  # so the new user reaches every client
        try:
            user_id = apply(
                session, SERVER, "user.create", {"name": name, "role": role, "email": email}
            )
            _log_changes(session, tracker)
        except MutationError as exc:
            raise AccountError(str(exc)) from None
        finally:
            tracker.close()
    else:
        user_id = existing.id
    token = new_token()
    session.add(SyncAccount(user_id=user_id, token_hash=hash_token(token), scope=scope))
    return user_id, token


def _log_changes(session: Session, tracker: Tracker) -> None:
    """Log a change made from the command line, and signal waiting clients."""
    journal = Journal()
    now = utcnow()
    for c in tracker.finish():
        journal.changes.append(
            {
                "tbl": c.key[0],
                "row_id": c.key[1],
                "version": c.version,
                "op": c.op,
                "fields": c.fields,
                "at": now,
            }
        )
    conn = session.connection()
    journal.write(conn, "")
    if conn.dialect.name == "sqlite":  # on PostgreSQL the server's sequencer numbers them
        serverdb.sequence(conn)


def reset_token(session: Session, name: str) -> str:
    user = _find(session, name)
    account = session.get(SyncAccount, user.id)
    token = new_token()
    if account is None:
        session.add(SyncAccount(user_id=user.id, token_hash=hash_token(token)))
    else:
        account.token_hash, account.disabled_at = hash_token(token), None
        session.add(account)
    return token


def disable(session: Session, name: str) -> None:
    """Refuse the user's token from now on (their data stays)."""
    user = _find(session, name)
    account = session.get(SyncAccount, user.id)
    if account is None:
        raise AccountError(f"{name!r} has no token")
    account.disabled_at = utcnow()
    session.add(account)


def accounts(session: Session) -> list[AccountRow]:
    rows = []
    for user in session.exec(select(User).order_by(col(User.name))):
        account = session.get(SyncAccount, user.id)
        clients = session.exec(select(SyncClient).where(col(SyncClient.user_id) == user.id)).all()
        seen = [c.last_seen_at for c in clients if c.last_seen_at]
        rows.append(
            AccountRow(
                user.id,
                user.name,
                user.role,
                account.scope if account else "-",
                bool(account and account.disabled_at is None and user.active),
                len(clients),
                max(seen) if seen else None,
            )
        )
    return rows


def authenticate(session: Session, token: str) -> Viewer | None:
    """The viewer a bearer token stands for, or None if it is not valid now."""
    account = session.exec(
        select(SyncAccount).where(col(SyncAccount.token_hash) == hash_token(token))
    ).first()
    if account is None or account.disabled_at is not None:
        return None
    user = session.get(User, account.user_id)
    if user is None or not user.active:
        return None
    return Viewer(user_id=user.id, role=user.role, scope=account.scope)


def viewer_for_token(conn: Connection, token: str) -> Viewer | None:
    """:func:`authenticate` in one query, for every request the server serves."""
    a, u = SyncAccount.__table__, User.__table__  # type: ignore[attr-defined]
    row = conn.execute(
        sa_select(a.c.user_id, a.c.scope, u.c.role)
        .join_from(a, u, u.c.id == a.c.user_id)
        .where(a.c.token_hash == hash_token(token), a.c.disabled_at.is_(None), u.c.active)
    ).first()
    return None if row is None else Viewer(user_id=row.user_id, role=row.role, scope=row.scope)
