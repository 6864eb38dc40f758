"""Turning whatever a user types into a safe FTS5 query.

Every word becomes a quoted prefix term (``"dup"*``), so FTS5 operators
(``AND``, ``NEAR``, ``-``, ``*``, brackets, quotes) typed by a user are plain
text and any input is a valid query. Words are folded like the index
(``Łukasz`` -> ``lukasz``). Input that looks like part of a phone number is
searched as digits whatever its formatting.
"""

from __future__ import annotations

import re

from .phones import is_phone_query, only_digits
from .text import fold

MAX_TERMS = 12  # a pasted paragraph searches its first words, not all of them
_WORD = re.compile(r"\w+")


def terms(text: str) -> list[str]:
    return _WORD.findall(fold(text[:2000]))[:MAX_TERMS]


def fts_query(text: str, column: str | None = None) -> str | None:
    """The FTS5 MATCH expression for ``text``, or None when nothing is searchable.

    A word whose folded form differs from its spelling (``Łódź`` -> ``lodz``)
    is looked for both ways: contact names are indexed folded too, but other
    text (activity subjects) only as written, where the tokenizer keeps the
    letters Unicode does not decompose (``ł``, ``ø``, ``æ``...).
    """
    groups = []
    for word in _WORD.findall(text[:2000].casefold())[:MAX_TERMS]:
        spellings = dict.fromkeys(f.replace('"', '""') for f in (fold(word), word) if f)
        forms = [f'"{form}"*' for form in spellings]
        groups.append(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
    if not groups:
        return None
    prefix = f"{column} : " if column else ""
    return prefix + "(" + " AND ".join(groups) + ")"


def phone_digits(text: str) -> str | None:
    """The digits to look for when ``text`` looks like part of a phone number."""
    return only_digits(text) if is_phone_query(text) else None


def phone_fts_query(digits: str) -> str:
    """The FTS5 MATCH expression for the digits of a phone search.

    The index holds each number's digits without an international prefix
    (``33612345678``), so digits typed after a ``00`` prefix (``0033 6``) are
    looked for without it too, as well as exactly as typed.
    """
    forms = [digits]
    if digits.startswith("00") and len(digits) > 2:
        forms.append(digits[2:])
    return "phones : (" + " OR ".join(f'"{d}"*' for d in forms) + ")"
