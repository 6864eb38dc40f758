"""Faster implementations give exactly what the plain ones give: text folding
(sort keys, search) and the name-based UUIDs of child rows and imports."""

from __future__ import annotations

import unicodedata
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from crmtui.store.mutations.args import child_id, name_id, uuid5_text
from crmtui.store.text import _EXTRA, fold

_CHILD_NS = uuid.UUID("0b6f7a52-7a0e-4d5e-9a49-5f1c0a3c9c11")


def _fold_reference(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


NAMES = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from("ŁłßæœŒİıéèêëçñøÅÆ\u0301\u0308\u034f\u0327 \t\nﬁǄ"),
    ),
    max_size=30,
)


@settings(max_examples=2000)
@given(NAMES)
def test_fold_is_the_plain_definition(text: str) -> None:
    assert fold(text) == _fold_reference(text)


def test_fold_examples() -> None:
    assert fold("Łukasz Müller") == "lukasz muller"
    assert fold("  Zoé   LEFÈVRE ") == "zoe lefevre"
    assert fold("Gr\u034füße") == _fold_reference("Gr\u034füße")  # the joiner stays


@settings(max_examples=1000)
@given(st.binary(min_size=16, max_size=16), st.text())
def test_uuid5_text_is_uuid5(namespace: bytes, name: str) -> None:
    assert uuid5_text(namespace, name) == str(uuid.uuid5(uuid.UUID(bytes=namespace), name))


def test_child_and_name_ids_keep_their_values() -> None:
    assert child_id("c1", "phone", 0) == str(uuid.uuid5(_CHILD_NS, "c1:phone:0"))
    assert name_id("tag", " VIP ") == str(uuid.uuid5(_CHILD_NS, "tag:vip"))
