"""Admin mutations: users and roles, settings, choice lists, custom fields.

Only an admin may run these (DESIGN.md section 3: "Settings (admin)").
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import EmailStr, Field, field_validator
from sqlmodel import Session, col, select

from ..models import Category, CustomField, Setting, User
from ..money import MoneyError, check_currency
from ..settings import DEFAULTS
from .args import Args, CreateArgs, IdArgs, Patch
from .contacts import find_tag
from .records import load, touch
from .registry import Context, MutationError, mutation

Role = Literal["admin", "user", "readonly"]
Scope = Literal["contact_type", "temperature", "task_category", "activity_category"]


def require_admin(ctx: Context, what: str) -> None:
    if ctx.role != "admin":
        raise MutationError(f"{what}: only an admin may change this")


class UserCreate(CreateArgs):
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    role: Role = "user"


class UserUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    role: Role | None = None
    active: bool | None = None


@mutation("user.create", UserCreate)
def create_user(session: Session, ctx: Context, args: UserCreate) -> str:
    """Add a CRM user with a role (admin, user, read-only)."""
    require_admin(ctx, "user.create")
    if session.get(User, args.id) is not None:
        raise MutationError(f"user {args.id} already exists")
    session.add(
        User(
            id=args.id,
            name=args.name,
            email=args.email,
            role=args.role,
            created_by=ctx.user_id,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
    )
    return args.id


@mutation("user.update", UserUpdate)
def update_user(session: Session, ctx: Context, args: UserUpdate) -> str:
    """Rename a user, change their role or disable them."""
    require_admin(ctx, "user.update")
    user = load(session, User, args.id, "user")
    for key, value in args.changes().items():
        if value is None and key != "email":
            raise MutationError(f"{key}: cannot be empty")
        setattr(user, key, value)
    touch(user, ctx)
    return user.id


class SettingSet(Args):
    key: str
    value: Any

    @field_validator("key")
    @classmethod
    def _known(cls, key: str) -> str:
        if key not in DEFAULTS:
            raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(DEFAULTS))}")
        return key


def _check_setting(key: str, value: Any) -> Any:
    default = DEFAULTS[key]
    if isinstance(default, int) and not (isinstance(value, int) and value >= 0):
        raise MutationError(f"{key}: must be a whole number, not {value!r}")
    if isinstance(default, str) and not isinstance(value, str):
        raise MutationError(f"{key}: must be text, not {value!r}")
    if isinstance(default, dict) and not isinstance(value, dict):
        raise MutationError(f"{key}: must be a table of values")
    if key == "default_currency":
        try:
            return check_currency(value)
        except MoneyError as exc:
            raise MutationError(f"{key}: {exc}") from None
    if key == "default_region":
        import phonenumbers

        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise MutationError(f"{key}: {value!r} is not a region code like FR, PL or US")
        return value.upper()
    return value


@mutation("setting.set", SettingSet)
def set_setting(session: Session, ctx: Context, args: SettingSet) -> str:
    """Change one admin setting (default currency, region, invoice format...)."""
    require_admin(ctx, "setting.set")
    value = _check_setting(args.key, args.value)
    row = session.get(Setting, args.key)
    if row is None:
        session.add(Setting(key=args.key, value=value, updated_at=ctx.now))
    else:
        row.value = value
        row.updated_at = ctx.now
        row.version += 1
        session.add(row)
    return args.key


class CategoryCreate(CreateArgs):
    scope: Scope
    name: str = Field(min_length=1, max_length=100)
    position: int | None = None


class CategoryUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    position: int | None = None


@mutation("category.create", CategoryCreate)
def create_category(session: Session, ctx: Context, args: CategoryCreate) -> str:
    """Add a choice to an admin list (contact types, task categories...)."""
    require_admin(ctx, "category.create")
    same = session.exec(
        select(Category).where(col(Category.scope) == args.scope, col(Category.name) == args.name)
    ).first()
    if same is not None:
        raise MutationError(f"{args.scope} {args.name!r} already exists")
    position = args.position
    if position is None:
        position = len(
            session.exec(select(Category.id).where(col(Category.scope) == args.scope)).all()
        )
    session.add(
        Category(
            id=args.id,
            scope=args.scope,
            name=args.name,
            position=position,
            created_by=ctx.user_id,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
    )
    return args.id


@mutation("category.update", CategoryUpdate)
def update_category(session: Session, ctx: Context, args: CategoryUpdate) -> str:
    """Rename or reorder a choice."""
    require_admin(ctx, "category.update")
    cat = load(session, Category, args.id, "category")
    for key, value in args.changes().items():
        if value is not None:
            setattr(cat, key, value)
    touch(cat, ctx)
    return cat.id


@mutation("category.delete", IdArgs)
def delete_category(session: Session, ctx: Context, args: IdArgs) -> str:
    """Remove a choice; records that used it keep no category."""
    require_admin(ctx, "category.delete")
    session.delete(load(session, Category, args.id, "category"))
    return args.id


class TagRename(Args):
    old: str = Field(min_length=1)
    new: str = Field(min_length=1, max_length=100)


@mutation("tag.rename", TagRename)
def rename_tag(session: Session, ctx: Context, args: TagRename) -> str:
    """Rename a tag on every contact that has it."""
    require_admin(ctx, "tag.rename")
    tag = find_tag(session, args.old)
    if tag is None:
        raise MutationError(f"old: no tag named {args.old!r}")
    other = find_tag(session, args.new)
    if other is not None and other.id != tag.id:
        raise MutationError(f"new: a tag named {other.name!r} already exists")
    tag.name = args.new
    touch(tag, ctx)
    return tag.id


class CustomFieldCreate(CreateArgs):
    entity: Literal["contact", "opportunity"]
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["text", "number", "date", "choice"] = "text"
    choices: list[str] = Field(default_factory=list)


@mutation("custom_field.create", CustomFieldCreate)
def create_custom_field(session: Session, ctx: Context, args: CustomFieldCreate) -> str:
    """Define a custom field (text, number, date or choice) for contacts or deals."""
    require_admin(ctx, "custom_field.create")
    if args.kind == "choice" and not args.choices:
        raise MutationError("choices: a choice field needs at least one choice")
    position = len(
        session.exec(select(CustomField.id).where(col(CustomField.entity) == args.entity)).all()
    )
    session.add(
        CustomField(
            id=args.id,
            entity=args.entity,
            name=args.name,
            kind=args.kind,
            choices=args.choices,
            position=position,
            created_by=ctx.user_id,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
    )
    return args.id


@mutation("custom_field.delete", IdArgs)
def delete_custom_field(session: Session, ctx: Context, args: IdArgs) -> str:
    """Remove a custom field and its values."""
    require_admin(ctx, "custom_field.delete")
    session.delete(load(session, CustomField, args.id, "custom field"))
    return args.id
