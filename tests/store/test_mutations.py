"""Mutations: every one replays identically from the outbox, and failures change nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from crmtui.store import Store, open_store
from crmtui.store.models import Contact, ContactPhone, Invoice, OutboxEntry, Tag
from crmtui.store.mutations import REGISTRY, Context, MutationError, apply, run_in
from crmtui.store.mutations.call_args import CallColumns, CallIn

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
TOMORROW = NOW + timedelta(days=1)


def call_columns(*calls: dict[str, Any]) -> dict[str, Any]:
    """A ``call.log_batch`` batch (one list per field) from partial per-call dicts."""
    rows = [CallIn.model_validate(c).model_dump(mode="json") for c in calls]
    return CallColumns.of(rows).model_dump(mode="json")


NOT_USER_DATA = ("_", "alembic_version", "sqlite_")
# Replica bookkeeping (see mutations/invoice_fill.py): each replica moves its own
# invoice counter, and a replay that keeps the number it was given does not.
REPLICA_LOCAL = {("setting", "invoice_next_number")}
SEARCH_TABLES = ("contact_search", "contact_fts", "activity_search", "activity_fts")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One freshly migrated store file, copied by ``store`` (migrating takes a while)."""
    path = tmp_path_factory.mktemp("template") / "crm.db"
    open_store(path).close()
    return path


@pytest.fixture
def store(migrated: Path, store_path: Path) -> Iterator[Store]:
    """A fresh store of the test's own: a copy of the migrated template."""
    shutil.copy(migrated, store_path)
    with open_store(store_path) as opened:
        yield opened


Step = tuple[str, dict[str, Any]]

