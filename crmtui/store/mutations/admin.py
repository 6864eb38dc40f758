"""Admin mutations: users and roles, settings, choice lists.

Only an admin may run these (DESIGN.md section 3: "Settings (admin)"); tags
and custom fields have modules of their own (``tags.py``, ``custom_fields.py``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import EmailStr, Field, field_validator
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..models import Activity, Category, Contact, Setting, Task, User
from ..money import MoneyError, check_currency
from ..settings import DEFAULTS
from .args import Args, CreateArgs, IdArgs, Patch
from .records import load, next_position, patch, stamped, touch
from .registry import Context, MutationError, mutation

Role = Literal["admin", "user", "readonly"]
Scope = Literal["contact_type", "temperature", "task_category", "activity_category"]
COMPANY_FIELDS = ("name", "address", "logo_path")
# Bounds of the whole-number settings: (least, most); None is unbounded.
WHOLE_BOUNDS: dict[str, tuple[int, int | None]] = {
    "invoice_digits": (1, 12),
    "invoice_next_number": (1, None),
}


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
    session.add(stamped(User, ctx, id=args.id, name=args.name, email=args.email, role=args.role))
    return args.id


@mutation("user.update", UserUpdate)
def update_user(session: Session, ctx: Context, args: UserUpdate) -> str:
    """Rename a user, change their role or disable them."""
    require_admin(ctx, "user.update")
    user = load(session, User, args.id, "user")
    patch(user, ctx, args.changes(), nullable={"email"})
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
    if key in WHOLE_BOUNDS:
        least, most = WHOLE_BOUNDS[key]
        if value < least or (most is not None and value > most):
            upto = f" to {most}" if most is not None else " or more"
            raise MutationError(f"{key}: must be {least}{upto}, not {value}")
    if key == "company_profile":
        return _check_company(value)
    if key == "default_currency":
        try:
            return check_currency(value)
        except MoneyError as exc:
            raise MutationError(f"{key}: {exc}") from None
    if key == "locale":
        return _check_locale(value)
    if key == "default_region":
        import phonenumbers

        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise MutationError(f"{key}: {value!r} is not a region code like FR, PL or US")
        return value.upper()
    return value


def _check_locale(value: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(value.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        raise MutationError(
            f"locale: {value!r} is not a locale like fr_FR, pl_PL or en_US"
        ) from None


def _check_company(value: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(value) - set(COMPANY_FIELDS))
    if unknown:
        raise MutationError(
            f"company_profile: unknown field {unknown[0]!r}; known: {', '.join(COMPANY_FIELDS)}"
        )
    for name, text in value.items():
        if not isinstance(text, str):
            raise MutationError(f"{name}: must be text, not {text!r}")
    return {name: str(value.get(name, "")).strip() for name in COMPANY_FIELDS}


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


class CategoryReorder(Args):
    scope: Scope
    ids: list[str] = Field(min_length=1)


def _unique_category(session: Session, scope: str, name: str, own_id: str | None) -> None:
    same = session.exec(
        select(Category).where(col(Category.scope) == scope, col(Category.name) == name)
    ).first()
    if same is not None and same.id != own_id:
        raise MutationError(f"name: {scope} {name!r} already exists")


@mutation("category.create", CategoryCreate)
def create_category(session: Session, ctx: Context, args: CategoryCreate) -> str:
    """Add a choice to an admin list (contact types, task categories...)."""
    require_admin(ctx, "category.create")
    _unique_category(session, args.scope, args.name, None)
    position = args.position
    if position is None:
        position = next_position(session, Category, scope=args.scope)
    session.add(
        stamped(Category, ctx, id=args.id, scope=args.scope, name=args.name, position=position)
    )
    return args.id


@mutation("category.update", CategoryUpdate)
def update_category(session: Session, ctx: Context, args: CategoryUpdate) -> str:
    """Rename or reorder a choice."""
    require_admin(ctx, "category.update")
    cat = load(session, Category, args.id, "category")
    changes = {k: v for k, v in args.changes().items() if v is not None}
    if "name" in changes:
        _unique_category(session, cat.scope, changes["name"], cat.id)
        if cat.scope == "temperature":  # contacts hold the level's name, not its id
            _set_temperature(session, ctx, cat.name, changes["name"])
    patch(cat, ctx, changes)
    return cat.id


def _set_temperature(session: Session, ctx: Context, old: str, new: str | None) -> None:
    session.exec(
        update(Contact)
        .where(col(Contact.temperature) == old)
        .values(temperature=new, version=Contact.version + 1, updated_at=ctx.now)
    )


def _forget_category(session: Session, ctx: Context, cat: Category) -> None:
    """Clear every reference to ``cat`` (one version more on each record changed)."""
    if cat.scope == "temperature":
        _set_temperature(session, ctx, cat.name, None)
        return
    for model, column in ((Contact, "type_id"), (Activity, "category_id"), (Task, "category_id")):
        session.exec(
            update(model)
            .where(col(getattr(model, column)) == cat.id)
            .values({column: None, "version": model.version + 1, "updated_at": ctx.now})
        )


@mutation("category.reorder", CategoryReorder)
def reorder_categories(session: Session, ctx: Context, args: CategoryReorder) -> int:
    """Put every choice of one list in the order given (forms offer them so)."""
    require_admin(ctx, "category.reorder")
    cats = {
        c.id: c for c in session.exec(select(Category).where(col(Category.scope) == args.scope))
    }
    if sorted(args.ids) != sorted(cats):
        raise MutationError(f"ids: give every {args.scope} exactly once")
    for position, cat_id in enumerate(args.ids):
        if cats[cat_id].position != position:
            cats[cat_id].position = position
            touch(cats[cat_id], ctx)
    return len(args.ids)


@mutation("category.delete", IdArgs)
def delete_category(session: Session, ctx: Context, args: IdArgs) -> str:
    """Remove a choice; records that used it keep no category."""
    require_admin(ctx, "category.delete")
    cat = load(session, Category, args.id, "category")
    _forget_category(session, ctx, cat)
    session.flush()
    session.delete(cat)
    return args.id
