"""Mutations on the history (activities) and the to-do list (tasks)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator
from sqlalchemy import delete
from sqlmodel import Session, col

from ..ids import new_id
from ..models import (
    Activity,
    ActivityOpportunity,
    ActivityUser,
    Category,
    Contact,
    Opportunity,
    Task,
    User,
    utcnow,
)
from .args import Args, CreateArgs, IdArgs, Patch
from .records import check_exists, load, touch
from .registry import Context, MutationError, mutation

ActivityType = Literal["todo", "call", "mail", "note", "meeting", "report"]
Reminder = Literal[5, 15, 30, 60, 120, 1440]


class ActivityFields(Args):
    type: ActivityType = "note"
    category_id: str | None = None
    starts_at: datetime = Field(default_factory=utcnow)
    ends_at: datetime | None = None
    subject: str = Field(default="", max_length=500)
    details: str = ""
    status: Literal["planned", "done", "cancelled"] = "done"
    outcome: Literal["success", "failure"] | None = None
    contact_id: str | None = None
    person_id: str | None = None
    private: bool = False
    user_ids: list[str] = Field(default_factory=list)
    opportunity_ids: list[str] = Field(default_factory=list)


class ActivityCreate(ActivityFields, CreateArgs):
    @model_validator(mode="after")
    def _check(self) -> ActivityCreate:
        if not self.subject and not self.details:
            raise ValueError("an activity needs a subject or details")
        return self


class ActivityUpdate(ActivityFields, Patch):
    pass


def _check_activity(session: Session, a: Activity) -> None:
    if a.ends_at is not None and a.ends_at < a.starts_at:
        raise MutationError("ends_at: the end is before the start")
    check_exists(session, Contact, a.contact_id, "contact_id")
    check_exists(session, Contact, a.person_id, "person_id")
    if a.category_id is not None:
        cat = session.get(Category, a.category_id)
        if cat is None or cat.scope != "activity_category":
            raise MutationError(f"category_id: no activity category {a.category_id}")


def _set_links(session: Session, activity_id: str, args: ActivityFields, given: set[str]) -> None:
    if "user_ids" in given:
        session.exec(delete(ActivityUser).where(col(ActivityUser.activity_id) == activity_id))
        for user_id in dict.fromkeys(args.user_ids):
            check_exists(session, User, user_id, "user_ids")
            session.add(ActivityUser(activity_id=activity_id, user_id=user_id))
    if "opportunity_ids" in given:
        session.exec(
            delete(ActivityOpportunity).where(col(ActivityOpportunity.activity_id) == activity_id)
        )
        for opp_id in dict.fromkeys(args.opportunity_ids):
            check_exists(session, Opportunity, opp_id, "opportunity_ids")
            session.add(ActivityOpportunity(activity_id=activity_id, opportunity_id=opp_id))


@mutation("activity.create", ActivityCreate)
def create_activity(session: Session, ctx: Context, args: ActivityCreate) -> str:
    """Log an activity (call, mail, meeting, note...) on a contact."""
    if session.get(Activity, args.id) is not None:
        raise MutationError(f"activity {args.id} already exists")
    a = Activity(
        id=args.id,
        owner_id=ctx.user_id,
        created_by=ctx.user_id,
        created_at=ctx.now,
        updated_at=ctx.now,
        **args.model_dump(exclude={"id", "user_ids", "opportunity_ids"}),
    )
    _check_activity(session, a)
    session.add(a)
    session.flush()
    given = set(ActivityFields.model_fields)
    if not args.user_ids and ctx.user_id:
        args = args.model_copy(update={"user_ids": [ctx.user_id]})
    _set_links(session, a.id, args, given)
    return a.id


@mutation("activity.update", ActivityUpdate)
def update_activity(session: Session, ctx: Context, args: ActivityUpdate) -> str:
    """Change some fields of an activity."""
    a = load(session, Activity, args.id, "activity")
    changes = args.changes()
    for key, value in changes.items():
        if key in Activity.model_fields:
            setattr(a, key, value)
    _check_activity(session, a)
    touch(a, ctx)
    session.add(a)
    _set_links(session, a.id, args, set(changes))
    return a.id


@mutation("activity.delete", IdArgs)
def delete_activity(session: Session, ctx: Context, args: IdArgs) -> str:
    """Delete an activity."""
    session.delete(load(session, Activity, args.id, "activity"))
    return args.id


class TaskFields(Args):
    title: str = Field(default="", max_length=500)
    category_id: str | None = None
    contact_id: str | None = None
    opportunity_id: str | None = None
    due_at: datetime | None = None
    reminder_minutes: Reminder | None = 1440
    responsible_id: str | None = None
    description: str = ""


class TaskCreate(TaskFields, CreateArgs):
    title: str = Field(min_length=1, max_length=500)


class TaskUpdate(TaskFields, Patch):
    pass


class TaskGroupCreate(TaskFields):
    """The same task for many contacts: one id per contact, given or made."""

    title: str = Field(min_length=1, max_length=500)
    contact_ids: list[str] = Field(min_length=1, max_length=10_000)
    ids: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids(self) -> TaskGroupCreate:
        if not self.ids:
            self.ids = [new_id() for _ in self.contact_ids]
        if len(self.ids) != len(self.contact_ids):
            raise ValueError("ids: one id per contact")
        return self


def _check_task(session: Session, t: Task) -> None:
    if not t.title:
        raise MutationError("title: a task needs a title")
    check_exists(session, Contact, t.contact_id, "contact_id")
    check_exists(session, Opportunity, t.opportunity_id, "opportunity_id")
    check_exists(session, User, t.responsible_id, "responsible_id")
    if t.category_id is not None:
        cat = session.get(Category, t.category_id)
        if cat is None or cat.scope != "task_category":
            raise MutationError(f"category_id: no task category {t.category_id}")


def _new_task(session: Session, ctx: Context, task_id: str, fields: TaskFields) -> str:
    if session.get(Task, task_id) is not None:
        raise MutationError(f"task {task_id} already exists")
    data = fields.model_dump(include=set(TaskFields.model_fields))
    data["responsible_id"] = data["responsible_id"] or ctx.user_id
    t = Task(id=task_id, created_by=ctx.user_id, created_at=ctx.now, updated_at=ctx.now, **data)
    _check_task(session, t)
    session.add(t)
    if data["reminder_minutes"] is None:
        # The ORM leaves a None out of the INSERT, so the column default (one day)
        # would fire; "never remind" has to be written as NULL afterwards.
        session.flush()
        t.reminder_minutes = None
    return t.id


@mutation("task.create", TaskCreate)
def create_task(session: Session, ctx: Context, args: TaskCreate) -> str:
    """Create a task, optionally linked to a contact and/or an opportunity."""
    return _new_task(session, ctx, args.id, args)


@mutation("task.create_for_contacts", TaskGroupCreate)
def create_tasks_for_contacts(session: Session, ctx: Context, args: TaskGroupCreate) -> list[str]:
    """Create the same task for each of several contacts (a group action)."""
    made = []
    for task_id, contact_id in zip(args.ids, args.contact_ids, strict=True):
        fields = args.model_copy(update={"contact_id": contact_id})
        made.append(_new_task(session, ctx, task_id, fields))
    return made


@mutation("task.update", TaskUpdate)
def update_task(session: Session, ctx: Context, args: TaskUpdate) -> str:
    """Change some fields of a task."""
    t = load(session, Task, args.id, "task")
    changes = args.changes()
    for key, value in changes.items():
        setattr(t, key, value)
    if {"due_at", "reminder_minutes"} & set(changes):
        t.reminded_at = None  # a new due time earns a new reminder
    _check_task(session, t)
    touch(t, ctx)
    session.add(t)
    return t.id


class TaskClose(IdArgs):
    at: datetime = Field(default_factory=utcnow)


@mutation("task.close", TaskClose)
def close_task(session: Session, ctx: Context, args: TaskClose) -> str:
    """Mark a task done."""
    t = load(session, Task, args.id, "task")
    if t.closed_at is None:
        t.closed_at = args.at
        touch(t, ctx)
    return t.id


@mutation("task.reopen", IdArgs)
def reopen_task(session: Session, ctx: Context, args: IdArgs) -> str:
    """Open a closed task again."""
    t = load(session, Task, args.id, "task")
    if t.closed_at is not None:
        t.closed_at = None
        touch(t, ctx)
    return t.id


class TaskReminded(IdArgs):
    at: datetime = Field(default_factory=utcnow)


@mutation("task.mark_reminded", TaskReminded)
def mark_reminded(session: Session, ctx: Context, args: TaskReminded) -> str:
    """Record that a task's reminder was shown, so it is not shown again."""
    t = load(session, Task, args.id, "task")
    t.reminded_at = args.at
    return t.id


@mutation("task.delete", IdArgs)
def delete_task(session: Session, ctx: Context, args: IdArgs) -> str:
    """Delete a task."""
    session.delete(load(session, Task, args.id, "task"))
    return args.id
