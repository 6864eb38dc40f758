"""Finding contacts by the name a user typed: exact names for a form's links,
and the completion of a name being typed."""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlmodel import Session

from ..sql import connection_of
from ..text import fold
from .contacts import search_contacts
from .lookups import Choice


def _sort_keys(name: str) -> set[str]:
    """The sort keys a contact displayed as ``name`` may have: a company's is its
    folded name, a person's is "last first", and a name of several words may
    split between first and last name anywhere."""
    words = name.split()
    keys = {fold(name)}
    for i in range(1, len(words)):
        keys.add(fold(" ".join(words[i:] + words[:i])))
    return keys


def contacts_named(session: Session, names: list[str]) -> dict[str, tuple[Choice, ...]]:
    """For each name, the contacts displayed with that name (ignoring case and
    accents): none, one, or several namesakes. One index lookup per key."""
    keys = sorted({k for n in names for k in _sort_keys(n)})
    if not keys:
        return {}
    sql = text("SELECT id, display_name FROM contact WHERE sort_key IN :keys").bindparams(
        bindparam("keys", expanding=True)
    )
    rows = [Choice(*r) for r in session.execute(sql, {"keys": keys})]
    return {n: tuple(r for r in rows if fold(r.name) == fold(n)) for n in names}


def complete_contact_name(session: Session, typed: str) -> str | None:
    """The name of a contact that starts with ``typed``, to offer as completion."""
    if len(typed.strip()) < 2:
        return None
    start = fold(typed)
    for row in search_contacts(connection_of(session), typed, limit=20).rows:
        if fold(row.display_name).startswith(start):
            return row.display_name
    return None