# Every mutation at least once, in an order where each finds what it refers to.
SCENARIO: list[Step] = [
    ("user.create", {"id": "u-bob", "name": "Bob", "email": "bob@example.org", "role": "user"}),
    ("user.update", {"id": "u-bob", "name": "Robert", "active": True}),
    ("setting.set", {"key": "invoice_prefix", "value": "FAC"}),
    ("category.create", {"id": "cat-client", "scope": "contact_type", "name": "client"}),
    ("category.create", {"id": "cat-old", "scope": "contact_type", "name": "old"}),
    ("category.update", {"id": "cat-client", "name": "Client"}),
    ("category.delete", {"id": "cat-old"}),
    ("category.create", {"id": "cat-task", "scope": "task_category", "name": "Follow-up"}),
    ("category.create", {"id": "cat-act", "scope": "activity_category", "name": "Visit"}),
    (
        "custom_field.create",
        {
            "id": "cf-size",
            "entity": "contact",
            "name": "Size",
            "kind": "choice",
            "choices": ["S", "M", "L"],
        },
    ),
    ("custom_field.create", {"id": "cf-tmp", "entity": "contact", "name": "Tmp"}),
    ("custom_field.delete", {"id": "cf-tmp"}),
    (
        "custom_field.update",
        {"id": "cf-size", "name": "Company size", "choices": ["S", "M", "L", "XL"]},
    ),
    ("category.create", {"id": "cat-quote", "scope": "task_category", "name": "Quote"}),
    ("category.reorder", {"scope": "task_category", "ids": ["cat-quote", "cat-task"]}),
    (
        "contact.create",
        {
            "id": "c-acme",
            "kind": "company",
            "company_name": "Acme SA",
            "type_id": "cat-client",
            "currency": "eur",
            "website": "https://acme.example",
            "social": {"linkedin": "acme"},
            "tags": ["VIP"],
            "custom": {"cf-size": "L"},
            "addresses": [
                {
                    "label": "billing",
                    "street": "1 rue de la Paix",
                    "postcode": "75002",
                    "city": "Paris",
                    "country": "FR",
                }
            ],
        },
    ),
    (
        "contact.create",
        {
            "id": "c-zoe",
            "first_name": "Zoé",
            "last_name": "Martin",
            "company_id": "c-acme",
            "phones": [{"raw": "06 12 34 56 78", "label": "mobile"}, {"raw": "ask reception"}],
            "emails": [{"address": "Zoe@Acme.example"}],
            "tags": ["VIP", "lead"],
            "responsible_ids": ["u-bob"],
        },
    ),
    (
        "contact.create",
        {
            "id": "c-lukasz",
            "first_name": "Łukasz",
            "last_name": "Nowak",
            "phones": [{"raw": "+48 512 345 678"}],
        },
    ),
    ("contact.create", {"id": "c-globex", "kind": "company", "company_name": "Globex"}),
    ("contact.create", {"id": "c-ann", "first_name": "Ann", "company_id": "c-globex"}),
    (
        "contact.update",
        {
            "id": "c-zoe",
            "title": "CEO",
            "temperature": "hot",
            "access": "private",
            "phones": [{"raw": "01 42 68 53 00"}],
            "base_version": 1,
        },
    ),
    ("contact.tag", {"ids": ["c-zoe", "c-lukasz"], "tags": ["newsletter", "VIP"]}),
    (
        "contact.import_batch",
        {
            "create": {  # the person comes before the company she works for
                "id": ["c-imp-eva", "c-imp-firm"],
                "kind": ["person", "company"],
                "first_name": ["Ewa", ""],
                "last_name": ["Łęcka", ""],
                "company_name": ["", "Imported Firm"],
                "company_id": ["c-imp-firm", None],
                "title": ["CFO", ""],
                "website": ["", "https://firm.example"],
                "description": ["", ""],
                "type_id": [None, "cat-client"],
                "temperature": ["hot", None],
                "currency": [None, "pln"],
                "access": ["public_rw", "public_ro"],
                "social": [{}, {"linkedin": "firm"}],
                "phones": [[["+48 512 345 678", "mobile"], ["ext 12", "work"]], []],
                "emails": [[["Ewa@Firm.example", "work"]], []],
                "addresses": [[], [{"label": "billing", "city": "Kraków", "country": "PL"}]],
                "tags": [["VIP", "imported"], []],
            },
            "update": [{"id": "c-zoe", "title": "Head of sales", "tags": ["VIP", "lead"]}],
        },
    ),
    ("tag.rename", {"old": "lead", "new": "prospect"}),
    ("tag.merge", {"old": "prospect", "into": "VIP"}),
    ("tag.delete", {"name": "newsletter"}),
    ("exchange_rate.set", {"currency": "PLN", "rate": "0.23"}),
    ("exchange_rate.set", {"currency": "USD", "rate": "0.92"}),
    ("exchange_rate.delete", {"currency": "USD"}),
    ("tax.create", {"id": "tax-vat", "name": "VAT 20%", "rate": "20"}),
    ("tax.create", {"id": "tax-old", "name": "Old tax", "rate": "5.5"}),
    ("tax.update", {"id": "tax-vat", "name": "TVA 20%"}),
    ("tax.delete", {"id": "tax-old"}),
    (
        "product.create",
        {
            "id": "prod-dev",
            "name": "Development",
            "kind": "service",
            "price_minor": 60000,
            "currency": "EUR",
            "tax_id": "tax-vat",
        },
    ),
    ("product.create", {"id": "prod-x", "name": "Gadget"}),
    ("product.update", {"id": "prod-dev", "price_minor": 65000}),
    ("product.delete", {"id": "prod-x"}),
    ("stage.create", {"id": "st-lead", "name": "Lead", "probability": 10}),
    ("stage.create", {"id": "st-nego", "name": "Negotiation", "probability": 60}),
    ("stage.create", {"id": "st-won", "name": "Won", "probability": 100, "state": "won"}),
    ("stage.create", {"id": "st-lost", "name": "Lost", "probability": 0, "state": "lost"}),
    ("stage.create", {"id": "st-tmp", "name": "Spare", "probability": 5}),
    ("stage.update", {"id": "st-nego", "probability": 70}),
    ("stage.reorder", {"ids": ["st-lead", "st-tmp", "st-nego", "st-won", "st-lost"]}),
    (
        "opportunity.create",
        {
            "id": "opp-1",
            "title": "Website",
            "contact_id": "c-acme",
            "budget_minor": 500000,
            "currency": "EUR",
            "stage_id": "st-lead",
            "expected_close": "2027-01-31",
            "contact_ids": ["c-zoe"],
            "user_ids": ["u-bob"],
        },
    ),
    (
        "opportunity.create",
        {"id": "opp-2", "title": "Support", "contact_id": "c-lukasz", "stage_id": "st-tmp"},
    ),
    ("opportunity.create", {"id": "opp-3", "title": "Old deal", "stage_id": "st-lead"}),
    ("stage.delete", {"id": "st-tmp", "move_to": "st-lead"}),
    ("opportunity.update", {"id": "opp-1", "description": "New site", "budget_count": 2}),
    ("opportunity.set_stage", {"id": "opp-1", "stage_id": "st-nego"}),
    ("opportunity.win", {"id": "opp-1"}),
    ("opportunity.lose", {"id": "opp-2"}),
    ("opportunity.delete", {"id": "opp-3"}),
    (
        "activity.create",
        {
            "id": "act-1",
            "type": "meeting",
            "subject": "Kick-off",
            "contact_id": "c-acme",
            "person_id": "c-zoe",
            "category_id": "cat-act",
            "starts_at": NOW.isoformat(),
            "ends_at": LATER.isoformat(),
            "opportunity_ids": ["opp-1"],
            "user_ids": ["u-bob"],
        },
    ),
    ("activity.create", {"id": "act-2", "subject": "Scratch note"}),
    ("activity.update", {"id": "act-1", "details": "Went well", "outcome": "success"}),
    ("activity.delete", {"id": "act-2"}),
    (
        "task.create",
        {
            "id": "task-1",
            "title": "Send the quote",
            "contact_id": "c-zoe",
            "opportunity_id": "opp-1",
            "category_id": "cat-task",
            "due_at": TOMORROW.isoformat(),
            "reminder_minutes": 60,
        },
    ),
    (
        "task.create_for_contacts",
        {
            "title": "Call back",
            "contact_ids": ["c-zoe", "c-lukasz"],
            "ids": ["task-g1", "task-g2"],
            "due_at": TOMORROW.isoformat(),
        },
    ),
    ("task.update", {"id": "task-1", "description": "with a discount", "reminder_minutes": 15}),
    ("task.mark_reminded", {"id": "task-1"}),
    ("task.close", {"id": "task-1"}),
    ("task.reopen", {"id": "task-1"}),
    ("task.delete", {"id": "task-g2"}),
    (
        "invoice.create",
        {
            "id": "inv-1",
            "number_auto": True,
            "client_id": "c-acme",
            "consignee_id": "c-zoe",
            "issue_date": "2026-11-23",
            "opportunity_id": "opp-1",
            "lines": [
                {
                    "product_id": "prod-dev",
                    "description": "Development",
                    "quantity": "3",
                    "discount_pct": "10",
                },
                {
                    "description": "Travel",
                    "quantity": "1.5",
                    "unit_price_minor": 3333,
                    "tax_ids": [],
                },
            ],
        },
    ),
    ("invoice.update", {"id": "inv-1", "notes": "Thank you", "po_number": "PO-7"}),
    (
        "invoice.duplicate",
        {"id": "inv-2", "source_id": "inv-1", "issue_date": "2026-11-24", "number_auto": True},
    ),
    ("invoice.set_status", {"id": "inv-1", "status": "billed"}),
    ("invoice.mark_sent", {"id": "inv-1", "sent_at": LATER.isoformat()}),
    ("invoice.delete", {"id": "inv-2"}),
    (
        "call.log",
        {
            "id": "call-1",
            "source": "asterisk-csv",
            "source_call_id": "1763890000.1",
            "direction": "inbound",
            "status": "answered",
            "remote_raw": "01 42 68 53 00",
            "remote_e164": "+33142685300",
            "started_at": NOW.isoformat(),
            "answered_at": (NOW + timedelta(seconds=5)).isoformat(),
            "ended_at": (NOW + timedelta(seconds=65)).isoformat(),
            "duration_s": 65,
            "billsec_s": 60,
            "agent_id": "u-bob",
            "contact_id": "c-zoe",
        },
    ),
    (
        "call.log_batch",
        {
            "calls": call_columns(
                {
                    "id": "call-2",
                    "source": "asterisk-csv",
                    "source_call_id": "1763890000.2",
                    "direction": "outbound",
                    "status": "busy",
                    "remote_raw": "+48 512 345 678",
                    "remote_e164": "+48512345678",
                    "started_at": LATER.isoformat(),
                },
                {
                    "id": "call-3",
                    "source": "asterisk-csv",
                    "source_call_id": "1763890000.3",
                    "status": "missed",
                    "remote_raw": "07 00 00 00 01",
                    "remote_e164": "+33700000001",
                    "started_at": TOMORROW.isoformat(),
                },
            )
        },
    ),
    ("call.wrapup", {"id": "call-1", "description": "Asked for a quote", "outcome": "success"}),
    ("call.link_contact", {"id": "call-2", "contact_id": "c-lukasz"}),
    (
        "call.create_contact",
        {"id": "c-caller", "call_id": "call-3", "first_name": "New", "last_name": "Caller"},
    ),
    (
        "contact.create",
        {
            "id": "c-zoe2",
            "first_name": "Zoe",
            "last_name": "Martin",
            "phones": [{"raw": "+33 6 12 34 56 78"}],
            "emails": [{"address": "zm@home.example"}],
            "tags": ["newsletter", "dup"],
        },
    ),
    (
        "activity.create",
        {
            "id": "act-3",
            "subject": "Met at a fair",
            "person_id": "c-zoe2",
            "starts_at": NOW.isoformat(),
        },
    ),
    ("contact.merge", {"keep_id": "c-zoe", "merge_ids": ["c-zoe2"]}),
    ("follow.add", {"id": "f-1", "entity": "contact", "entity_id": "c-zoe"}),
    ("follow.remove", {"id": "f-1"}),
    ("contact.delete", {"id": "c-globex"}),
    ("contact.delete", {"id": "c-lukasz"}),
]

