"""Admin settings with their defaults, and the store's local identity."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING, Any

from .ids import new_id
from .sql import Db, marks, tuples

if TYPE_CHECKING:
    from sqlmodel import Session

    from .models import SyncState

# The ORM models are imported by the functions that use them: the app reads its
# few settings (plain_values) while its first screen paints, without them.

DEFAULTS: dict[str, Any] = {
    "default_currency": "EUR",
    "default_region": "FR",
    "locale": "fr_FR",
    "invoice_prefix": "INV",
    "invoice_digits": 7,
    "invoice_next_number": 1,
    "invoice_terms": "Payment due within 30 days. Late payments bear interest.",
    "company_profile": {"name": "", "address": "", "logo_path": ""},
    "call_match_digits": 8,
    # Extension, DID or SIP user -> CRM user (name or id), for live telephony.
    "telephony_users": {},
}


def get(session: Session, key: str) -> Any:
    from .models import Setting

    row = session.get(Setting, key)
    return DEFAULTS.get(key) if row is None else row.value


def plain_values(db: Db, *keys: str) -> dict[str, Any]:
    """Some settings (their defaults if never set), read with plain SQL: the
    same values as :func:`all_settings`, without loading the ORM models."""
    listed, params = marks(keys)
    rows = tuples(db, f"SELECT key, value FROM setting WHERE key IN ({listed})", params)
    # A JSON column: text holding JSON, or a bare number (SQLite's numeric affinity).
    stored = {key: json.loads(v) if isinstance(v, str) else v for key, v in rows}
    return {key: stored.get(key, DEFAULTS.get(key)) for key in keys}


def all_settings(session: Session) -> dict[str, Any]:
    from sqlmodel import select

    from .models import Setting

    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in session.exec(select(Setting))})
    return values


def local_identity(session: Session) -> SyncState:
    """This store's sync row, created with a local admin user on first use.

    The identity is bookkeeping, not user data, so it is written directly and
    never queued for sync; connecting to a server later maps it to the user
    the server knows.
    """
    from sqlmodel import select

    from .models import SyncState, User

    state = session.exec(select(SyncState)).first()
    if state is None:
        user = User(id=new_id(), name=getpass.getuser() or "me", role="admin")
        state = SyncState(client_id=new_id(), user_id=user.id)
        session.add(user)
        session.flush()
        session.add(state)
        session.flush()
    return state
