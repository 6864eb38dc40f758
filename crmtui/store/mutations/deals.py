"""Mutations on opportunities (deals): create, update, move, win, lose, delete.

A deal's probability is its stage's: moving it to another stage is what
changes it. A restricted deal may be seen and changed only by the users listed
on it (and by admins); that rule is enforced here, not only on the screen.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator
from sqlalchemy import delete
from sqlmodel import Session, col, select

from .. import settings
from ..models import (
    Contact,
    CustomValue,
    Opportunity,
    OpportunityContact,
    OpportunityUser,
    Stage,
    User,
)
from ..money import MoneyError, check_currency
from .args import Args, CreateArgs, IdArgs, Patch
from .contacts import set_custom_values
from .records import check_exists, load, touch
from .registry import Context, MutationError, mutation

BudgetType = Literal["fixed", "hour", "day", "week", "month", "year"]


def _currency(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return check_currency(code)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


class OpportunityFields(Args):
    """Every field of a deal; shared by create and update."""

    title: str = Field(default="", max_length=500)
    contact_id: str | None = None
    description: str = ""
    budget_minor: int = Field(default=0, ge=0)
    currency: str | None = None  # None: the contact's currency, else the default
    budget_type: BudgetType = "fixed"
    budget_count: int = Field(default=1, ge=1)
    expected_close: date | None = None
    responsible_id: str | None = None
    stage_id: str | None = None  # None: the first open stage
    restricted: bool = False
    user_ids: list[str] = Field(default_factory=list)  # who may see a restricted deal
    contact_ids: list[str] = Field(default_factory=list)  # other linked contacts
    custom: dict[str, str] = Field(default_factory=dict)  # custom field id -> value

    _currency = field_validator("currency")(lambda cls, v: _currency(v))


class OpportunityCreate(OpportunityFields, CreateArgs):
    title: str = Field(min_length=1, max_length=500)


class OpportunityUpdate(OpportunityFields, Patch):
    pass


class StageMove(Args):
    id: str = Field(min_length=1)
    stage_id: str = Field(min_length=1)


def first_stage(session: Session, state: str) -> Stage:
    """The first stage (by board order) that is ``open``, ``won`` or ``lost``."""
    stage = session.exec(
        select(Stage).where(col(Stage.state) == state).order_by(col(Stage.position), col(Stage.id))
    ).first()
    if stage is None:
        raise MutationError(f"stage_id: there is no {state} stage; an admin must create one")
    return stage


def can_access(session: Session, ctx: Context, deal: Opportunity) -> bool:
    """Whether the context's user may see and change ``deal``."""
    if not deal.restricted or ctx.role == "admin" or ctx.user_id is None:
        return True
    return session.get(OpportunityUser, (deal.id, ctx.user_id)) is not None


def load_deal(session: Session, ctx: Context, deal_id: str) -> Opportunity:
    deal = load(session, Opportunity, deal_id, "opportunity")
    if not can_access(session, ctx, deal):
        raise MutationError(f"opportunity {deal_id} is restricted to other users")
    return deal


def _default_currency(session: Session, contact_id: str | None) -> str:
    contact = session.get(Contact, contact_id) if contact_id else None
    if contact is not None and contact.currency:
        return contact.currency
    return str(settings.get(session, "default_currency"))


def _check_refs(session: Session, deal: Opportunity) -> None:
    if not deal.title:
        raise MutationError("title: an opportunity needs a title")
    check_exists(session, Contact, deal.contact_id, "contact_id")
    check_exists(session, User, deal.responsible_id, "responsible_id")
    load(session, Stage, deal.stage_id, "stage")


def _set_links(
    session: Session, deal: Opportunity, args: OpportunityFields, given: set[str]
) -> None:
    if "user_ids" in given:
        session.exec(delete(OpportunityUser).where(col(OpportunityUser.opportunity_id) == deal.id))
        for user_id in dict.fromkeys(args.user_ids):
            check_exists(session, User, user_id, "user_ids")
            session.add(OpportunityUser(opportunity_id=deal.id, user_id=user_id))
    if "contact_ids" in given:
        session.exec(
            delete(OpportunityContact).where(col(OpportunityContact.opportunity_id) == deal.id)
        )
        for contact_id in dict.fromkeys(args.contact_ids):
            check_exists(session, Contact, contact_id, "contact_ids")
            session.add(OpportunityContact(opportunity_id=deal.id, contact_id=contact_id))
    if "custom" in given:
        set_custom_values(session, deal.id, "opportunity", args.custom)


