"""Small lists the screens offer as choices, and the status bar's facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import settings
from ..sql import Db, scalar, tuples
from .common import as_utc


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Choices:
    """Everything a form or a filter offers, read once in one worker."""

    users: tuple[Choice, ...]
    contact_types: tuple[Choice, ...]
    temperatures: tuple[Choice, ...]
    task_categories: tuple[Choice, ...]
    activity_categories: tuple[Choice, ...]
    tags: tuple[Choice, ...]
    me: str | None
    region: str


@dataclass(frozen=True, slots=True)
class SyncStatus:
    user: str
    server_url: str | None
    last_success_at: datetime | None
    last_error: str | None
    pending: int
    offline_since: datetime | None = None  # the first failed attempt of an outage


def _pairs(db: Db, sql: str, **params: str) -> tuple[Choice, ...]:
    return tuple(Choice(*r) for r in tuples(db, sql, params))


def categories(db: Db, scope: str) -> tuple[Choice, ...]:
    return _pairs(
        db,
        "SELECT id, name FROM category WHERE scope = :scope ORDER BY position, name",
        scope=scope,
    )


def choices(db: Db) -> Choices:
    return Choices(
        users=_pairs(db, "SELECT id, name FROM user_account WHERE active ORDER BY name"),
        contact_types=categories(db, "contact_type"),
        temperatures=categories(db, "temperature"),
        task_categories=categories(db, "task_category"),
        activity_categories=categories(db, "activity_category"),
        tags=_pairs(db, "SELECT id, name FROM tag ORDER BY name"),
        me=scalar(db, "SELECT user_id FROM _sync_state LIMIT 1"),  # made when the store opened
        region=str(settings.plain_values(db, "default_region")["default_region"]),
    )


def sync_status(db: Db) -> SyncStatus:
    """The local user, the sync row and the number of mutations not yet pushed."""
    found = tuples(
        db,
        "SELECT COALESCE(u.name, ''), s.server_url, s.last_success_at, s.last_error, "
        "s.offline_since "
        "FROM _sync_state s LEFT JOIN user_account u ON u.id = s.user_id LIMIT 1",
    )
    pending = int(scalar(db, "SELECT count(*) FROM _outbox"))
    state = found[0] if found else None
    if state is None:
        return SyncStatus("", None, None, None, pending)
    return SyncStatus(state[0], state[1], as_utc(state[2]), state[3], pending, as_utc(state[4]))


def contact_opportunities(db: Db, contact_id: str) -> tuple[Choice, ...]:
    """The opportunities a contact takes part in, for linking an activity or a task."""
    return _pairs(
        db,
        "SELECT o.id, o.title FROM opportunity o WHERE o.contact_id = :cid "
        "OR o.id IN (SELECT opportunity_id FROM opportunity_contact "
        "WHERE contact_id = :cid) ORDER BY o.title",
        cid=contact_id,
    )
