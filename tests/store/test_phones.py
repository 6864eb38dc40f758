"""Phone numbers: normalised against a region, kept raw when they do not parse."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crmtui.store import Store
from crmtui.store.models import ContactPhone
from crmtui.store.phones import format_for_display, is_phone_query, normalise, only_digits

FR_MOBILE = ("+33612345678", "612345678")
FR_PARIS = ("+33142685300", "142685300")
PL_MOBILE = ("+48512345678", "512345678")
PL_WARSAW = ("+48221234567", "221234567")
DE_BERLIN = ("+493012345678", "3012345678")
DE_MOBILE = ("+4915123456789", "15123456789")
US_DC = ("+12025550123", "2025550123")

NUMBERS = [
    # France
    ("0612345678", "FR", FR_MOBILE),
    ("06 12 34 56 78", "FR", FR_MOBILE),
    ("06.12.34.56.78", "FR", FR_MOBILE),
    ("06-12-34-56-78", "FR", FR_MOBILE),
    ("+33 6 12 34 56 78", "FR", FR_MOBILE),
    ("+33612345678", "FR", FR_MOBILE),
    ("0033612345678", "FR", FR_MOBILE),
    ("00 33 6 12 34 56 78", "FR", FR_MOBILE),
    ("+33 (0)6 12 34 56 78", "FR", FR_MOBILE),
    ("01 42 68 53 00", "FR", FR_PARIS),
    ("  01.42.68.53.00  ", "FR", FR_PARIS),
    ("+33 6 12 34 56 78", "PL", FR_MOBILE),  # international form ignores the region
    ("0033 6 12 34 56 78", "US", FR_MOBILE),  # a 00 prefix is international everywhere
    # Poland (no trunk prefix)
    ("512345678", "PL", PL_MOBILE),
    ("512 345 678", "PL", PL_MOBILE),
    ("512-345-678", "PL", PL_MOBILE),
    ("512.345.678", "PL", PL_MOBILE),
    ("+48 512 345 678", "PL", PL_MOBILE),
    ("0048512345678", "PL", PL_MOBILE),
    ("0048 512-345-678", "FR", PL_MOBILE),
    ("22 123 45 67", "PL", PL_WARSAW),
    ("+48 22 123 45 67", "DE", PL_WARSAW),
    # Germany
    ("030 12345678", "DE", DE_BERLIN),
    ("030-1234-5678", "DE", DE_BERLIN),
    ("030.1234.5678", "DE", DE_BERLIN),
    ("+49 30 12345678", "DE", DE_BERLIN),
    ("+49 (0)30 12345678", "DE", DE_BERLIN),
    ("0049 30 12345678", "DE", DE_BERLIN),
    ("0049 30 12345678", "FR", DE_BERLIN),
    ("0151 23456789", "DE", DE_MOBILE),
    ("+49 151 2345 6789", "PL", DE_MOBILE),
    # United States
    ("(202) 555-0123", "US", US_DC),
    ("202-555-0123", "US", US_DC),
    ("202.555.0123", "US", US_DC),
    ("202 555 0123", "US", US_DC),
    ("1 202 555 0123", "US", US_DC),
    ("+1 202 555 0123", "US", US_DC),
    ("+1-202-555-0123", "FR", US_DC),
    ("001 202 555 0123", "US", US_DC),
    ("001 (202) 555-0123", "DE", US_DC),
]


@pytest.mark.parametrize(("raw", "region", "expected"), NUMBERS)
def test_normalise(raw: str, region: str, expected: tuple[str, str]) -> None:
    e164, digits = expected
    phone = normalise(raw, region)
    assert phone.valid
    assert phone.e164 == e164
    assert phone.digits == digits
    assert phone.digits_rev == digits[::-1]
    assert phone.raw == raw.strip()


def test_region_is_case_insensitive() -> None:
    assert normalise("06 12 34 56 78", "fr").e164 == FR_MOBILE[0]


def test_same_digits_differ_by_region() -> None:
    assert normalise("0612345678", "FR").e164 == "+33612345678"
    assert normalise("0612345678", "PL").e164 != "+33612345678"


GARBAGE = [
    "hello",
    "call me",
    "123",
    "ext 12",
    "06 12 34",  # too short
    "0612345678901234",  # too long
    "+999 1234",  # no such country code
    "+1 123 456 7890",  # possible length, but no US area code starts with 1
    "+33 0 12 34 56 78",  # a French number never starts 0 after +33
    "00",
    "+",
    "",
]


@pytest.mark.parametrize("raw", GARBAGE)
def test_garbage_is_kept_and_flagged(raw: str) -> None:
    phone = normalise(raw, "FR")
    assert phone.valid is False
    assert phone.e164 is None
    assert phone.raw == raw
    assert set(phone.digits) <= set("0123456789")


def test_garbage_keeps_every_digit_typed() -> None:
    phone = normalise("ask for 12-34 at reception", "FR")
    assert phone.digits == "1234"
    assert phone.digits_rev == "4321"


def test_unknown_region_flags_national_numbers() -> None:
    phone = normalise("06 12 34 56 78", "XX")
    assert (phone.valid, phone.e164, phone.raw) == (False, None, "06 12 34 56 78")


def test_garbage_survives_contact_create(store: Store) -> None:
    contact_id = store.mutate(
        "contact.create",
        {
            "first_name": "Zoé",
            "phones": [
                {"raw": "call the switchboard"},
                {"raw": "06 12 34 56 78", "label": "mobile"},
                {"raw": "+999 1234"},
            ],
        },
    )
    with store.read() as session:
        rows = session.exec(
            select(ContactPhone)
            .where(ContactPhone.contact_id == contact_id)
            .order_by(ContactPhone.position)
        ).all()
    assert [(r.raw, r.valid, r.e164) for r in rows] == [
        ("call the switchboard", False, None),
        ("06 12 34 56 78", True, "+33612345678"),
        ("+999 1234", False, None),
    ]
    assert rows[1].label == "mobile"
    assert rows[1].digits == "612345678"
    assert rows[2].digits == "9991234"


def test_contact_create_uses_the_store_region(store: Store) -> None:
    store.mutate("setting.set", {"key": "default_region", "value": "pl"})
    contact_id = store.mutate(
        "contact.create", {"last_name": "Nowak", "phones": [{"raw": "512 345 678"}]}
    )
    with store.read() as session:
        row = session.exec(select(ContactPhone).where(ContactPhone.contact_id == contact_id)).one()
    assert (row.e164, row.valid) == ("+48512345678", True)


@pytest.mark.parametrize(
    ("e164", "region", "shown"),
    [
        ("+33612345678", "FR", "06 12 34 56 78"),
        ("+33612345678", "fr", "06 12 34 56 78"),
        ("+33612345678", "PL", "+33 6 12 34 56 78"),
        ("+48512345678", "PL", "512 345 678"),
        ("+48512345678", "FR", "+48 512 345 678"),
        ("+493012345678", "DE", "030 12345678"),
        ("+493012345678", "US", "+49 30 12345678"),
        ("+12025550123", "US", "(202) 555-0123"),
        ("+12025550123", "DE", "+1 202-555-0123"),
    ],
)
def test_format_for_display(e164: str, region: str, shown: str) -> None:
    assert format_for_display("as typed", e164, region) == shown


def test_format_for_display_without_e164_shows_raw() -> None:
    assert format_for_display("call the switchboard", None, "FR") == "call the switchboard"
    assert format_for_display("", None, "FR") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06 12", True),
        ("+33 6 12", True),
        ("(202) 555-01", True),
        ("612", True),
        ("12", False),  # too few digits to mean a number
        ("zoé", False),
        ("06 12 abc", False),
        ("", False),
        ("   ", False),
    ],
)
def test_is_phone_query(text: str, expected: bool) -> None:
    assert is_phone_query(text) is expected


def test_only_digits() -> None:
    assert only_digits("+33 (0)6.12-34") == "33061234"
    assert only_digits("") == ""
