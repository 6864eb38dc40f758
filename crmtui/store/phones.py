"""Phone numbers: kept as typed, normalised with ``phonenumbers``.

Every number keeps its ``raw`` text. When it parses against the default region
it also gets an E.164 form, and always a digits-only form of its national
significant number, reversed (``digits_rev``) so that "ends with these digits"
is an index range scan. A number that does not parse is flagged
(``valid=False``) and kept, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

_NON_DIGITS = re.compile(r"\D+")
# Fewer digits than this can never identify a caller (DESIGN.md section 5).
MIN_MATCH_DIGITS = 6


@dataclass(frozen=True, slots=True)
class Phone:
    raw: str
    e164: str | None
    digits: str
    valid: bool

    @property
    def digits_rev(self) -> str:
        return self.digits[::-1]


def only_digits(text: str) -> str:
    return _NON_DIGITS.sub("", text or "")


def normalise(raw: str, region: str = "FR") -> Phone:
    """Parse ``raw`` as a number dialled from ``region``.

    ``00`` international prefixes, spaces, dots, dashes and brackets are all
    accepted; ``digits`` is the national significant number when the number
    parses, else every digit typed.
    """
    text = (raw or "").strip()
    candidate = "+" + text[2:] if text.startswith("00") else text
    try:
        number = phonenumbers.parse(candidate, region.upper())
    except NumberParseException:
        return Phone(text, None, only_digits(text), False)
    if not phonenumbers.is_possible_number(number):
        return Phone(text, None, only_digits(text), False)
    valid = phonenumbers.is_valid_number(number)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    return Phone(text, e164 if valid else None, national, valid)


def format_for_display(raw: str, e164: str | None, region: str = "FR") -> str:
    """National format for numbers of ``region``, international otherwise."""
    if not e164:
        return raw
    number = phonenumbers.parse(e164, None)
    own = phonenumbers.region_code_for_number(number) == region.upper()
    style = PhoneNumberFormat.NATIONAL if own else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def is_phone_query(text: str) -> bool:
    """True when a search looks like part of a phone number, e.g. ``06 12-3``."""
    stripped = text.strip()
    return (
        bool(stripped)
        and re.fullmatch(r"[+\d\s().\-/]+", stripped) is not None
        and (len(only_digits(stripped)) >= 3)
    )
