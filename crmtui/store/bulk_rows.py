"""Rows for bulk loads, built exactly as the mutations build them.

:class:`~crmtui.store.table_specs.TableSpec` encodes values
with the columns' own SQLAlchemy types; :class:`PhoneRows` is
:func:`~crmtui.store.mutations.contacts.phone_row` memoised by number block;
:func:`contact_names` is ``display_name`` / ``sort_key``. Used by
:mod:`crmtui.store.bulk` and the demo generators (also in worker processes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from .models import Contact, ContactPhone
from .mutations.args import child_id
from .mutations.contacts import display_name, phone_row, sort_key
from .table_specs import PHONE


def _phone_tuple(p: ContactPhone) -> tuple[Any, ...]:
    return tuple(getattr(p, c) for c in PHONE.columns)


class PhoneRows:
    """:func:`phone_row`, memoised by number block.

    Parsing a number costs ~100 us, too slow for a million of them. Numbers
    that differ only in their last four digits (one block, like ``06 12 34 ##
    ##``) normalise alike: the same validity, and the same E.164, national and
    search forms except those four digits. So the first number of a block is
    parsed for real, a second one with other last digits checks that the block
    behaves, and the rest of the block is derived; a block that does not
    behave (or a number with fewer than eight digits) is always parsed.
    """

    def __init__(self, region: str) -> None:
        self.region = region
        self._blocks: dict[str, tuple[Any, ...] | None] = {}

    def row(self, contact_id: str, position: int, raw: str, label: str) -> tuple[Any, ...]:
        key, tail = _block(raw)
        template = self._blocks.get(key, ()) if key else None
        if template == ():
            template = self._blocks[key] = self._learn(raw, tail)
        if not template:
            return _phone_tuple(phone_row(contact_id, position, raw, label, self.region))
        return _derive(
            template,
            child_id(contact_id, "phone", position),
            contact_id,
            label,
            raw,
            tail,
            position,
        )

    def _learn(self, raw: str, tail: str) -> tuple[Any, ...] | None:
        real = _phone_tuple(phone_row("x", 0, raw, "work", self.region))
        if not _ends_with(real, tail):
            return None
        other = f"{(int(tail) + 5173) % 10_000:04d}"
        probe_raw = _retail(raw, other)
        probe = _phone_tuple(phone_row("x", 0, probe_raw, "work", self.region))
        derived = _derive(real, probe[0], "x", "work", probe_raw, other, 0)
        return real if derived == probe else None


def _block(raw: str) -> tuple[str, str]:
    """(the number with its last four digits masked, those digits), or ("", "")."""
    positions = [i for i, ch in enumerate(raw) if "0" <= ch <= "9"]
    if len(positions) < 8:
        return "", ""
    last = positions[-4:]
    chars = list(raw)
    tail = "".join(chars[i] for i in last)
    for i in last:
        chars[i] = "#"
    return "".join(chars), tail


def _retail(raw: str, tail: str) -> str:
    masked, _ = _block(raw)
    for digit in tail:
        masked = masked.replace("#", digit, 1)
    return masked


def _ends_with(row: tuple[Any, ...], tail: str) -> bool:
    _id, _c, _l, _raw, e164, digits, _rev, forms, _valid, _pos = row
    return (
        digits.endswith(tail)
        and (e164 is None or e164.endswith(tail))
        and all(f.endswith(tail) for f in forms.split(" "))
    )


def _derive(
    t: tuple[Any, ...], row_id: str, contact_id: str, label: str, raw: str, tail: str, position: int
) -> tuple[Any, ...]:
    _id, _c, _l, _raw, e164, digits, _rev, forms, valid, _pos = t
    digits = digits[:-4] + tail
    return (
        row_id,
        contact_id,
        label,
        raw,
        e164 and e164[:-4] + tail,
        digits,
        digits[::-1],
        " ".join(f[:-4] + tail for f in forms.split(" ")),
        valid,
        position,
    )


@dataclass(frozen=True, slots=True)
class _Names:
    """The fields ``display_name`` and ``sort_key`` read, without an ORM row."""

    kind: str
    first_name: str
    last_name: str
    company_name: str


_names_cache: dict[tuple[str, str, str, str], tuple[str, str]] = {}


def contact_names(kind: str, first: str, last: str, company: str) -> tuple[str, str]:
    """(display_name, sort_key) exactly as ``contact.create`` computes them."""
    key = (kind, first, last, company)
    found = _names_cache.get(key)
    if found is None:
        # A real Contact costs ~0.2 ms to build; the two functions only read
        # these four attributes.
        parts = cast(Contact, _Names(kind, first, last, company))
        found = _names_cache[key] = (display_name(parts), sort_key(parts))
        if len(_names_cache) > 500_000:
            _names_cache.clear()
    return found