EXAMPLES: dict[str, list[dict[str, Any]]] = {}
for _name, _args in SCENARIO:
    EXAMPLES.setdefault(_name, []).append(_args)


def user_tables(session: Session) -> list[str]:
    names = session.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ).scalars()
    return [n for n in names if not n.startswith(NOT_USER_DATA) and not n.startswith(SEARCH_TABLES)]


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every user-data row of every table, in a stable order."""
    with store.read() as session:
        return {
            table: sorted(
                (
                    tuple(row)
                    for row in session.execute(text(f'SELECT * FROM "{table}"'))
                    if (table, row[0]) not in REPLICA_LOCAL
                ),
                key=repr,
            )
            for table in user_tables(session)
        }


def differences(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> list[str]:
    out = []
    for table in sorted(set(a) | set(b)):
        only_a = [r for r in a.get(table, []) if r not in b.get(table, [])]
        only_b = [r for r in b.get(table, []) if r not in a.get(table, [])]
        if only_a or only_b:
            out.append(f"{table}: replica lacks {only_a[:2]}, has instead {only_b[:2]}")
    return out


def twin_stores(tmp: Path) -> tuple[Store, Store]:
    """Two stores with the same local user: B starts as a copy of a fresh A."""
    open_store(tmp / "a.db").close()
    shutil.copy(tmp / "a.db", tmp / "b.db")
    return open_store(tmp / "a.db"), open_store(tmp / "b.db")


def fixed_context(store: Store) -> Context:
    with store.read() as session:
        ctx = store.context(session)
    return Context(user_id=ctx.user_id, role="admin", region="FR", now=NOW)


@dataclass
class RoundTrip:
    errors: dict[str, list[str]] = field(default_factory=dict)
    outbox_ids: list[int] = field(default_factory=list)
    ran: int = 0
    final_a: dict[str, list[Any]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RoundTrip]:
    """Run the scenario on A; after each step replay A's new outbox rows on B
    with the registry's ``apply`` and compare every user-data table."""
    a, b = twin_stores(tmp_path_factory.mktemp("replay"))
    ctx = fixed_context(a)
    result = RoundTrip()
    replayed = 0
    seen: set[str] = set()
    for name, args in SCENARIO:
        problems = result.errors.setdefault(name, [])
        try:
            with a.write() as session:
                run_in(session, ctx, name, args)
            result.ran += 1
        except Exception as exc:
            problems.append(f"{name}({args}) failed on A: {exc!r}")
            continue
        with a.read() as session:
            entries = session.exec(
                select(OutboxEntry).where(OutboxEntry.mutation_id > replayed)
            ).all()
            todo = [(e.mutation_id, e.name, e.args) for e in entries]
        try:
            with b.write() as session:
                for mutation_id, entry_name, entry_args in todo:
                    apply(session, ctx, entry_name, entry_args)
                    replayed = mutation_id
        except Exception as exc:
            problems.append(f"{name} failed to replay on B: {exc!r}")
            break
        diffs = differences(dump(a), dump(b))
        problems.extend(f"after {name}: {d}" for d in diffs if d not in seen)  # new ones only
        seen.update(diffs)
    with a.read() as session:
        result.outbox_ids = list(
            session.exec(select(OutboxEntry.mutation_id).order_by(OutboxEntry.mutation_id))
        )
    result.final_a = dump(a)
    yield result
    a.close()
    b.close()


