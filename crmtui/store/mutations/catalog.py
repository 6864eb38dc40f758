"""Admin lists behind deals and invoices: stages, taxes, products, exchange rates.

Only an admin may change them (DESIGN.md section 3: "Settings (admin)").
Invoice lines keep a copy of each tax's rate, so changing a rate never alters
an invoice already written.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlmodel import Session, col, func, select

from .. import settings
from ..models import ExchangeRate, InvoiceLine, Opportunity, Product, Stage, Tax
from ..money import MoneyError, check_currency
from .admin import require_admin
from .args import Args, CreateArgs, IdArgs, Patch
from .records import load, next_position, patch, stamped, touch
from .registry import Context, MutationError, mutation

StageState = Literal["open", "won", "lost"]


def _currency(code: str) -> str:
    try:
        return check_currency(code)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


class StageCreate(CreateArgs):
    name: str = Field(min_length=1, max_length=100)
    probability: int = Field(ge=0, le=100)
    state: StageState = "open"
    position: int | None = None


class StageUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    probability: int | None = Field(default=None, ge=0, le=100)
    state: StageState | None = None


class StageReorder(Args):
    ids: list[str] = Field(min_length=1)


class StageDelete(IdArgs):
    move_to: str | None = None  # where the stage's opportunities go


def _unique_name(session: Session, model: Any, name: str, own_id: str | None = None) -> None:
    same = session.exec(select(model).where(col(model.name) == name)).first()
    if same is not None and same.id != own_id:
        raise MutationError(f"name: {name!r} already exists")


def _unique_name_check(session: Session, model: Any, own_id: str) -> Callable[[str, Any], None]:
    """A ``records.patch`` check refusing a new name another ``model`` row has."""

    def check(key: str, value: Any) -> None:
        if key == "name":
            _unique_name(session, model, value, own_id)

    return check


@mutation("stage.create", StageCreate)
def create_stage(session: Session, ctx: Context, args: StageCreate) -> str:
    """Add a pipeline stage with its success probability (open, won or lost)."""
    require_admin(ctx, "stage.create")
    _unique_name(session, Stage, args.name)
    position = args.position
    if position is None:
        position = next_position(session, Stage)
    fields = args.model_dump(exclude={"position"})
    session.add(stamped(Stage, ctx, position=position, **fields))
    return args.id


@mutation("stage.update", StageUpdate)
def update_stage(session: Session, ctx: Context, args: StageUpdate) -> str:
    """Rename a stage, change its probability or whether it is open, won or lost."""
    require_admin(ctx, "stage.update")
    stage = load(session, Stage, args.id, "stage")
    patch(stage, ctx, args.changes(), check=_unique_name_check(session, Stage, stage.id))
    return stage.id


@mutation("stage.reorder", StageReorder)
def reorder_stages(session: Session, ctx: Context, args: StageReorder) -> int:
    """Put every stage in the order given (the board's columns follow it)."""
    require_admin(ctx, "stage.reorder")
    stages = {s.id: s for s in session.exec(select(Stage))}
    if sorted(args.ids) != sorted(stages):
        raise MutationError("ids: give every stage exactly once")
    for position, stage_id in enumerate(args.ids):
        stage = stages[stage_id]
        if stage.position != position:
            stage.position = position
            touch(stage, ctx)
    return len(args.ids)


@mutation("stage.delete", StageDelete)
def delete_stage(session: Session, ctx: Context, args: StageDelete) -> str:
    """Delete a stage; its opportunities move to ``move_to`` (required if any)."""
    require_admin(ctx, "stage.delete")
    stage = load(session, Stage, args.id, "stage")
    deals = session.exec(select(Opportunity).where(col(Opportunity.stage_id) == stage.id)).all()
    if deals and args.move_to is None:
        raise MutationError(
            f"stage {stage.name!r} holds {len(deals)} opportunities: "
            "give move_to, the stage they go to"
        )
    if args.move_to == stage.id:
        raise MutationError("move_to: cannot move the opportunities to the stage being deleted")
    if deals:
        load(session, Stage, str(args.move_to), "stage to move to")
    for deal in deals:
        deal.stage_id = str(args.move_to)
        touch(deal, ctx)
    session.flush()
    session.delete(stage)
    return stage.id


class TaxCreate(CreateArgs):
    name: str = Field(min_length=1, max_length=100)
    rate: Decimal = Field(ge=0, le=100, max_digits=9, decimal_places=4)


class TaxUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    rate: Decimal | None = Field(default=None, ge=0, le=100, max_digits=9, decimal_places=4)
    active: bool | None = None


@mutation("tax.create", TaxCreate)
def create_tax(session: Session, ctx: Context, args: TaxCreate) -> str:
    """Add a tax (e.g. "VAT 20%") that invoice lines and products can use."""
    require_admin(ctx, "tax.create")
    _unique_name(session, Tax, args.name)
    session.add(stamped(Tax, ctx, id=args.id, name=args.name, rate=args.rate))
    return args.id


@mutation("tax.update", TaxUpdate)
def update_tax(session: Session, ctx: Context, args: TaxUpdate) -> str:
    """Rename a tax, change its rate (new lines only) or retire it."""
    require_admin(ctx, "tax.update")
    tax = load(session, Tax, args.id, "tax")
    patch(tax, ctx, args.changes(), check=_unique_name_check(session, Tax, tax.id))
    return tax.id


@mutation("tax.delete", IdArgs)
def delete_tax(session: Session, ctx: Context, args: IdArgs) -> str:
    """Delete a tax no invoice line uses; otherwise retire it (active = false)."""
    require_admin(ctx, "tax.delete")
    tax = load(session, Tax, args.id, "tax")
    used = session.exec(
        select(func.count())
        .select_from(InvoiceLine)
        .where((col(InvoiceLine.tax1_id) == tax.id) | (col(InvoiceLine.tax2_id) == tax.id))
    ).one()
    if used:
        raise MutationError(
            f"tax {tax.name!r} is on {used} invoice line(s): "
            "retire it instead (tax.update active=false)"
        )
    for product in session.exec(select(Product).where(col(Product.tax_id) == tax.id)):
        product.tax_id = None
        touch(product, ctx)
    session.flush()
    session.delete(tax)
    return tax.id


class ProductFields(Args):
    name: str = Field(default="", max_length=300)
    code: str | None = Field(default=None, max_length=100)
    kind: Literal["product", "service"] = "product"
    price_minor: int = 0
    currency: str = "EUR"
    tax_id: str | None = None
    active: bool = True

    _currency = field_validator("currency")(lambda cls, v: _currency(v))


class ProductCreate(ProductFields, CreateArgs):
    name: str = Field(min_length=1, max_length=300)


class ProductUpdate(ProductFields, Patch):
    pass


def _check_product(session: Session, product: Product) -> None:
    if not product.name:
        raise MutationError("name: a product needs a name")
    if product.tax_id is not None:
        load(session, Tax, product.tax_id, "tax")


@mutation("product.create", ProductCreate)
def create_product(session: Session, ctx: Context, args: ProductCreate) -> str:
    """Add a product or service with its price, currency and default tax."""
    require_admin(ctx, "product.create")
    product = stamped(Product, ctx, **args.model_dump())
    _check_product(session, product)
    session.add(product)
    return product.id


@mutation("product.update", ProductUpdate)
def update_product(session: Session, ctx: Context, args: ProductUpdate) -> str:
    """Change a product's name, code, price, currency, default tax or availability."""
    require_admin(ctx, "product.update")
    product = load(session, Product, args.id, "product")
    changes = args.changes()
    patch(product, ctx, changes, nullable=changes)
    _check_product(session, product)
    return product.id


@mutation("product.delete", IdArgs)
def delete_product(session: Session, ctx: Context, args: IdArgs) -> str:
    """Delete a product; invoice lines keep their own description and price."""
    require_admin(ctx, "product.delete")
    session.delete(load(session, Product, args.id, "product"))
    return args.id


class RateSet(Args):
    currency: str
    rate: Decimal = Field(gt=0, max_digits=20, decimal_places=10)

    _currency = field_validator("currency")(lambda cls, v: _currency(v))


class RateDelete(Args):
    currency: str

    _currency = field_validator("currency")(lambda cls, v: _currency(v))


@mutation("exchange_rate.set", RateSet)
def set_rate(session: Session, ctx: Context, args: RateSet) -> str:
    """Set how many units of the default currency one unit of ``currency`` buys."""
    require_admin(ctx, "exchange_rate.set")
    if args.currency == settings.get(session, "default_currency"):
        raise MutationError("currency: the default currency has no exchange rate (it is 1)")
    row = session.get(ExchangeRate, args.currency)
    if row is None:
        session.add(ExchangeRate(currency=args.currency, rate=args.rate, updated_at=ctx.now))
    else:
        row.rate = args.rate
        row.updated_at = ctx.now
        row.version += 1
    return args.currency


@mutation("exchange_rate.delete", RateDelete)
def delete_rate(session: Session, ctx: Context, args: RateDelete) -> str:
    """Forget a currency's exchange rate (invoices keep the rate they were made with)."""
    require_admin(ctx, "exchange_rate.delete")
    session.delete(load(session, ExchangeRate, args.currency, "exchange rate for"))
    return args.currency
