"""Admin settings with their defaults, and the store's local identity."""

from __future__ import annotations

import getpass
from typing import Any

from sqlmodel import Session, select

from .ids import new_id
from .models import Setting, SyncState, User

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
    row = session.get(Setting, key)
    return DEFAULTS.get(key) if row is None else row.value


def all_settings(session: Session) -> dict[str, Any]:
    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in session.exec(select(Setting))})
    return values


def local_identity(session: Session) -> SyncState:
    """This store's sync row, created with a local admin user on first use.

    The identity is bookkeeping, not user data, so it is written directly and
    never queued for sync; connecting to a server later maps it to the user
    the server knows.
    """
    state = session.exec(select(SyncState)).first()
    if state is None:
        user = User(id=new_id(), name=getpass.getuser() or "me", role="admin")
        state = SyncState(client_id=new_id(), user_id=user.id)
        session.add(user)
        session.flush()
        session.add(state)
        session.flush()
    return state
