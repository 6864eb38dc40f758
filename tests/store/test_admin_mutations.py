"""Admin lists: custom fields and their values, choice lists, tags, settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import select

from crmtui.store import Store
from crmtui.store.migrate import upgrade_url
from crmtui.store.models import Contact, CustomValue, Tag
from crmtui.store.mutations import Context, MutationError, run_in
from crmtui.sync.serverdb import Database


def one(store: Store, sql: str, **params: Any) -> Any:
    with store.read() as session:
        return session.execute(text(sql), params).scalar()


def field(store: Store, kind: str, **extra: Any) -> str:
    return store.mutate(
        "custom_field.create", {"entity": "contact", "name": kind.title(), "kind": kind, **extra}
    )


def value_of(store: Store, contact_id: str, field_id: str) -> str | None:
    with store.read() as session:
        row = session.get(CustomValue, (contact_id, field_id))
        return None if row is None else row.value


def test_custom_values_are_checked_and_kept_canonical(store: Store) -> None:
    number, day = field(store, "number"), field(store, "date")
    zoe = store.mutate(
        "contact.create", {"first_name": "Zoé", "custom": {number: "1 234,50", day: "2030-06-12"}}
    )
    assert value_of(store, zoe, number) == "1234.50"
    for bad, name in (({number: "lots"}, "Number"), ({day: "12/06/2030"}, "Date")):
        with pytest.raises(MutationError, match=f"custom: {name}: .* is not a"):
            store.mutate("contact.update", {"id": zoe, "custom": bad})
    store.mutate("contact.update", {"id": zoe, "custom": {number: ""}})
    assert value_of(store, zoe, number) is None  # emptied: the value is gone
    assert value_of(store, zoe, day) == "2030-06-12"


def test_a_choice_in_use_cannot_be_removed(store: Store) -> None:
    size = field(store, "choice", choices=["S", "M", "L"])
    store.mutate("contact.create", {"first_name": "Zoé", "custom": {size: "M"}})
    with pytest.raises(MutationError, match="choices: 'M' is the value of 1 record"):
        store.mutate("custom_field.update", {"id": size, "choices": ["S", "L"]})
    store.mutate("custom_field.update", {"id": size, "name": "Size", "choices": ["M", "XL"]})
    assert one(store, "SELECT choices FROM custom_field WHERE id = :id", id=size) == '["M", "XL"]'
    with pytest.raises(MutationError, match="choices: a choice field needs at least one"):
        store.mutate("custom_field.update", {"id": size, "choices": [" "]})


def test_custom_field_names_stay_unique_per_entity(store: Store) -> None:
    field(store, "text")
    other = field(store, "number")
    with pytest.raises(MutationError, match="name: a contact field 'Text' already exists"):
        store.mutate("custom_field.update", {"id": other, "name": "Text"})
    with pytest.raises(MutationError, match="choices: a number field has no choices"):
        store.mutate("custom_field.update", {"id": other, "choices": ["a"]})


def test_deleting_a_used_category_clears_it_on_records(store: Store) -> None:
    client = store.mutate("category.create", {"scope": "contact_type", "name": "client"})
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "type_id": client})
    store.mutate("category.delete", {"id": client})
    with store.read() as session:
        contact = session.get(Contact, zoe)
        assert contact is not None and contact.type_id is None and contact.version == 2


def test_temperature_levels_follow_their_rename_and_delete(store: Store) -> None:
    hot = store.mutate("category.create", {"scope": "temperature", "name": "hot"})
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "temperature": "hot"})
    store.mutate("category.update", {"id": hot, "name": "burning"})
    assert one(store, "SELECT temperature FROM contact WHERE id = :id", id=zoe) == "burning"
    store.mutate("category.delete", {"id": hot})
    assert one(store, "SELECT temperature FROM contact WHERE id = :id", id=zoe) is None


def test_category_names_are_unique_per_list_and_reorder_needs_all(store: Store) -> None:
    a = store.mutate("category.create", {"scope": "task_category", "name": "Call"})
    b = store.mutate("category.create", {"scope": "task_category", "name": "Quote"})
    store.mutate("category.create", {"scope": "activity_category", "name": "Call"})  # other list
    with pytest.raises(MutationError, match="name: task_category 'Call' already exists"):
        store.mutate("category.update", {"id": b, "name": "Call"})
    with pytest.raises(MutationError, match="ids: give every task_category exactly once"):
        store.mutate("category.reorder", {"scope": "task_category", "ids": [b]})
    store.mutate("category.reorder", {"scope": "task_category", "ids": [b, a]})
    assert one(store, "SELECT position FROM category WHERE id = :id", id=a) == 1


def test_merging_a_tag_moves_its_contacts(store: Store) -> None:
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "tags": ["vip", "VIP client"]})
    ann = store.mutate("contact.create", {"first_name": "Ann", "tags": ["VIP client"]})
    store.mutate("tag.merge", {"old": "VIP client", "into": "VIP"})
    with store.read() as session:
        names = sorted(session.exec(select(Tag.name)).all())
        tagged = session.execute(text("SELECT contact_id FROM contact_tag")).scalars().all()
    assert names == ["vip"]
    assert sorted(tagged) == sorted([zoe, ann])
    with pytest.raises(MutationError, match="into: a tag cannot be merged into itself"):
        store.mutate("tag.merge", {"old": "vip", "into": "VIP"})
    store.mutate("tag.delete", {"name": "vip"})
    assert one(store, "SELECT count(*) FROM contact_tag") == 0
    with pytest.raises(MutationError, match="name: no tag named 'vip'"):
        store.mutate("tag.delete", {"name": "vip"})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("invoice_digits", 0, "invoice_digits: must be 1 to 12, not 0"),
        ("invoice_next_number", 0, "invoice_next_number: must be 1 or more"),
        ("company_profile", {"name": "Acme", "phone": "1"}, "unknown field 'phone'"),
        ("company_profile", {"name": 3}, "name: must be text"),
        ("locale", "xx_YY", "locale: 'xx_YY' is not a locale like fr_FR"),
    ],
)
def test_settings_out_of_range_are_refused(
    store: Store, key: str, value: Any, message: str
) -> None:
    with pytest.raises(MutationError, match=message):
        store.mutate("setting.set", {"key": key, "value": value})


def test_a_locale_is_kept_in_its_canonical_form(store: Store) -> None:
    store.mutate("setting.set", {"key": "locale", "value": "pl-PL"})
    assert one(store, "SELECT value FROM setting WHERE key = 'locale'") == '"pl_PL"'


def test_company_profile_keeps_every_field(store: Store) -> None:
    store.mutate("setting.set", {"key": "company_profile", "value": {"name": " Acme "}})
    value = one(store, "SELECT value FROM setting WHERE key = 'company_profile'")
    assert value == '{"name": "Acme", "address": "", "logo_path": ""}'


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("custom_field.update", {"id": "x", "name": "Y"}),
        ("category.reorder", {"scope": "temperature", "ids": ["x"]}),
        ("tag.merge", {"old": "a", "into": "b"}),
        ("tag.delete", {"name": "a"}),
    ],
)
def test_new_admin_mutations_need_an_admin(store: Store, name: str, args: dict[str, Any]) -> None:
    user = Context(user_id=None, role="user")
    with pytest.raises(MutationError, match="only an admin"), store.write() as session:
        run_in(session, user, name, args)


@pytest.fixture
def pg_store_url(pg_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database with the store's tables (what the sync server runs on)."""
    name = f"crmtui_admin_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_url(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_tag_and_category_mutations_run_on_postgresql(pg_store_url: str) -> None:
    db = Database(pg_store_url)
    admin = Context(user_id=None, role="admin")
    steps: list[tuple[str, dict[str, Any]]] = [
        ("category.create", {"id": "t-client", "scope": "contact_type", "name": "client"}),
        ("category.create", {"id": "t-hot", "scope": "temperature", "name": "hot"}),
        (
            "contact.create",
            {
                "id": "c-1",
                "first_name": "Zoé",
                "type_id": "t-client",
                "temperature": "hot",
                "tags": ["vip", "VIP client"],
            },
        ),
        ("contact.create", {"id": "c-2", "first_name": "Ann", "tags": ["VIP client"]}),
        ("tag.merge", {"old": "VIP client", "into": "vip"}),
        ("category.update", {"id": "t-hot", "name": "burning"}),
        ("category.delete", {"id": "t-client"}),
    ]
    try:
        with db.write() as session:
            for name, args in steps:
                run_in(session, admin, name, args)
        with db.write() as session:
            tagged = session.execute(text("SELECT count(*) FROM contact_tag")).scalar()
            zoe = session.execute(
                text("SELECT type_id, temperature FROM contact WHERE id = 'c-1'")
            ).one()
        assert tagged == 2
        assert tuple(zoe) == (None, "burning")
    finally:
        db.dispose()
