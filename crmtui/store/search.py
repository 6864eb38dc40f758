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
    """The FTS5 MATCH expression for ``text``, or None when nothing is searchable."""
    words = terms(text)
    if not words:
        return None
    prefix = f"{column} : " if column else ""
    return prefix + "(" + " AND ".join(f'"{w}"*' for w in words) + ")"


def phone_digits(text: str) -> str | None:
    """The digits to look for when ``text`` looks like part of a phone number."""
    return only_digits(text) if is_phone_query(text) else None
