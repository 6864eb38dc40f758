"""Who is calling: a remote number matched to a contact (DESIGN.md section 5).

Order, first hit wins:

1. exact E.164 (the number normalised against the default region);
2. the national number: the stored national digits equal the caller's, where
   one side has no valid E.164 (a number typed without its country, a PBX
   that strips the ``+``); two different valid E.164s are never the same;
3. a unique match on the last N digits (setting ``call_match_digits``,
   default 8), with the same compatibility rule; never on fewer than 6.

Withheld numbers and internal extensions (fewer than 6 digits) are never
matched and never create contacts. Several contacts sharing one exact number
match the oldest (and say so); an ambiguous national or suffix match matches
nobody, since a wrong name on a call is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ..store.phones import MIN_MATCH_DIGITS, normalise, only_digits
from ..store.queries.calls import PhoneLookup

# What PBXs and phones put where a number would be when the caller hid it.
WITHHELD = frozenset(
    {
        "",
        "anonymous",
        "restricted",
        "private",
        "unknown",
        "unavailable",
        "withheld",
        "-1",
        "-2",
        "-3",
        "-4",
    }
)
LOOKUP_LIMIT = 20  # phones read per national or suffix lookup; more means ambiguous
NumberKind = Literal["external", "extension", "withheld"]
How = Literal["e164", "national", "suffix", ""]


@dataclass(frozen=True, slots=True)
class Number:
    """A remote number as a source gave it, classified."""

    raw: str
    kind: NumberKind
    e164: str | None = None
    digits: str = ""  # every digit given, prefixes included
    national: str = ""  # national significant number when it parses


@dataclass(frozen=True, slots=True)
class Match:
    number: Number
    contact_id: str | None = None
    how: How = ""
    ambiguous: bool = False  # several contacts fit


def classify(raw: str, region: str, *, withheld: bool = False) -> Number:
    """Withheld, an internal extension, or an external number with its forms."""
    text = (raw or "").strip()
    digits = only_digits(text)
    if withheld or text.casefold() in WITHHELD or not digits:
        return Number(text, "withheld")
    if len(digits) < MIN_MATCH_DIGITS and not text.startswith("+"):
        return Number(text, "extension", digits=digits)
    phone = normalise(text, region)
    e164, national = phone.e164, phone.digits
    if e164 is None and not text.startswith(("+", "00")) and len(digits) >= 8:
        # Some PBXs drop the "+" of international numbers (fusionpbx#5138).
        retry = normalise("+" + digits, region)
        if retry.e164:
            e164, national = retry.e164, retry.digits
    return Number(text, "external", e164, digits, national)


_PLAIN = re.compile(r"^\+?[\d\s.\-/()]+$")


class NumberBook:
    """:func:`classify`, memoised for imports that see a million numbers.

    Parsing costs ~100 us. Numbers written alike that differ only in their
    last four digits (one block, like ``06 12 34 ## ##``) classify alike:
    same kind and validity, E.164 and national forms ending in those digits.
    So the first number of a block is parsed, a second one checks that the
    block behaves, and the rest are derived; a block that does not behave is
    always parsed. Only plain numbers (digits, spaces, ``+ . - / ( )``) are
    derived; anything else is parsed every time.
    """

    def __init__(self, region: str, size: int = 200_000) -> None:
        self.region = region
        self.size = size
        self._blocks: dict[str, tuple[Number, str, bool] | None] = {}

    def classify(self, raw: str, *, withheld: bool = False) -> Number:
        text = (raw or "").strip()
        digits = only_digits(text)
        if withheld or len(digits) < 8 or "(0)" in text or not _PLAIN.match(text):
            return classify(text, self.region, withheld=withheld)
        key = ("+" if text.startswith(("+", "00")) else "") + digits[:-4]
        tail = digits[-4:]
        block = self._blocks.get(key, ())
        if block is None:
            return classify(text, self.region)
        if block == ():
            if len(self._blocks) >= self.size:
                self._blocks.clear()
            number = classify(text, self.region)
            self._blocks[key] = (number, tail, False) if _ends(number, tail) else None
            return number
        first, first_tail, trusted = block  # type: ignore[misc]
        derived = _derive(first, text, digits, tail)
        if not trusted:
            number = classify(text, self.region)
            self._blocks[key] = (first, first_tail, True) if number == derived else None
            return number
        return derived


def _ends(number: Number, tail: str) -> bool:
    forms = (number.digits, number.national, number.e164 or tail)
    return number.kind == "external" and all(f.endswith(tail) for f in forms)


def _derive(first: Number, text: str, digits: str, tail: str) -> Number:
    return Number(
        text,
        first.kind,
        first.e164[:-4] + tail if first.e164 else None,
        digits,
        first.national[:-4] + tail,
    )


def _compatible(rows: list[tuple[str, str | None]], e164: str | None) -> list[str]:
    """Contacts of ``rows`` that may hold the caller's number: two valid,
    different E.164 numbers are different numbers whatever their digits."""
    ids = {cid for cid, stored in rows if stored is None or e164 is None or stored == e164}
    return sorted(ids)


Rows = list[tuple[str, str | None]]


class Matcher:
    """Matches numbers for one region; remembers answers (an import sees the
    same numbers again and again). Create one per import or per session.

    :meth:`prime` runs the matching order for a whole batch of numbers, each
    step one statement for all the numbers still unsettled; matching a single
    number is priming a batch of one."""

    def __init__(
        self, lookup: PhoneLookup, *, region: str, digits: int = 8, cache_size: int = 200_000
    ) -> None:
        self.lookup = lookup
        self.region = region.upper()
        self.digits = max(MIN_MATCH_DIGITS, int(digits))
        self.book = NumberBook(self.region)
        self._cache: dict[str, Match] = {}
        self._cache_size = cache_size

    def match(self, raw: str, *, withheld: bool = False) -> Match:
        return self.match_number(self.book.classify(raw, withheld=withheld))

    def match_number(self, number: Number) -> Match:
        """Match a classified number; every form of one number shares one answer."""
        if number.kind != "external":
            return Match(number)
        key = _key(number)
        found = self._cache.get(key)
        if found is None:
            self.prime((number,))
            found = self._cache[key]
        return found if found.number == number else replace(found, number=number)

    def forget(self) -> None:
        """Drop remembered answers (contacts changed under us)."""
        self._cache.clear()

    def prime(self, numbers: Iterable[Number]) -> None:
        """Match every external number of ``numbers`` not answered yet, and
        remember the answers: exact E.164, then the national number, then the
        unique suffix, each step one lookup for the numbers still unsettled."""
        todo: dict[str, Number] = {}
        for number in numbers:
            if number.kind == "external":
                key = _key(number)
                if key not in self._cache:
                    todo.setdefault(key, number)
        if not todo:
            return
        if len(self._cache) + len(todo) > self._cache_size:
            self.forget()
        answers: dict[str, Match] = {}
        self._by_e164(todo, answers)
        self._by_national(todo, answers)
        self._by_suffix(todo, answers)
        self._cache.update(answers)

    def _by_e164(self, todo: dict[str, Number], answers: dict[str, Match]) -> None:
        wanted = list(dict.fromkeys(n.e164 for n in todo.values() if n.e164))
        if len(wanted) == 1:
            ids = self.lookup.by_e164(wanted[0])
            found = {wanted[0]: ids} if ids else {}
        else:
            found = self.lookup.by_e164_many(wanted)
        for key, number in list(todo.items()):
            held = found.get(number.e164) if number.e164 else None
            if held:
                answers[key] = Match(number, held[0], "e164", len(held) > 1)
                del todo[key]

    def _by_national(self, todo: dict[str, Number], answers: dict[str, Match]) -> None:
        tries = {key: _national_forms(number) for key, number in todo.items()}
        wanted = list(dict.fromkeys(form for forms in tries.values() for form in forms))
        found = self._rows(self.lookup.by_digits, self.lookup.by_digits_many, wanted)
        for key, forms in tries.items():
            number = todo[key]
            for form in forms:
                match = self._unique(number, found.get(form, []))
                if match.contact_id or match.ambiguous:
                    answers[key] = replace(match, how="national") if match.contact_id else match
                    del todo[key]
                    break

    def _by_suffix(self, todo: dict[str, Number], answers: dict[str, Match]) -> None:
        tails: dict[str, str] = {}
        for key, number in todo.items():
            size = min(self.digits, len(number.digits))
            if size < MIN_MATCH_DIGITS:
                answers[key] = Match(number)
            else:
                tails[key] = number.digits[-size:]
        wanted = list(dict.fromkeys(tails.values()))
        found = self._rows(self.lookup.by_suffix, self.lookup.by_suffix_many, wanted)
        for key, tail in tails.items():
            match = self._unique(todo[key], found.get(tail, []))
            answers[key] = replace(match, how="suffix") if match.contact_id else match
        todo.clear()

    @staticmethod
    def _rows(
        one: Callable[[str, int], Rows],
        many: Callable[[Sequence[str], int], dict[str, Rows]],
        wanted: list[str],
    ) -> dict[str, Rows]:
        """Rows per key: the single lookup for one key (a live call), else the batch one."""
        if len(wanted) == 1:
            return {wanted[0]: one(wanted[0], LOOKUP_LIMIT)}
        return many(wanted, LOOKUP_LIMIT) if wanted else {}

    @staticmethod
    def _unique(number: Number, rows: Rows) -> Match:
        """The one contact ``rows`` point to; several, or a full page, is ambiguous."""
        ids = _compatible(rows, number.e164)
        if len(ids) == 1 and len(rows) < LOOKUP_LIMIT:
            return Match(number, ids[0])
        return Match(number, None, "", ambiguous=bool(ids))


def _key(number: Number) -> str:
    """Every form of one number shares one remembered answer."""
    return number.e164 or "digits:" + number.digits


def _national_forms(number: Number) -> list[str]:
    """The national digits to look up, with and without the trunk ``0``."""
    forms = dict.fromkeys((number.national, number.national.lstrip("0")))
    return [form for form in forms if len(form) >= MIN_MATCH_DIGITS]
