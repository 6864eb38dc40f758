"""Search: folded names, prefixes, e-mails, companies, tags, phone digits; any text is safe."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from crmtui.store import Store, open_store
from crmtui.store.queries.contacts import search_contacts
from crmtui.store.search import fts_query, phone_digits, phone_fts_query
from crmtui.store.sql import connection_of


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


@dataclass(frozen=True)
class People:
    acme: str
    zoe: str
    lukasz: str
    muller: str


def names(store: Store, query: str) -> set[str]:
    with store.read() as session:
        return {row.display_name for row in search_contacts(connection_of(session), query).rows}


def found(store: Store, query: str) -> set[str]:
    with store.read() as session:
        return {row.id for row in search_contacts(connection_of(session), query).rows}


def add_people(store: Store) -> People:
    acme = store.mutate("contact.create", {"kind": "company", "company_name": "Acme Widgets"})
    zoe = store.mutate(
        "contact.create",
        {
            "first_name": "Zoé",
            "last_name": "Martin",
            "company_id": acme,
            "phones": [{"raw": "06 12 34 56 78"}],
            "emails": [{"address": "ZM@Example.org"}],
            "tags": ["VIP client"],
        },
    )
    lukasz = store.mutate(
        "contact.create",
        {
            "first_name": "Łukasz",
            "last_name": "Wójcik",
            "phones": [{"raw": "+48 512 987 001", "label": "mobile"}],
            "emails": [{"address": "lukasz@firma.pl"}],
            "tags": ["supplier"],
        },
    )
    muller = store.mutate(
        "contact.create",
        {
            "first_name": "Jürgen",
            "last_name": "Müller",
            "phones": [{"raw": "+49 30 1111 2222"}, {"raw": "ask reception 4455"}],
        },
    )
    return People(acme, zoe, lukasz, muller)


@pytest.fixture
def people(store: Store) -> People:
    """The people, in a store of the test's own (for tests that change them)."""
    return add_people(store)


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, People]]:
    """The people in one store shared by the tests that only read."""
    opened = open_store(tmp_path_factory.mktemp("search") / "crm.db")
    yield opened, add_people(opened)
    opened.close()


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("zoe", "zoe"),
        ("Zoé", "zoe"),
        ("ZOÉ", "zoe"),
        ("zoé martin", "zoe"),
        ("martin zoe", "zoe"),
        ("lukasz", "lukasz"),
        ("Łukasz", "lukasz"),
        ("łuk", "lukasz"),
        ("wojcik", "lukasz"),
        ("Wójcik", "lukasz"),
        ("muller", "muller"),
        ("Müller", "muller"),
        ("MÜLLER", "muller"),
        ("jurgen", "muller"),
        ("mü", "muller"),
    ],
)
def test_accents_are_folded(directory: tuple[Store, People], query: str, who: str) -> None:
    store, people = directory
    assert found(store, query) == {getattr(people, who)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("z", {"Zoé Martin"}),
        ("mar", {"Zoé Martin"}),
        ("Mart", {"Zoé Martin"}),
        ("jür mül", {"Jürgen Müller"}),
        ("w", {"Łukasz Wójcik", "Acme Widgets", "Zoé Martin"}),  # Zoé works at Acme
        ("wó", {"Łukasz Wójcik"}),
        ("zoe wojcik", set()),  # every word must match
        ("zoex", set()),
    ],
)
def test_prefixes(directory: tuple[Store, People], query: str, expected: set[str]) -> None:
    store = directory[0]
    assert names(store, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zm@example.org", {"Zoé Martin"}),
        ("ZM@EXAMPLE.org", {"Zoé Martin"}),
        ("zm", {"Zoé Martin"}),
        ("example.org", {"Zoé Martin"}),
        ("firma", {"Łukasz Wójcik"}),
        ("lukasz@firma.pl", {"Łukasz Wójcik"}),
        ("@firma", {"Łukasz Wójcik"}),
    ],
)
def test_emails(directory: tuple[Store, People], query: str, expected: set[str]) -> None:
    store = directory[0]
    assert names(store, query) == expected


def test_company_name_finds_the_company_and_its_people(directory: tuple[Store, People]) -> None:
    store, people = directory
    assert found(store, "acme") == {people.acme, people.zoe}
    assert found(store, "widg") == {people.acme, people.zoe}
    assert found(store, "acme zoe") == {people.zoe}