def test_examples_cover_the_registry() -> None:
    """A new mutation without an example here fails this test: add it to SCENARIO."""
    assert set(EXAMPLES) == set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_mutation_replays_identically(round_trip: RoundTrip, name: str) -> None:
    assert name in EXAMPLES, f"no example for {name}: add one to SCENARIO"
    assert round_trip.errors.get(name) == [], "\n".join(round_trip.errors.get(name, []))


def test_scenario_leaves_real_data(round_trip: RoundTrip) -> None:
    data = round_trip.final_a
    assert round_trip.ran == len(SCENARIO)
    assert len(data["contact"]) == 6  # acme, zoe, ann, the caller, eva and her firm
    assert len(data["invoice"]) == 1
    assert len(data["call"]) == 3


def test_outbox_ids_are_gapless_and_increasing(round_trip: RoundTrip) -> None:
    assert round_trip.outbox_ids == list(range(1, len(SCENARIO) + 1))


def test_outbox_ids_continue_after_acknowledged_ones(store: Store) -> None:
    store.mutate("contact.create", {"first_name": "A"})
    with store.write() as session:
        session.execute(text("DELETE FROM _outbox"))
        session.execute(text("UPDATE _sync_state SET last_acked_id = 1"))
    store.mutate("contact.create", {"first_name": "B"})
    store.mutate("contact.create", {"first_name": "C"})
    assert outbox(store) == [(2, "contact.create"), (3, "contact.create")]


