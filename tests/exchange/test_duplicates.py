"""Finding duplicate contacts and merging them with everything linked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from crmtui.exchange.duplicates import find_groups
from crmtui.store import Store

from .helpers import dump, run_cli


def _people(store: Store) -> dict[str, str]:
    ids = {"acme": store.mutate("contact.create", {"kind": "company", "company_name": "Acme"})}
    ids["old"] = store.mutate(
        "contact.create",
        {
            "first_name": "Zoé",
            "last_name": "Martin",
            "title": "CEO",
            "emails": [{"address": "zoe@acme.fr"}],
            "tags": ["client"],
        },
    )
    ids["new"] = store.mutate(
        "contact.create",
        {
            "first_name": "Zoe",
            "last_name": "Martin",
            "website": "https://zoe.fr",
            "emails": [{"address": "ZOE@acme.fr"}, {"address": "zm@perso.fr", "label": "home"}],
            "phones": [{"raw": "06 12 34 56 78", "label": "mobile"}],
            "tags": ["vip", "client"],
            "addresses": [{"city": "Lyon", "country": "FR"}],
        },
    )
    ids["p1"] = store.mutate(
        "contact.create", {"first_name": "Jean", "last_name": "Dupont", "company_id": ids["acme"]}
    )
    ids["p2"] = store.mutate(
        "contact.create", {"first_name": "jean", "last_name": "DUPONT", "company_id": ids["acme"]}
    )
    ids["alone"] = store.mutate("contact.create", {"first_name": "Jean", "last_name": "Dupont"})
    return ids


def _link_everything(store: Store, contact_id: str) -> None:
    stage = store.mutate("stage.create", {"name": "Lead", "probability": 10})
    deal = store.mutate(
        "opportunity.create", {"title": "Deal", "contact_id": contact_id, "stage_id": stage}
    )
    store.mutate("activity.create", {"subject": "Met", "contact_id": contact_id})
    store.mutate(
        "task.create", {"title": "Call back", "contact_id": contact_id, "opportunity_id": deal}
    )
    store.mutate(
        "call.log",
        {
            "source": "test",
            "source_call_id": "c1",
            "started_at": datetime(2026, 11, 1, tzinfo=UTC),
            "remote_raw": "0612345678",
            "contact_id": contact_id,
        },
    )
    store.mutate(
        "invoice.create",
        {
            "client_id": contact_id,
            "number_auto": True,
            "lines": [{"description": "Work", "unit_price_minor": 100}],
        },
    )


LINKS = {
    "activity": "contact_id",
    "task": "contact_id",
    "call": "contact_id",
    "opportunity": "contact_id",
    "invoice": "client_id",
}


def _owners(store: Store) -> dict[str, list[str]]:
    with store.read() as s:
        return {
            t: list(s.execute(text(f"SELECT {c} FROM {t}")).scalars()) for t, c in LINKS.items()
        }


def test_find_groups_with_reasons(store: Store) -> None:
    ids = _people(store)
    with store.read() as s:
        groups = find_groups(s)
    found = {tuple(m.id for m in g.members): g.reasons for g in groups}
    assert found == {
        (ids["old"], ids["new"]): ("same e-mail zoe@acme.fr",),
        (ids["p1"], ids["p2"]): ("same name Jean Dupont at the same company",),
    }


def test_merge_moves_everything_onto_the_kept_contact(db: Path, store: Store) -> None:
    ids = _people(store)
    _link_everything(store, ids["new"])
    before = dump(store)
    dry = run_cli(db, "duplicates", "merge", ids["new"], "--dry-run")
    assert dry.exit_code == 0 and f"{ids['old']}\t{ids['new']}" in dry.output
    assert dump(store) == before
    result = run_cli(db, "duplicates", "merge", ids["new"])
    assert result.exit_code == 0, result.output
    after = dump(store)
    assert ids["new"] not in after
    kept = after[ids["old"]]
    assert (kept["title"], kept["website"]) == ("CEO", "https://zoe.fr")  # filled, not replaced
    assert kept["emails"] == [("work", "zoe@acme.fr"), ("home", "zm@perso.fr")]
    assert [p[2] for p in kept["phones"]] == ["+33612345678"]
    assert kept["tags"] == ["client", "vip"]
    assert kept["addresses"] == [("work", "", "", "Lyon", "", "FR")]
    assert _owners(store) == {t: [ids["old"]] for t in LINKS}
    with store.read() as s:
        hits = s.execute(
            text("SELECT contact_id FROM contact_search WHERE contact_id = :i"), {"i": ids["new"]}
        ).all()
    assert hits == []


def test_merge_all_and_companies(db: Path, store: Store) -> None:
    ids = _people(store)
    other = store.mutate("contact.create", {"kind": "company", "company_name": "ACME"})
    worker = store.mutate(
        "contact.create", {"first_name": "Ana", "last_name": "Lis", "company_id": other}
    )
    result = run_cli(db, "duplicates", "merge", "--all")
    assert result.exit_code == 0, result.output
    after = dump(store)
    assert set(after) == {ids["acme"], ids["old"], ids["p1"], ids["alone"], worker}
    assert after[worker]["company_id"] == ids["acme"]
    with store.read() as s:
        assert find_groups(s) == []


def test_merge_refuses_unknown_groups(db: Path, store: Store) -> None:
    ids = _people(store)
    assert run_cli(db, "duplicates", "merge", ids["alone"]).exit_code == 1
    assert run_cli(db, "duplicates", "merge").exit_code == 2
    assert run_cli(db, "duplicates", "merge", ids["p1"], "--keep", ids["old"]).exit_code == 2
