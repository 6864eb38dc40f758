"""Finding companies for a person's company picker: name prefixes first, in
name order, then a word inside the name; namesakes come with what sets them
apart; people are never offered."""

from __future__ import annotations

from crmtui.store import Store
from crmtui.store.queries.contacts import companies_named, search_companies
from crmtui.store.sql import connection_of


def company(store: Store, name: str, city: str = "", phone: str = "") -> str:
    args: dict = {"kind": "company", "company_name": name}
    if city:
        args["addresses"] = [{"label": "work", "city": city, "country": "FR"}]
    if phone:
        args["phones"] = [{"raw": phone, "label": "work"}]
    return str(store.mutate("contact.create", args))


def test_prefixes_come_first_in_name_order_then_words_inside_names(store: Store) -> None:
    company(store, "Zeta Dupont")
    company(store, "Dupuis SA")
    company(store, "Dupont SA")
    store.mutate("contact.create", {"first_name": "Jean", "last_name": "Dupont"})
    with store.read() as session:
        names = [h.name for h in search_companies(connection_of(session), "dup")]
        assert names == ["Dupont SA", "Dupuis SA", "Zeta Dupont"]
        assert [h.name for h in search_companies(connection_of(session), "DUPONT")] == [
            "Dupont SA",
            "Zeta Dupont",
        ]
        assert search_companies(connection_of(session), "  ") == []
        assert search_companies(connection_of(session), '"*(') == []


def test_namesakes_are_all_found_with_city_phone_and_people(store: Store) -> None:
    lyon = company(store, "Müller AG", city="Lyon", phone="01 23 45 67 89")
    lille = company(store, "Muller AG", city="Lille")
    store.mutate(
        "contact.create", {"first_name": "Anna", "last_name": "Weber", "company_id": lille}
    )
    with store.read() as session:
        found = {h.id: h for h in companies_named(connection_of(session), "muller ag")}
        assert set(found) == {lyon, lille}
        assert (found[lyon].city, found[lyon].phone, found[lyon].people) == (
            "Lyon",
            "01 23 45 67 89",
            0,
        )
        assert (found[lille].city, found[lille].people) == ("Lille", 1)
        assert companies_named(connection_of(session), "Muller") == []
        assert len(search_companies(connection_of(session), "mull", limit=1)) == 1