def outbox(store: Store) -> list[tuple[int, str]]:
    with store.read() as session:
        rows = session.exec(select(OutboxEntry).order_by(OutboxEntry.mutation_id)).all()
        return [(r.mutation_id, r.name) for r in rows]


def counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {
            t: session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
            for t in [*user_tables(session), "_outbox"]
        }


def test_store_mutate_records_the_filled_in_arguments(store: Store) -> None:
    contact_id = store.mutate("contact.create", {"first_name": "Zoé"})
    with store.read() as session:
        entry = session.exec(select(OutboxEntry)).one()
    assert entry.name == "contact.create"
    assert entry.args["id"] == contact_id
    assert entry.args["first_name"] == "Zoé"


def test_bad_email_in_second_position_changes_nothing(store: Store) -> None:
    store.mutate("contact.create", {"first_name": "Before"})
    before = counts(store)
    with pytest.raises(MutationError, match=r"emails\.1\.address") as caught:
        store.mutate(
            "contact.create",
            {
                "first_name": "Zoé",
                "phones": [{"raw": "06 12 34 56 78"}, {"raw": "07 11 22 33 44"}],
                "emails": [{"address": "zoe@example.org"}, {"address": "not-an-email"}],
            },
        )
    assert "not-an-email" in str(caught.value)
    assert counts(store) == before
    assert outbox(store) == [(1, "contact.create")]


def test_failure_after_writing_rolls_everything_back(store: Store) -> None:
    """The contact and its phones are flushed before the bad user id is found."""
    before = counts(store)
    with pytest.raises(MutationError, match="responsible_ids: no user"):
        store.mutate(
            "contact.create",
            {
                "first_name": "Zoé",
                "phones": [{"raw": "06 12 34 56 78"}],
                "responsible_ids": ["nobody"],
            },
        )
    assert counts(store) == before
    with store.read() as session:
        assert session.exec(select(ContactPhone)).all() == []