def test_tags(directory: tuple[Store, People]) -> None:
    store, people = directory
    assert found(store, "vip") == {people.zoe}
    assert found(store, "VIP client") == {people.zoe}
    assert found(store, "suppl") == {people.lukasz}


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("06 12", "zoe"),
        ("06.12.34", "zoe"),
        ("06-12-34-56-78", "zoe"),
        ("0612345678", "zoe"),
        ("+33 6 12", "zoe"),
        ("+33612345678", "zoe"),
        ("0033 6", "zoe"),
        ("0033 6 12 34 56 78", "zoe"),
        ("612 34", "zoe"),
        ("5678", "zoe"),  # a suffix
        ("56 78", "zoe"),
        ("512 987", "lukasz"),  # Polish numbers have no trunk prefix
        ("+48 512", "lukasz"),
        ("0048 512 987 001", "lukasz"),
        ("7001", "lukasz"),
        ("030 1111", "muller"),
        ("+49 30 1111 2222", "muller"),
        ("0049 30", "muller"),
        ("2222", "muller"),
        ("4455", "muller"),  # the digits of an unparsable number are searchable too
    ],
)
def test_phone_digits_in_any_formatting(
    directory: tuple[Store, People], query: str, who: str
) -> None:
    store, people = directory
    assert found(store, query) == {getattr(people, who)}


def test_phone_search_needs_enough_digits(directory: tuple[Store, People]) -> None:
    store, people = directory
    assert phone_digits("06") is None  # two digits: searched as a word instead
    assert found(store, "06") == {people.zoe}  # the prefix of the indexed national form
    assert phone_digits("06 12") == "0612"
    assert phone_fts_query("0033") == 'phones : ("0033"* OR "33"*)'


def test_rename_updates_search(store: Store, people: People) -> None:
    store.mutate("contact.update", {"id": people.zoe, "first_name": "Chloé"})
    assert found(store, "zoe") == set()
    assert found(store, "chloe") == {people.zoe}
    assert found(store, "Chloé martin") == {people.zoe}


def test_company_rename_updates_its_people(store: Store, people: People) -> None:
    store.mutate("contact.update", {"id": people.acme, "company_name": "Globex"})
    assert found(store, "acme") == set()
    assert found(store, "globex") == {people.acme, people.zoe}


def test_joining_and_leaving_a_company_updates_search(store: Store, people: People) -> None:
    store.mutate("contact.update", {"id": people.muller, "company_id": people.acme})
    assert found(store, "acme") == {people.acme, people.zoe, people.muller}
    store.mutate("contact.update", {"id": people.zoe, "company_id": None})
    assert found(store, "acme") == {people.acme, people.muller}


def test_company_delete_clears_its_people_search(store: Store, people: People) -> None:
    store.mutate("contact.delete", {"id": people.acme})
    assert found(store, "acme") == set()
    assert found(store, "zoe") == {people.zoe}


def test_phone_change_updates_search(store: Store, people: People) -> None:
    store.mutate("contact.update", {"id": people.zoe, "phones": [{"raw": "07 98 76 54 32"}]})
    assert found(store, "06 12") == set()
    assert found(store, "5678") == set()
    assert found(store, "07 98") == {people.zoe}
    assert found(store, "5432") == {people.zoe}
    store.mutate("contact.update", {"id": people.zoe, "phones": []})
    assert found(store, "07 98") == set()


def test_email_change_updates_search(store: Store, people: People) -> None:
    store.mutate("contact.update", {"id": people.zoe, "emails": [{"address": "zm@globex.com"}]})
    assert found(store, "example") == set()
    assert found(store, "globex") == {people.zoe}


def test_tag_changes_update_search(store: Store, people: People) -> None:
    store.mutate("tag.rename", {"old": "VIP client", "new": "key account"})
    assert found(store, "vip") == set()
    assert found(store, "key account") == {people.zoe}
    store.mutate("contact.tag", {"ids": [people.lukasz, people.muller], "tags": ["key account"]})
    assert found(store, "key") == {people.zoe, people.lukasz, people.muller}
    store.mutate("contact.update", {"id": people.zoe, "tags": []})
    assert found(store, "key") == {people.lukasz, people.muller}


