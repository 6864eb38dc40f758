"""Task lists by the user's calendar, what is due soon, and owed reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from crmtui.store import Store
from crmtui.store.queries.tasks import Bounds, bucket_counts, due_within, reminders_due, tasks
from crmtui.store.sql import connection_of

# A Wednesday morning; in Warsaw it is already 10:00.
NOW = datetime(2030, 6, 12, 8, 0, tzinfo=UTC)
WARSAW = ZoneInfo("Europe/Warsaw")


def add(store: Store, title: str, due: datetime | None, **extra: object) -> str:
    return store.mutate("task.create", {"title": title, "due_at": due, **extra})


def titles(store: Store, bucket: str, bounds: Bounds) -> list[str]:
    with store.read() as session:
        return [t.title for t in tasks(bucket, bounds).page(connection_of(session), None, 50).rows]


def test_buckets_follow_the_local_calendar(store: Store) -> None:
    add(store, "late", NOW - timedelta(hours=1))
    add(store, "tonight", datetime(2030, 6, 12, 23, 30, tzinfo=WARSAW))
    add(store, "after midnight", datetime(2030, 6, 13, 0, 30, tzinfo=WARSAW))
    add(store, "sunday", datetime(2030, 6, 16, 20, 0, tzinfo=WARSAW))
    add(store, "next monday", datetime(2030, 6, 17, 9, 0, tzinfo=WARSAW))
    add(store, "someday", None)
    done = add(store, "done", NOW)
    store.mutate("task.close", {"id": done, "at": NOW})
    bounds = Bounds.at(NOW, WARSAW)
    assert titles(store, "overdue", bounds) == ["late"]
    assert titles(store, "today", bounds) == ["tonight"]
    assert titles(store, "week", bounds) == ["after midnight", "sunday"]
    assert titles(store, "later", bounds) == ["next monday", "someday"]
    assert titles(store, "closed", bounds) == ["done"]
    with store.read() as session:
        assert bucket_counts(connection_of(session), bounds) == {
            "overdue": 1,
            "today": 1,
            "week": 2,
            "later": 2,
            "closed": 1,
        }


def test_due_within_includes_overdue_and_excludes_closed(store: Store) -> None:
    add(store, "late", NOW - timedelta(days=3))
    add(store, "soon", NOW + timedelta(hours=20))
    add(store, "later", NOW + timedelta(days=2))
    closed = add(store, "closed", NOW)
    store.mutate("task.close", {"id": closed})
    with store.read() as session:
        assert [t.title for t in due_within(connection_of(session), NOW, timedelta(days=1))] == [
            "late",
            "soon",
        ]


def test_reminders_due_once_their_time_has_come(store: Store) -> None:
    with store.read() as session:
        me = store.context(session).user_id
    other = store.mutate("user.create", {"name": "Someone else"})
    add(store, "in 10 min, remind 15", NOW + timedelta(minutes=10), reminder_minutes=15)
    add(store, "in 10 min, remind 5", NOW + timedelta(minutes=10), reminder_minutes=5)
    add(store, "in 20 h, remind 1 day", NOW + timedelta(hours=20))
    add(store, "never remind", NOW, reminder_minutes=None)
    add(store, "someone else's", NOW, responsible_id=other)
    reminded = add(store, "already reminded", NOW)
    store.mutate("task.mark_reminded", {"id": reminded, "at": NOW})
    with store.read() as session:
        due = [t.title for t in reminders_due(connection_of(session), NOW, me)]
    assert due == ["in 10 min, remind 15", "in 20 h, remind 1 day"]
