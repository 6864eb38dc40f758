"""Phone numbers as people really type them, in French, Polish and British shapes.

A number is drawn inside a *block* (all its digits but the last four), and a
country has a few hundred blocks per kind of line, the way real numbers
cluster in operators' ranges. That keeps the numbers varied (a block holds
10,000) while letting :class:`~crmtui.store.bulk.PhoneRows` parse one number
per block instead of every number.

National formats (``06 12 34 56 78``, ``601 234 567``, ``020 7946 0123``) are
used for the store's own region only, since that is how the mutation reads a
number without a country code; other countries' numbers are written
``+48 ...`` / ``0048 ...``. A few numbers are garbage (``n/a``, ``0612``,
``voir standard``) and a few are foreign numbers typed without their country
code: both stay raw and flagged, as the mutation keeps them.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ..phones import normalise

GARBAGE = (
    "n/a",
    "0612",
    "voir standard",
    "12",
    "+33 6 12",
    "pas de numéro",
    "brak",
    "ext. 204",
    "tbc",
    "06 12 34 56 78 90 12",
    "000",
    "???",
)

_CC = {"FR": "33", "PL": "48", "GB": "44"}


def _pairs(digits: str) -> str:
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def _fr(nsn: str, national: bool, style: int) -> str:
    if national:
        return (
            "0" + nsn[0] + " " + _pairs(nsn[1:]),
            "0" + nsn[0] + "." + _pairs(nsn[1:]).replace(" ", "."),
            "0" + nsn,
        )[style % 3]
    return (
        "+33 " + nsn[0] + " " + _pairs(nsn[1:]),
        "0033 " + nsn[0] + " " + _pairs(nsn[1:]),
        "+33" + nsn,
    )[style % 3]


def _pl(nsn: str, national: bool, style: int) -> str:
    if nsn[0] in "5678":  # mobile: 601 234 567
        body = f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
        dashed = f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"
    else:  # landline: 22 123 45 67
        body = f"{nsn[:2]} {nsn[2:5]} {nsn[5:7]} {nsn[7:]}"
        dashed = f"({nsn[:2]}) {nsn[2:5]}-{nsn[5:7]}-{nsn[7:]}"
    if national:
        return (body, dashed, nsn)[style % 3]
    return ("+48 " + body, "0048 " + body, "+48" + nsn)[style % 3]


def _gb(nsn: str, national: bool, style: int) -> str:
    if nsn.startswith("20"):  # London: 020 7946 0123
        body = f"{nsn[:2]} {nsn[2:6]} {nsn[6:]}"
    elif nsn.startswith("7"):  # mobile: 07700 900123
        body = f"{nsn[:4]} {nsn[4:]}"
    else:  # 0161 496 0123
        body = f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
    if national:
        return ("0" + body, "0" + nsn, "(0" + body.replace(" ", ") ", 1))[style % 3]
    return ("+44 " + body, "0044 " + body, "+44 (0)" + body)[style % 3]


FORMATTERS: dict[str, Callable[[str, bool, int], str]] = {"FR": _fr, "PL": _pl, "GB": _gb}


_PL_MOBILE = ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")
_PL_AREA = ("22", "12", "42", "71", "61", "58", "91", "52", "81", "32", "85", "17")
_GB_MOBILE = ("7700", "7911", "7723", "7825", "7956", "7412", "7535", "7802")
_GB_AREA = ("20", "161", "113", "121", "131", "141", "117", "151", "191")


def _head(rng: random.Random, country: str, kind: str) -> str:
    """The digits of a block: a number's national significant number minus 4."""
    if country == "FR":  # 9 digits: 6 12 34 | 56 78
        first = rng.choice(("6", "7")) if kind == "mobile" else str(rng.randint(1, 5))
        second = str(rng.randint(3, 9)) if first == "7" else str(rng.randint(0, 9))
        return first + second + f"{rng.randint(0, 999):03d}"
    if country == "PL":  # 9 digits
        prefix = rng.choice(_PL_MOBILE if kind == "mobile" else _PL_AREA)
        return prefix + f"{rng.randint(0, 999):03d}"
    if kind == "drama":  # Ofcom's range for fiction: 020 7946 0000-0999
        return "2079460"
    prefix = rng.choice(_GB_MOBILE if kind == "mobile" else _GB_AREA)
    rest = 6 - len(prefix)
    low = 10 ** (rest - 1) * 2  # local numbers never start with 0 or 1
    return prefix + str(rng.randint(low, 10**rest - 1))


def _valid_head(rng: random.Random, country: str, kind: str) -> str:
    """A block whose numbers are real, assignable ones (checked on two of them)."""
    while True:
        head = _head(rng, country, kind)
        if all(normalise(f"+{_CC[country]}{head}{tail}").valid for tail in ("0000", "9999")):
            return head


class NumberMaker:
    """Draws phone numbers for people of one country, for a store of ``region``."""

    BLOCKS = 300

    def __init__(self, seed: str, region: str) -> None:
        rng = random.Random(f"{seed}:blocks")
        self.region = region
        self.blocks = {
            (country, kind): [_valid_head(rng, country, kind) for _ in range(self.BLOCKS)]
            for country in ("FR", "PL", "GB")
            for kind in ("mobile", "fixed")
        }

    def number(self, rng: random.Random, country: str, kind: str) -> str:
        """A typed number: mostly well formed, sometimes not."""
        roll = rng.random()
        if roll < 0.012:
            return rng.choice(GARBAGE)
        if country == "GB" and roll < 0.08:
            head, tail = "2079460", f"{rng.randint(0, 999):03d}"  # 020 7946 0xxx
        else:
            head = rng.choice(self.blocks[(country, kind)])
            tail = f"{rng.randint(0, 9999):04d}"
        national = country == self.region
        if roll < 0.02 and not national:
            national = True  # typed without its country code: kept raw, flagged
        style = rng.random()
        return FORMATTERS[country](head + tail, national, 0 if style < 0.6 else 1 + (style > 0.8))
