"""Our own CSV and vCard exports re-import into an identical store.

Contacts are generated full of accents, commas, semicolons, quotes,
backslashes, colons and line breaks, with several phones, e-mails,
addresses and tags, people linked to companies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crmtui.exchange.csv_import import contact_handler, import_opened, open_contacts
from crmtui.exchange.export import export
from crmtui.exchange.headers import LABELS

from .helpers import Stores, dump

ALPHABET = st.characters(
    codec="utf-8",
    categories=("Lu", "Ll", "Nd", "Zs", "Po", "Pd", "Ps", "Pe", "Sc", "Sm"),
    include_characters="\n,;\"'\\:éèàçÉŁłżśŒœßüöÄñ€",
    exclude_characters="\r\x85\u2028\u2029",
)
TEXT = st.text(ALPHABET, min_size=1, max_size=24).filter(lambda s: s.strip())
MAYBE = st.one_of(st.just(""), TEXT)
LINE = TEXT.filter(lambda s: "\n" not in s)
PHONES = st.sampled_from(
    [
        "+33 6 12 34 56 78",
        "01 45 67 89 10",
        "+48 601 234 567",
        "0044 20 7946 0958",
        "(555) 010-9999",
        "12",
        "ext. 42",
        "+1;2,3",
    ]
)
EMAILS = st.from_regex(r"[a-z0-9._%+-]{1,8}@[a-z0-9-]{1,8}\.[a-z]{2,4}", fullmatch=True)
LABEL = st.sampled_from(LABELS)
ADDRESS = st.fixed_dictionaries(
    {
        "label": LABEL,
        "street": TEXT,
        "postcode": st.sampled_from(["", "75001", "00-950"]),
        "city": MAYBE,
        "region": MAYBE,
        "country": st.sampled_from(["", "FR", "PL", "DE"]),
    }
)


@st.composite
def contact(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    args: dict[str, Any] = {"kind": kind}
    if kind == "company":
        args["company_name"] = draw(TEXT)
    else:
        args["first_name"], args["last_name"] = draw(MAYBE), draw(TEXT)
    for key in ("title", "website", "description"):
        args[key] = draw(MAYBE)
    args["temperature"] = draw(st.one_of(st.none(), LINE))
    args["currency"] = draw(st.sampled_from([None, "EUR", "PLN", "USD"]))
    args["access"] = draw(st.sampled_from(["private", "public_ro", "public_rw"]))
    args["social"] = draw(st.dictionaries(st.sampled_from(["x", "linkedin"]), LINE, max_size=2))
    args["phones"] = [
        {"raw": r, "label": lb} for r, lb in draw(st.lists(st.tuples(PHONES, LABEL), max_size=3))
    ]
    args["emails"] = [
        {"address": a, "label": lb}
        for a, lb in draw(st.lists(st.tuples(EMAILS, LABEL), max_size=3, unique_by=lambda t: t[0]))
    ]
    args["addresses"] = draw(st.lists(ADDRESS, max_size=3))
    args["tags"] = draw(st.lists(LINE, max_size=3))
    return args


@st.composite
def stores_content(draw: st.DrawFn) -> list[dict[str, Any]]:
    companies = draw(st.lists(contact("company"), max_size=2))
    people = draw(st.lists(contact("person"), min_size=1, max_size=4))
    for i, company in enumerate(companies):
        company["id"] = f"00000000-0000-7000-8000-{i:012d}"
    for person in people:
        if companies and draw(st.booleans()):
            person["company_id"] = draw(st.sampled_from(companies))["id"]
    return companies + people


def _round_trip(stores: Stores, contacts: list[dict[str, Any]], tmp: Path, fmt: str) -> None:
    source, target = stores.new(), stores.new()
    try:
        source.mutate_many([("contact.create", c) for c in contacts])
        path = tmp / f"contacts{stores.count}.{fmt}"
        assert export(source, "contacts", fmt, path) == len(dump(source))
        opened = open_contacts(path)
        summary = import_opened(target, opened, contact_handler(opened, "skip"))
        assert summary.counts["rejected"] == 0, summary.rejected
        assert dump(target) == dump(source)
    finally:
        source.close()
        target.close()


SETTINGS = settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(contacts=stores_content())
def test_csv_export_reimports_identically(
    stores: Stores, tmp_path: Path, contacts: list[dict[str, Any]]
) -> None:
    _round_trip(stores, contacts, tmp_path, "csv")


@SETTINGS
@given(contacts=stores_content())
def test_vcard_export_reimports_identically(
    stores: Stores, tmp_path: Path, contacts: list[dict[str, Any]]
) -> None:
    _round_trip(stores, contacts, tmp_path, "vcard")
