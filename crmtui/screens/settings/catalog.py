"""Sections behind deals and invoices: stages, currencies, taxes, products."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...store.money import Money, MoneyError
from ...store.queries.catalog import CurrencyRow, ProductRow, TaxRow
from ...store.queries.settings_lists import SettingsOverview, StageUse
from ...widgets.format import money
from .plans import Batch, Deletion, FieldError, FormPlan, Spec
from .section import Section, swapped

STATES = (("open", "open"), ("won", "won"), ("lost", "lost"))
KINDS = (("product", "product"), ("service", "service"))
EDIT_ACTIONS = frozenset({"new", "edit", "delete"})


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def percent(rate: Decimal) -> str:
    return f"{rate.normalize():f} %"


class Stages(Section):
    key = "stages"
    title = "Stages"
    columns = ("Stage", "Probability", "State", "Deals")
    help = "The pipeline's columns, in order; a deal's stage sets its probability."
    actions = EDIT_ACTIONS | {"move"}

    def rows(self, o: SettingsOverview) -> tuple[StageUse, ...]:
        return o.stages

    def cells(self, o: SettingsOverview, row: StageUse) -> tuple[str, ...]:
        return (row.name, f"{row.probability} %", row.state, f"{row.deals:,}")

    def _fields(self, row: StageUse | None) -> tuple[Spec, ...]:
        return (
            Spec("name", "Name", value=row.name if row else "", required=True),
            Spec(
                "probability",
                "Probability of success (%)",
                "whole",
                value=row.probability if row else 10,
                least=0,
                most=100,
                required=True,
            ),
            Spec("state", "State", "choice", row.state if row else "open", STATES, True),
        )

    def new(self, o: SettingsOverview) -> FormPlan:
        return FormPlan("New stage", self._fields(None), lambda v: [("stage.create", v)])

    def edit(self, o: SettingsOverview, row: StageUse) -> FormPlan:
        return FormPlan(
            f"Edit stage {row.name}",
            self._fields(row),
            lambda v: [("stage.update", {"id": row.id, **v})],
        )

    def delete(self, o: SettingsOverview, row: StageUse) -> Deletion | FormPlan:
        if not row.deals:
            return Deletion(f"Delete the stage {row.name!r}?", [("stage.delete", {"id": row.id})])
        others = tuple((s.name, s.id) for s in o.stages if s.id != row.id)
        return FormPlan(
            f"Delete stage {row.name}",
            (
                Spec(
                    "move_to", "Move its opportunities to", "choice", options=others, required=True
                ),
            ),
            lambda v: [("stage.delete", {"id": row.id, "move_to": v["move_to"]})],
            submit="Delete",
            note=f"{row.deals:,} opportunities are at this stage: choose where they go.",
        )

    def move(self, o: SettingsOverview, row: StageUse, delta: int) -> Batch | None:
        ids = swapped([s.id for s in o.stages], row.id, delta)
        return [("stage.reorder", {"ids": ids})] if ids else None


class Currencies(Section):
    key = "currencies"
    title = "Currencies"
    columns = ("Currency", "Rate", "Meaning")
    help = "The default currency, and what one unit of each other currency is worth in it."
    actions = EDIT_ACTIONS

    def rows(self, o: SettingsOverview) -> tuple[CurrencyRow, ...]:
        return o.currencies

    def cells(self, o: SettingsOverview, row: CurrencyRow) -> tuple[str, ...]:
        if row.is_default:
            return (row.code, "1", "the default currency")
        default = o.currencies[0].code
        return (row.code, f"{row.rate.normalize():f}", f"1 {row.code} = {row.rate:f} {default}")

    def allows(self, action: str, o: SettingsOverview, row: Any) -> bool:
        if action == "delete" and row is not None and row.is_default:
            return False  # the default currency has no rate to forget
        return super().allows(action, o, row)

    def _rate(self, o: SettingsOverview, row: CurrencyRow | None) -> FormPlan:
        default = o.currencies[0].code
        fields = (
            Spec(
                "currency",
                "Currency (ISO 4217 code)",
                value=row.code if row else "",
                required=True,
                hint="e.g. USD, GBP, PLN",
                locked=row is not None,
            ),
            Spec(
                "rate",
                f"Rate: how many {default} one unit buys",
                "decimal",
                value=f"{row.rate:f}" if row else "",
                required=True,
            ),
        )
        title = f"Exchange rate of {row.code}" if row else "New exchange rate"
        return FormPlan(title, fields, lambda v: [("exchange_rate.set", v)])

    def new(self, o: SettingsOverview) -> FormPlan:
        return self._rate(o, None)

    def edit(self, o: SettingsOverview, row: CurrencyRow) -> FormPlan:
        if not row.is_default:
            return self._rate(o, row)
        return FormPlan(
            "Default currency",
            (Spec("value", "Default currency (ISO 4217 code)", value=row.code, required=True),),
            lambda v: [("setting.set", {"key": "default_currency", "value": v["value"]})],
            note="Totals across currencies (the pipeline board) are shown in it.",
            aliases={"default_currency": "value"},
        )

    def delete(self, o: SettingsOverview, row: CurrencyRow) -> Deletion:
        return Deletion(
            f"Forget the exchange rate of {row.code}? Invoices keep the rate they were made with.",
            [("exchange_rate.delete", {"currency": row.code})],
        )


class Taxes(Section):
    key = "taxes"
    title = "Taxes"
    columns = ("Tax", "Rate", "Active")
    help = "Taxes invoice lines and products use; a tax on invoices is retired, not deleted."
    actions = EDIT_ACTIONS

    def rows(self, o: SettingsOverview) -> tuple[TaxRow, ...]:
        return o.taxes

    def cells(self, o: SettingsOverview, row: TaxRow) -> tuple[str, ...]:
        return (row.name, percent(row.rate), yes(row.active))

    def _fields(self, row: TaxRow | None) -> tuple[Spec, ...]:
        fields = (
            Spec("name", "Name", value=row.name if row else "", required=True, hint="e.g. VAT 20%"),
            Spec("rate", "Rate (%)", "decimal", f"{row.rate:f}" if row else "", required=True),
        )
        return (*fields, Spec("active", "Active", "flag", row.active)) if row else fields

    def new(self, o: SettingsOverview) -> FormPlan:
        return FormPlan("New tax", self._fields(None), lambda v: [("tax.create", v)])

    def edit(self, o: SettingsOverview, row: TaxRow) -> FormPlan:
        return FormPlan(
            f"Edit tax {row.name}",
            self._fields(row),
            lambda v: [("tax.update", {"id": row.id, **v})],
        )

    def delete(self, o: SettingsOverview, row: TaxRow) -> Deletion:
        return Deletion(
            f"Delete the tax {row.name!r}? Products that use it lose their default tax.",
            [("tax.delete", {"id": row.id})],
        )


class Products(Section):
    key = "products"
    title = "Products"
    columns = ("Name", "Code", "Kind", "Price", "Tax", "Active")
    help = "Products and services the invoice line picker offers, with price and default tax."
    actions = EDIT_ACTIONS

    def rows(self, o: SettingsOverview) -> tuple[ProductRow, ...]:
        return o.products

    def cells(self, o: SettingsOverview, row: ProductRow) -> tuple[str, ...]:
        price = money(row.price_minor, row.currency, self.locale)
        return (row.name, row.code, row.kind, price, row.tax_name, yes(row.active))

    def _fields(self, o: SettingsOverview, row: ProductRow | None) -> tuple[Spec, ...]:
        codes = dict.fromkeys([c.code for c in o.currencies] + ([row.currency] if row else []))
        taxes = [(t.name, t.id) for t in o.taxes if t.active or (row and t.id == row.tax_id)]
        price = f"{Money(row.price_minor, row.currency).amount:f}" if row else ""
        fields = (
            Spec("name", "Name", value=row.name if row else "", required=True),
            Spec("code", "Code", value=row.code if row else ""),
            Spec("kind", "Kind", "choice", row.kind if row else "product", KINDS, True),
            Spec("price", "Unit price", "decimal", price, required=True),
            Spec(
                "currency",
                "Currency",
                "choice",
                row.currency if row else o.currencies[0].code,
                tuple((c, c) for c in codes),
                True,
            ),
            Spec("tax_id", "Default tax", "choice", row.tax_id if row else None, tuple(taxes)),
        )
        return (*fields, Spec("active", "Active", "flag", row.active)) if row else fields

    @staticmethod
    def _args(v: dict[str, Any]) -> dict[str, Any]:
        v = dict(v)
        try:
            price = Money.of(v.pop("price"), v["currency"]).minor
        except MoneyError as exc:
            raise FieldError("price", str(exc)) from None
        return {**v, "code": v["code"] or None, "price_minor": price}

    def new(self, o: SettingsOverview) -> FormPlan:
        return FormPlan(
            "New product or service",
            self._fields(o, None),
            lambda v: [("product.create", self._args(v))],
            aliases={"price_minor": "price"},
        )

    def edit(self, o: SettingsOverview, row: ProductRow) -> FormPlan:
        return FormPlan(
            f"Edit {row.kind} {row.name}",
            self._fields(o, row),
            lambda v: [("product.update", {"id": row.id, **self._args(v)})],
            aliases={"price_minor": "price"},
        )

    def delete(self, o: SettingsOverview, row: ProductRow) -> Deletion:
        return Deletion(
            f"Delete the {row.kind} {row.name!r}? Invoice lines keep their own text and price.",
            [("product.delete", {"id": row.id})],
        )
