"""Text folding shared by sorting and search."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_EXTRA = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "\u0131": "i",  # the dotless i
    }
)


# The combining accents of Latin letters (U+034F, the grapheme joiner, is not
# one: its combining class is 0).
_LATIN_ACCENTS = re.compile("[\u0300-\u034e\u0350-\u036f]")


def fold(text: str) -> str:
    """Lower-case, accent-free text: ``"Łukasz Müller"`` -> ``"lukasz muller"``."""
    if text.isascii():  # NFKD and the table change nothing; casefold is lower
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = _LATIN_ACCENTS.sub("", decomposed)
    if not stripped.isascii():  # other scripts: drop every combining mark
        stripped = "".join(ch for ch in stripped if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