def test_delete_removes_from_results(store: Store, people: People) -> None:
    store.mutate("contact.delete", {"id": people.zoe})
    for query in ("zoe", "martin", "vip", "example.org", "06 12", "5678"):
        assert found(store, query) == set(), query
    assert found(store, "acme") == {people.acme}
    with store.read() as session:
        left = session.execute(text("SELECT count(*) FROM contact_search")).scalar_one()
    assert left == 3


def test_paging_through_many_hits(store: Store) -> None:
    made = {
        store.mutate("contact.create", {"first_name": f"Anna{n:02d}", "last_name": "Kowalska"})
        for n in range(25)
    }
    seen: list[str] = []
    after = None
    with store.read() as session:
        while True:
            page = search_contacts(connection_of(session), "kowal", after=after, limit=10)
            seen.extend(row.id for row in page.rows)
            if page.next_key is None:
                break
            after = page.next_key
    assert len(seen) == len(made)
    assert set(seen) == made
    assert seen == sorted(seen, reverse=True)  # newest first


def activity_hits(store: Store, query: str) -> set[str]:
    match = fts_query(query)
    if match is None:
        return set()
    with store.read() as session:
        rows = session.execute(
            text(
                "SELECT s.activity_id FROM activity_fts JOIN activity_search s "
                "ON s.rowid = activity_fts.rowid WHERE activity_fts MATCH :m"
            ),
            {"m": match},
        )
        return set(rows.scalars())


def test_activity_search(store: Store, people: People) -> None:
    call = store.mutate(
        "activity.create",
        {"type": "call", "subject": "Relance devis", "details": "Zoé veut une remise"},
    )
    note = store.mutate("activity.create", {"type": "note", "subject": "Spotkanie w Łodzi"})
    assert activity_hits(store, "devis") == {call}
    assert activity_hits(store, "zoe remise") == {call}
    assert activity_hits(store, "Łodzi") == {note}  # as written
    assert activity_hits(store, "łodz") == {note}
    assert activity_hits(store, "spot") == {note}

    store.mutate("activity.update", {"id": call, "subject": "Facture envoyée", "details": ""})
    assert activity_hits(store, "devis") == set()
    assert activity_hits(store, "envoyee") == {call}

    store.mutate("activity.delete", {"id": note})
    assert activity_hits(store, "Łodzi") == set()
    assert activity_hits(store, 'AND OR NOT " * ( )') == set()


HOSTILE = [
    "AND",
    "OR",
    "NOT",
    "and or not",
    '"',
    '""',
    '"zoe',
    "*",
    "zoe*",
    "-",
    "-zoe",
    "(",
    ")",
    "(zoe",
    "NEAR",
    "NEAR(a b)",
    "NEAR(zoe martin, 2)",
    "^",
    "^zoe",
    ":",
    "name:zoe",
    "name : zoe",
    "{name emails}: zoe",
    "+",
    "+++",
    "00",
    "'; DROP TABLE contact; --",
    "\x00",
    "\\",
    "",
    " ",
    "\t\n ",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_text_never_raises(directory: tuple[Store, People], query: str) -> None:
    store = directory[0]
    with store.read() as session:
        page = search_contacts(connection_of(session), query)
    assert len(page.rows) <= 4
    assert names(store, "zoe") == {"Zoé Martin"}  # nothing was dropped


def test_operators_are_plain_words(directory: tuple[Store, People]) -> None:
    store = directory[0]
    assert names(store, "zoe*") == {"Zoé Martin"}
    assert names(store, "-zoe") == {"Zoé Martin"}
    assert names(store, "zoe NOT martin") == set()  # "not" is a word here, not an operator
    assert names(store, "NEAR(zoe martin)") == set()


def test_ten_kilobytes_of_random_text(directory: tuple[Store, People]) -> None:
    store = directory[0]
    rng = random.Random(20261123)
    alphabet = "abcdefghijklmnopqrstuvwxyzŁłéüß0123456789 \"*()-^:+.@'\\NEAROT"
    for _ in range(3):
        blob = "".join(rng.choice(alphabet) for _ in range(10_000))
        with store.read() as session:
            search_contacts(connection_of(session), blob)
    with store.read() as session:
        search_contacts(connection_of(session), "0" * 10_000)
        search_contacts(connection_of(session), "1 " * 5_000)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_text_is_a_valid_query(directory: tuple[Store, People], query: str) -> None:
    with directory[0].read() as session:
        page = search_contacts(connection_of(session), query)
    assert len(page.rows) <= 4
    match = fts_query(query)
    assert match is None or match.startswith("(")
