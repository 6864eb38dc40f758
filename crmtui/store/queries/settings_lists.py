"""Everything the admin settings screen shows, read in one go as frozen objects.

The lists are small by nature (stages, taxes, a catalogue, choice lists); tags
carry how many contacts have each, counted through the ``contact_tag`` index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import text
from sqlmodel import Session

from .. import settings
from ..models.users import CATEGORY_SCOPES
from .catalog import (
    CurrencyRow,
    InvoiceSettings,
    ProductRow,
    TaxRow,
    invoice_settings,
    list_currencies,
    list_products,
    list_taxes,
)

CATALOGUE_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class StageUse:
    id: str
    name: str
    probability: int
    state: str
    deals: int


@dataclass(frozen=True, slots=True)
class CategoryRow:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class TagUse:
    id: str
    name: str
    contacts: int


@dataclass(frozen=True, slots=True)
class CustomFieldRow:
    id: str
    entity: str  # "contact" or "opportunity"
    name: str
    kind: str  # text, number, date, choice
    choices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UserRow:
    id: str
    name: str
    email: str
    role: str
    active: bool


@dataclass(frozen=True, slots=True)
class SettingsOverview:
    role: str  # the local user's: only "admin" may change anything here
    stages: tuple[StageUse, ...]
    currencies: tuple[CurrencyRow, ...]
    taxes: tuple[TaxRow, ...]
    products: tuple[ProductRow, ...]
    categories: Mapping[str, tuple[CategoryRow, ...]]  # by scope
    tags: tuple[TagUse, ...]
    fields: tuple[CustomFieldRow, ...]
    users: tuple[UserRow, ...]
    invoice: InvoiceSettings
    region: str  # phone numbers without a country code are read for it
    locale: str  # how amounts and dates are written


def local_role(session: Session) -> str:
    """The role of the store's own user (the local identity)."""
    state = settings.local_identity(session)
    role = session.execute(
        text("SELECT role FROM user_account WHERE id = :id"), {"id": state.user_id}
    ).scalar()
    return str(role or "admin")


def custom_fields(session: Session, entity: str | None = None) -> tuple[CustomFieldRow, ...]:
    """The custom fields of ``entity`` (or of both), in their form order."""
    where = "WHERE entity = :entity" if entity else ""
    rows = session.execute(
        text(
            f"SELECT id, entity, name, kind, choices FROM custom_field {where} "
            "ORDER BY entity, position, name"
        ),
        {"entity": entity},
    )
    return tuple(CustomFieldRow(r[0], r[1], r[2], r[3], tuple(_json_list(r[4]))) for r in rows)


def _json_list(value: object) -> list[str]:
    items = json.loads(value) if isinstance(value, str) else value
    return [str(v) for v in items] if isinstance(items, list) else []


def _stages(session: Session) -> tuple[StageUse, ...]:
    rows = session.execute(
        text(
            "SELECT s.id, s.name, s.probability, s.state, "
            "(SELECT count(*) FROM opportunity o WHERE o.stage_id = s.id) "
            "FROM stage s ORDER BY s.position, s.id"
        )
    )
    return tuple(StageUse(*r) for r in rows)


def _categories(session: Session) -> Mapping[str, tuple[CategoryRow, ...]]:
    rows = session.execute(
        text("SELECT scope, id, name FROM category ORDER BY scope, position, name")
    ).all()
    return MappingProxyType(
        {
            scope: tuple(CategoryRow(r[1], r[2]) for r in rows if r[0] == scope)
            for scope in CATEGORY_SCOPES
        }
    )


def settings_overview(session: Session) -> SettingsOverview:
    tags = session.execute(
        text(
            "SELECT t.id, t.name, (SELECT count(*) FROM contact_tag ct WHERE ct.tag_id = t.id) "
            "FROM tag t ORDER BY t.name"
        )
    )
    users = session.execute(
        text("SELECT id, name, COALESCE(email, ''), role, active FROM user_account ORDER BY name")
    )
    return SettingsOverview(
        role=local_role(session),
        stages=_stages(session),
        currencies=tuple(list_currencies(session)),
        taxes=tuple(list_taxes(session)),
        products=tuple(list_products(session, active_only=False, limit=CATALOGUE_LIMIT)),
        categories=_categories(session),
        tags=tuple(TagUse(*r) for r in tags),
        fields=custom_fields(session),
        users=tuple(UserRow(r[0], r[1], r[2], r[3], bool(r[4])) for r in users),
        invoice=invoice_settings(session),
        region=str(settings.get(session, "default_region")),
        locale=str(settings.get(session, "locale")),
    )