def _check_restriction(session: Session, deal: Opportunity) -> None:
    # A restricted deal nobody may see would be lost to everyone but admins.
    if (
        deal.restricted
        and session.exec(
            select(OpportunityUser).where(col(OpportunityUser.opportunity_id) == deal.id)
        ).first()
        is None
    ):
        raise MutationError("user_ids: a restricted opportunity needs at least one user")


@mutation("opportunity.create", OpportunityCreate)
def create_opportunity(session: Session, ctx: Context, args: OpportunityCreate) -> str:
    """Create an opportunity in a stage (the first open one unless given)."""
    if session.get(Opportunity, args.id) is not None:
        raise MutationError(f"opportunity {args.id} already exists")
    # Defaults are written back into the arguments so that the outbox (and the
    # server's replay) carries the very values applied here.
    args.currency = args.currency or _default_currency(session, args.contact_id)
    args.stage_id = args.stage_id or first_stage(session, "open").id
    args.responsible_id = args.responsible_id or ctx.user_id
    if args.restricted and not args.user_ids and ctx.user_id:
        args.user_ids = [ctx.user_id]
    fields = args.model_dump(exclude={"user_ids", "contact_ids", "custom"})
    deal = Opportunity(created_by=ctx.user_id, created_at=ctx.now, updated_at=ctx.now, **fields)
    _check_refs(session, deal)
    session.add(deal)
    session.flush()
    _set_links(session, deal, args, set(OpportunityFields.model_fields))
    session.flush()
    _check_restriction(session, deal)
    return deal.id


@mutation("opportunity.update", OpportunityUpdate)
def update_opportunity(session: Session, ctx: Context, args: OpportunityUpdate) -> str:
    """Change some fields of an opportunity; lists given replace the old ones."""
    deal = load_deal(session, ctx, args.id)
    changes = args.changes()
    for key, value in changes.items():
        if key in Opportunity.model_fields:
            if value is None and key in ("currency", "stage_id"):
                raise MutationError(f"{key}: cannot be empty")
            setattr(deal, key, value)
    _check_refs(session, deal)
    touch(deal, ctx)
    session.flush()
    _set_links(session, deal, args, set(changes))
    session.flush()
    _check_restriction(session, deal)
    return deal.id


def _move(session: Session, ctx: Context, deal_id: str, stage: Stage) -> str:
    deal = load_deal(session, ctx, deal_id)
    if deal.stage_id != stage.id:
        deal.stage_id = stage.id
        touch(deal, ctx)
    return deal.id


@mutation("opportunity.set_stage", StageMove)
def set_stage(session: Session, ctx: Context, args: StageMove) -> str:
    """Move an opportunity to another stage; its probability becomes the stage's."""
    return _move(session, ctx, args.id, load(session, Stage, args.stage_id, "stage"))


@mutation("opportunity.win", IdArgs)
def win(session: Session, ctx: Context, args: IdArgs) -> str:
    """Mark an opportunity won: move it to the first "won" stage."""
    return _move(session, ctx, args.id, first_stage(session, "won"))


@mutation("opportunity.lose", IdArgs)
def lose(session: Session, ctx: Context, args: IdArgs) -> str:
    """Mark an opportunity lost: move it to the first "lost" stage."""
    return _move(session, ctx, args.id, first_stage(session, "lost"))


@mutation("opportunity.delete", IdArgs)
def delete_opportunity(session: Session, ctx: Context, args: IdArgs) -> str:
    """Delete an opportunity; its invoices, tasks and activities stay, unlinked."""
    deal = load_deal(session, ctx, args.id)
    # Custom values point at any record kind, so no foreign key removes them.
    session.exec(delete(CustomValue).where(col(CustomValue.entity_id) == deal.id))
    session.delete(deal)
    return deal.id
