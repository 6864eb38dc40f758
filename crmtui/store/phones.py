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


# --- Memoised normalisation, for imports of millions of numbers -------------

_MASK_DIGITS = str.maketrans("0123456789", "#" * 10)
_DROP_NON_DIGITS = str.maketrans("", "", "".join(chr(c) for c in range(128) if not 48 <= c <= 57))
_TAIL = 4  # digits a number block leaves free
_PROBES = (5173, 8642)  # other tails tried before a block is trusted


class BlockMemo:
    """:func:`normalise` for one region, memoised by number block.

    Parsing costs tens of microseconds a number. Numbers typed alike that
    differ only in their last four digits (one block: ``06 12 34 ## ##``)
    normalise alike: same validity, and the same E.164 and national digits but
    for those four. The first number of a block is parsed, two more with other
    last digits must come out as derived, and the rest of the block is then
    derived without parsing; a block that does not behave (an extension, a
    plan that decides on the last digits) is always parsed, as is a number with
    fewer than eight digits or with anything but ASCII in it.
    """

    def __init__(self, region: str, limit: int = 100_000) -> None:
        self.region = region
        self.limit = limit  # blocks remembered; forgotten all at once beyond
        self._blocks: dict[tuple[str, str], tuple[str | None, str, bool] | None] = {}

    def __call__(self, raw: str) -> Phone:
        text = (raw or "").strip()
        if not text.isascii():
            return normalise(text, self.region)
        digits = text.translate(_DROP_NON_DIGITS)
        if len(digits) < 8:
            return normalise(text, self.region)
        key = (text.translate(_MASK_DIGITS), digits[:-_TAIL])
        tail = digits[-_TAIL:]
        blocks = self._blocks
        if key in blocks:
            template = blocks[key]
        else:
            if len(blocks) >= self.limit:
                blocks.clear()
            template = blocks[key] = self._learn(text, tail)
        if template is None:
            return normalise(text, self.region)
        e164, national, valid = template
        return Phone(text, e164 and e164 + tail, national + tail, valid)

    def _learn(self, text: str, tail: str) -> tuple[str | None, str, bool] | None:
        real = normalise(text, self.region)
        if not _ends_with(real, tail):
            return None
        template = (real.e164 and real.e164[:-_TAIL], real.digits[:-_TAIL], real.valid)
        for shift in _PROBES:
            other = f"{(int(tail) + shift) % 10**_TAIL:0{_TAIL}d}"
            probe_text = _with_tail(text, other)
            probe = normalise(probe_text, self.region)
            e164, national, valid = template
            if probe != Phone(probe_text, e164 and e164 + other, national + other, valid):
                return None
        return template


def _ends_with(phone: Phone, tail: str) -> bool:
    return phone.digits.endswith(tail) and (phone.e164 is None or phone.e164.endswith(tail))


def _with_tail(text: str, tail: str) -> str:
    """``text`` with its last four ASCII digits replaced by ``tail``."""
    chars = list(text)
    positions = [i for i, ch in enumerate(chars) if "0" <= ch <= "9"][-_TAIL:]
    for i, digit in zip(positions, tail, strict=True):
        chars[i] = digit
    return "".join(chars)


_memos: dict[str, BlockMemo] = {}


def normalise_cached(raw: str, region: str = "FR") -> Phone:
    """:func:`normalise`, the same result, through a per-region :class:`BlockMemo`
    shared by the process (for imports and call logs: many numbers per block)."""
    memo = _memos.get(region)
    if memo is None:
        memo = _memos[region] = BlockMemo(region.upper())
    return memo(raw)
