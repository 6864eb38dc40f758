"""Number matching: the order E.164, national, unique suffix; never on fewer than 6."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmtui.store import Store
from crmtui.store.queries.calls import PhoneLookup
from crmtui.telephony.matching import Matcher, NumberBook, classify

from .helpers import contact

# (stored as typed, store region), then incoming forms with the region calls arrive in.
TABLE = [
    (
        "06 12 34 56 78",
        "FR",
        [
            ("0612345678", "FR"),
            ("06 12 34 56 78", "FR"),
            ("06-12-34-56-78", "FR"),
            ("+33612345678", "FR"),
            ("+33 6 12 34 56 78", "PL"),
            ("0033612345678", "FR"),
            ("00 33 6 12 34 56 78", "DE"),
            ("0033-6-12-34-56-78", "US"),
        ],
    ),
    (
        "+48 512 345 678",
        "FR",
        [
            ("512345678", "PL"),
            ("512 345 678", "PL"),
            ("512-345-678", "PL"),
            ("+48512345678", "FR"),
            ("0048512345678", "FR"),
            ("0048 512 345 678", "US"),
            ("+48 512-345-678", "DE"),
        ],
    ),
    (
        "030 12345678",
        "DE",
        [
            ("030 12345678", "DE"),
            ("030-1234-5678", "DE"),
            ("+49 30 12345678", "FR"),
            ("0049 30 12345678", "PL"),
            ("00493012345678", "US"),
            ("+49-30-1234-5678", "DE"),
        ],
    ),
    (
        "(202) 555-0123",
        "US",
        [
            ("202-555-0123", "US"),
            ("202 555 0123", "US"),
            ("(202) 555-0123", "US"),
            ("+1 202 555 0123", "FR"),
            ("001 202 555 0123", "DE"),
            ("0012025550123", "PL"),
            ("1-202-555-0123", "US"),
        ],
    ),
]
CASES = [(stored, sr, raw, cr) for stored, sr, forms in TABLE for raw, cr in forms]


def _set_region(store: Store, region: str) -> None:
    store.mutate("setting.set", {"key": "default_region", "value": region})


@pytest.mark.parametrize(("stored", "store_region", "incoming", "region"), CASES)
def test_every_form_of_a_number_matches_its_contact_exactly(
    store: Store, stored: str, store_region: str, incoming: str, region: str
) -> None:
    _set_region(store, store_region)
    wanted = contact(store, "Owner", stored)
    contact(store, "Someone else", "+44 20 7946 0958")
    with store.read() as session:
        found = Matcher(PhoneLookup(session), region=region).match(incoming)
    assert (found.contact_id, found.how) == (wanted, "e164")


def test_national_number_matches_a_stored_number_without_country(store: Store) -> None:
    # Stored without its country, too short for its region: kept raw, no E.164.
    owner = contact(store, "Raw", "612 345 67")
    with store.read() as session:
        m = Matcher(PhoneLookup(session), region="FR")
        found = m.match("61234567")
        assert (found.contact_id, found.how) == (owner, "national")


def test_same_national_digits_in_another_country_are_another_number(store: Store) -> None:
    contact(store, "French", "06 12 34 56 78")  # national digits 612345678
    with store.read() as session:
        found = Matcher(PhoneLookup(session), region="FR").match("+48 612 345 678")
    assert found.number.e164 == "+48612345678"
    assert found.contact_id is None


def test_unique_suffix_matches_when_the_caller_has_a_prefix(store: Store) -> None:
    owner = contact(store, "Mobile", "06 12 34 56 78")
    with store.read() as session:
        found = Matcher(PhoneLookup(session), region="FR").match("9 0612345678")  # outside line
    assert found.number.e164 is None
    assert (found.contact_id, found.how) == (owner, "suffix")


def test_suffix_match_is_refused_when_ambiguous(store: Store) -> None:
    contact(store, "A", "0612 345 678 1")  # invalid: kept raw
    contact(store, "B", "0712 345 678 1")
    with store.read() as session:
        found = Matcher(PhoneLookup(session), region="FR").match("99 12345678 1")
    assert found.contact_id is None and found.ambiguous


def test_two_different_valid_numbers_never_match_by_suffix(store: Store) -> None:
    contact(store, "Paris", "01 12 34 56 78")  # same last 8 digits as the mobile below
    with store.read() as session:
        found = Matcher(PhoneLookup(session), region="FR").match("06 12 34 56 78")
    assert found.contact_id is None and not found.ambiguous


def test_suffix_length_follows_the_setting_but_never_below_six(store: Store) -> None:
    owner = contact(store, "Short", "12 34 56")  # 6 digits, no E.164
    with store.read() as session:
        lookup = PhoneLookup(session)
        assert Matcher(lookup, region="FR", digits=4).match("99 123456").contact_id == owner
        assert Matcher(lookup, region="FR").match("3456").contact_id is None  # 4 digits
        assert Matcher(lookup, region="FR", digits=3).digits == 6


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("", "withheld"),
        ("anonymous", "withheld"),
        ("Restricted", "withheld"),
        ("-2", "withheld"),
        ("201", "extension"),
        ("12345", "extension"),
        ("0612345678", "external"),
        ("+1 202 555 0123", "external"),
    ],
)
def test_withheld_and_extensions_are_classified(raw: str, kind: str) -> None:
    assert classify(raw, "FR").kind == kind


def test_extension_never_matches_even_a_contact_ending_in_it(store: Store) -> None:
    contact(store, "Ends in 201", "06 12 34 52 01")
    with store.read() as session:
        assert Matcher(PhoneLookup(session), region="FR").match("201").contact_id is None


def test_shared_number_matches_the_oldest_contact_and_says_so(store: Store) -> None:
    first = contact(store, "Acme", "01 42 68 53 00", kind="company")
    contact(store, "Reception", "01 42 68 53 00")
    with store.read() as session:
        found = Matcher(PhoneLookup(session), region="FR").match("+33142685300")
    assert found.contact_id == first and found.ambiguous


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.sampled_from(
        [
            "06 12 34",
            "+48 512 34",
            "0049 151 2345",
            "+1 202 555",
            "07 77 1",
            "0800 12",
            "+33 1 42 68",
        ]
    ),
    tails=st.lists(st.integers(0, 9999), min_size=3, max_size=8),
)
def test_number_book_derives_exactly_what_parsing_gives(prefix: str, tails: list[int]) -> None:
    book = NumberBook("FR")
    for tail in tails:
        raw = f"{prefix} {tail:04d}"
        assert book.classify(raw) == classify(raw, "FR")


def test_a_batch_is_matched_as_each_number_alone(store: Store) -> None:
    """``prime`` (one lookup per step for a whole batch) answers exactly what
    matching the numbers one at a time answers, at every step of the order."""
    contact(store, "Mobile", "06 12 34 56 78")
    contact(store, "Raw", "612 345 67")  # no E.164: national match
    contact(store, "A", "0612 345 678 1")  # two raw numbers sharing a suffix: ambiguous
    contact(store, "B", "0712 345 678 1")
    contact(store, "Acme", "01 42 68 53 00", kind="company")
    contact(store, "Reception", "01 42 68 53 00")  # shared exact number
    contact(store, "Polish", "+48 512 345 678")
    contact(store, "Landline", "01 98 76 54 32")  # dialled through an outside-line prefix
    incoming = [
        "9 0198765432",
        "06 12 34 56 78", "+33612345678", "0033 6 12 34 56 78", "61234567", "9 0612345678",
        "99 12345678 1", "+33142685300", "+48 512 345 678", "0048512345678", "+48 612 345 678",
        "07 99 99 99 99", "201", "anonymous", "12345678",
    ]  # fmt: skip
    with store.read() as session:
        lookup = PhoneLookup(session)
        alone = [Matcher(lookup, region="FR").match(raw) for raw in incoming]
        batch = Matcher(lookup, region="FR")
        batch.prime(batch.book.classify(raw) for raw in incoming)
        assert len(batch._cache) >= 8  # answered by the batch, not one by one below
        together = [batch.match(raw) for raw in incoming]
    assert together == alone
    assert {m.how for m in alone} == {"e164", "national", "suffix", ""}
    assert any(m.ambiguous and m.contact_id is None for m in alone)