def test_a_batch_lands_whole_or_not_at_all(store: Store) -> None:
    before = counts(store)
    with pytest.raises(MutationError, match="no contact"):
        store.mutate_many(
            [
                ("contact.create", {"first_name": "Zoé"}),
                ("contact.update", {"id": "missing", "title": "CEO"}),
            ]
        )
    assert counts(store) == before
    store.mutate_many([("contact.create", {"first_name": "A"}), ("user.create", {"name": "B"})])
    assert outbox(store) == [(1, "contact.create"), (2, "user.create")]


@pytest.mark.parametrize(
    ("name", "args", "field_name"),
    [
        ("contact.create", {"first_name": "A", "emails": [{"address": "a@"}]}, "emails.0.address"),
        ("contact.create", {"kind": "alien", "first_name": "A"}, "kind"),
        ("contact.create", {"kind": "company"}, "a company needs a name"),
        ("contact.create", {"first_name": "A", "phones": [{"raw": ""}]}, "phones.0.raw"),
        ("contact.create", {"first_name": "A", "currency": "XYZ"}, "currency"),
        ("contact.create", {"first_name": "A", "company_id": "nope"}, "company_id"),
        ("task.create", {"title": ""}, "title"),
        ("task.create", {"title": "T", "reminder_minutes": 7}, "reminder_minutes"),
        ("user.create", {"name": "Eve", "role": "god"}, "role"),
        ("setting.set", {"key": "colour", "value": "red"}, "colour"),
        ("setting.set", {"key": "default_currency", "value": "XYZ"}, "default_currency"),
        ("activity.create", {"subject": "S", "starts_at": "yesterday-ish"}, "starts_at"),
        ("contact.update", {"title": "CEO"}, "id"),
    ],
)
def test_invalid_arguments_name_the_field(
    store: Store, name: str, args: dict[str, Any], field_name: str
) -> None:
    with pytest.raises(MutationError) as caught:
        store.mutate(name, args)
    message = str(caught.value)
    assert message.startswith(f"{name}: ")
    assert field_name in message
    assert outbox(store) == []


@pytest.mark.parametrize(
    ("name", "args", "unknown"),
    [
        ("contact.create", {"first_name": "A", "nickname": "Zo"}, "nickname"),
        ("contact.create", {"first_name": "A", "phones": [{"raw": "06", "ext": "1"}]}, "ext"),
        ("contact.delete", {"id": "x", "force": True}, "force"),
        ("task.create", {"title": "T", "priority": "high"}, "priority"),
    ],
)
def test_unknown_fields_are_refused(
    store: Store, name: str, args: dict[str, Any], unknown: str
) -> None:
    with pytest.raises(MutationError, match=unknown):
        store.mutate(name, args)


def test_unknown_mutation_is_refused(store: Store) -> None:
    with pytest.raises(MutationError, match=r"unknown mutation 'contact\.explode'"):
        store.mutate("contact.explode", {})


def test_read_only_context_is_refused(store: Store) -> None:
    readonly = Context(user_id=None, role="readonly", now=NOW)
    with pytest.raises(MutationError, match="read-only"), store.write() as session:
        run_in(session, readonly, "contact.create", {"first_name": "Zoé"})
    assert counts(store)["contact"] == 0
    assert outbox(store) == []


def test_read_only_local_user_is_refused(store: Store) -> None:
    with store.read() as session:
        me = store.context(session).user_id
    store.mutate("user.update", {"id": me, "role": "readonly"})
    with pytest.raises(MutationError, match="read-only"):
        store.mutate("contact.create", {"first_name": "Zoé"})
    assert counts(store)["contact"] == 0


def test_admin_mutations_need_an_admin(store: Store) -> None:
    user = Context(user_id=None, role="user", now=NOW)
    with pytest.raises(MutationError, match="only an admin"), store.write() as session:
        run_in(session, user, "setting.set", {"key": "default_region", "value": "PL"})


