"""Admin-defined fields on contacts and deals (text, number, date, choice), and
the check every value of one goes through.

Values are kept as text in a canonical form (a number as ``1234.5``, a date as
``2030-06-12``) so that they sort, compare and sync the same everywhere; an
empty value means the record has none.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy import text
from sqlmodel import Session

from ..models import CustomField
from ..money import MoneyError, parse_decimal
from .admin import require_admin
from .args import CreateArgs, IdArgs, Patch
from .records import load, next_position, patch, stamped
from .registry import Context, MutationError, mutation

Kind = Literal["text", "number", "date", "choice"]
TEXT_MAX = 1000


def _choices(values: list[str]) -> list[str]:
    kept = [v.strip() for v in values if v.strip()]
    if len(set(kept)) != len(kept):
        raise ValueError("each choice may be given only once")
    return kept


class CustomFieldCreate(CreateArgs):
    entity: Literal["contact", "opportunity"]
    name: str = Field(min_length=1, max_length=100)
    kind: Kind = "text"
    choices: list[str] = Field(default_factory=list)

    _clean = field_validator("choices")(lambda cls, v: _choices(v))


class CustomFieldUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    choices: list[str] | None = None
    position: int | None = Field(default=None, ge=0)

    _clean = field_validator("choices")(lambda cls, v: None if v is None else _choices(v))


def check_value(name: str, kind: str, choices: list[str], value: str) -> str:
    """``value`` in its canonical form for a field of ``kind``; ValueError names the field."""
    value = value.strip()
    if not value:
        return ""
    if kind == "number":
        try:
            return str(parse_decimal(value, field=name))
        except MoneyError:
            raise ValueError(f"{name}: {value!r} is not a number") from None
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError(f"{name}: {value!r} is not a date like 2030-06-12") from None
    if kind == "choice" and value not in choices:
        raise ValueError(f"{name}: must be one of {', '.join(choices)}")
    if len(value) > TEXT_MAX:
        raise ValueError(f"{name}: at most {TEXT_MAX} characters")
    return value


@mutation("custom_field.create", CustomFieldCreate)
def create_custom_field(session: Session, ctx: Context, args: CustomFieldCreate) -> str:
    """Define a custom field (text, number, date or choice) for contacts or deals."""
    require_admin(ctx, "custom_field.create")
    if args.kind == "choice" and not args.choices:
        raise MutationError("choices: a choice field needs at least one choice")
    position = next_position(session, CustomField, entity=args.entity)
    session.add(
        stamped(
            CustomField,
            ctx,
            id=args.id,
            entity=args.entity,
            name=args.name,
            kind=args.kind,
            choices=args.choices,
            position=position,
        )
    )
    return args.id


def _check_choices(session: Session, field: CustomField, choices: list[str]) -> None:
    if field.kind != "choice":
        if choices:
            raise MutationError(f"choices: a {field.kind} field has no choices")
        return
    if not choices:
        raise MutationError("choices: a choice field needs at least one choice")
    for gone in set(field.choices) - set(choices):
        used = session.execute(
            text("SELECT count(*) FROM custom_value WHERE field_id = :id AND value = :value"),
            {"id": field.id, "value": gone},
        ).scalar_one()
        if used:
            raise MutationError(
                f"choices: {gone!r} is the value of {used} record(s); keep it or change them first"
            )


@mutation("custom_field.update", CustomFieldUpdate)
def update_custom_field(session: Session, ctx: Context, args: CustomFieldUpdate) -> str:
    """Rename a custom field, change its choices (not one still in use) or its place."""
    require_admin(ctx, "custom_field.update")
    field = load(session, CustomField, args.id, "custom field")
    changes = args.changes()
    if changes.get("name") is not None:
        same = session.execute(
            text("SELECT id FROM custom_field WHERE entity = :e AND name = :n AND id <> :id"),
            {"e": field.entity, "n": changes["name"], "id": field.id},
        ).first()
        if same is not None:
            raise MutationError(f"name: a {field.entity} field {changes['name']!r} already exists")
    if changes.get("choices") is not None:
        _check_choices(session, field, changes["choices"])
    patch(field, ctx, changes)
    return field.id


@mutation("custom_field.delete", IdArgs)
def delete_custom_field(session: Session, ctx: Context, args: IdArgs) -> str:
    """Remove a custom field and its values."""
    require_admin(ctx, "custom_field.delete")
    session.delete(load(session, CustomField, args.id, "custom field"))
    return args.id