def make_invoice(store: Store, client_id: str, consignee_id: str | None = None) -> str:
    """An invoice for ``client_id`` through ``invoice.create``; returns its number."""
    invoice_id = store.mutate(
        "invoice.create",
        {
            "number_auto": True,
            "client_id": client_id,
            "consignee_id": consignee_id,
            "lines": [{"description": "Work", "unit_price_minor": 1000}],
        },
    )
    with store.read() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        return invoice.number


def test_contact_with_an_invoice_cannot_be_deleted(store: Store) -> None:
    client = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    person = store.mutate("contact.create", {"first_name": "Zoé"})
    number = make_invoice(store, client, consignee_id=person)
    for contact_id in (client, person):
        with pytest.raises(MutationError, match=number) as caught:
            store.mutate("contact.delete", {"id": contact_id})
        assert "invoice" in str(caught.value)
    with store.read() as session:
        assert session.get(Contact, client) is not None
        assert session.get(Contact, person) is not None


def test_contact_can_be_deleted_once_its_invoice_is(store: Store) -> None:
    client = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    make_invoice(store, client)
    with store.read() as session:
        invoice_id = session.exec(select(Invoice.id)).one()
    store.mutate("invoice.delete", {"id": invoice_id})
    store.mutate("contact.delete", {"id": client})
    with store.read() as session:
        assert session.get(Contact, client) is None


def test_deleting_a_company_keeps_its_people(store: Store) -> None:
    acme = store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "company_id": acme})
    ann = store.mutate("contact.create", {"first_name": "Ann", "company_id": acme})
    store.mutate("contact.delete", {"id": acme})
    with store.read() as session:
        people = [session.get(Contact, i) for i in (zoe, ann)]
        assert session.get(Contact, acme) is None
    assert all(p is not None and p.company_id is None for p in people)


def test_delete_of_a_missing_contact_names_it(store: Store) -> None:
    with pytest.raises(MutationError, match="no contact with id ghost"):
        store.mutate("contact.delete", {"id": "ghost"})


def test_creating_the_same_id_twice_is_refused(store: Store) -> None:
    store.mutate("contact.create", {"id": "c-1", "first_name": "A"})
    with pytest.raises(MutationError, match="already exists"):
        store.mutate("contact.create", {"id": "c-1", "first_name": "B"})


def tag_names(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(session.exec(select(Tag.name)).all())


def test_a_tag_renamed_twice_and_reused(store: Store) -> None:
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "tags": ["lead"]})
    store.mutate("tag.rename", {"old": "lead", "new": "prospect"})
    store.mutate("tag.rename", {"old": "Prospect", "new": "client"})
    # tagging with the current name finds the renamed tag, not a new one
    store.mutate("contact.tag", {"ids": [zoe], "tags": ["client"]})
    store.mutate("contact.update", {"id": zoe, "tags": ["client", "lead"]})
    assert tag_names(store) == ["client", "lead"]
    with store.read() as session:
        tags = session.execute(
            text("SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id")
        ).scalars()
        assert sorted(tags) == ["client", "lead"]


def test_renaming_a_tag_onto_another_is_refused(store: Store) -> None:
    store.mutate("contact.create", {"first_name": "Zoé", "tags": ["lead", "client"]})
    with pytest.raises(MutationError, match="new: a tag named 'client' already exists"):
        store.mutate("tag.rename", {"old": "lead", "new": "Client"})
    with pytest.raises(MutationError, match="old: no tag named 'ghost'"):
        store.mutate("tag.rename", {"old": "ghost", "new": "spirit"})
    assert tag_names(store) == ["client", "lead"]


def test_a_renamed_tag_with_non_ascii_capitals_is_found_again(store: Store) -> None:
    zoe = store.mutate("contact.create", {"first_name": "Zoé", "tags": ["Kraków"]})
    store.mutate("tag.rename", {"old": "kraków", "new": "Łódź"})
    store.mutate("contact.tag", {"ids": [zoe], "tags": ["Łódź"]})
    store.mutate("contact.update", {"id": zoe, "tags": ["Łódź", "ŁÓDŹ"]})
    assert tag_names(store) == ["Łódź"]
