"""A contact as read from a file, whatever the file was (CSV row or vCard).

Readers fill a :class:`ContactData`; the importer turns it into the
arguments of ``contact.create`` or ``contact.update``. Problems that lose
nothing (a phone that does not parse) are warnings; problems that would lose
or invent data (an e-mail that is not one) reject the row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel import Locale

from ..store.mutations.args import check_email
from ..store.phones import normalise_cached
from ..store.text import fold
from .headers import ADDRESS_PARTS, LABELS, label_from


class RowRejected(ValueError):
    """This row cannot be imported; the message says why."""


@dataclass
class ContactData:
    id: str | None = None
    kind: str | None = None
    name: str = ""
    first_name: str = ""
    middle_name: str = ""
    last_name: str = ""
    company_name: str = ""
    company: str = ""
    company_id: str | None = None
    scalars: dict[str, str] = field(default_factory=dict)
    social: dict[str, str] = field(default_factory=dict)
    phones: list[tuple[str, str]] = field(default_factory=list)
    emails: list[tuple[str, str]] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def resolved_kind(self) -> str:
        if self.kind in ("person", "company"):
            return self.kind
        has_person = self.first_name or self.last_name or self.name
        return "person" if has_person or not (self.company_name or self.company) else "company"


SCALARS = ("title", "website", "description", "temperature", "currency", "access")


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Folded country names (as Outlook writes them in several languages) to codes."""
    names: dict[str, str] = {}
    for lang in ("en", "fr", "de", "es", "it", "nl", "pl", "pt"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names[fold(name)] = code
    return names


def country_code(text: str, warnings: list[str]) -> str:
    value = text.strip()
    if not value or (len(value) == 2 and value.isalpha()):
        return value.upper()
    code = _countries().get(fold(value))
    if code is None:
        warnings.append(f"country {value!r} not recognised; left empty")
        return ""
    return code


def split_values(text: str) -> list[str]:
    """Several values in one cell: Google's " ::: ", newlines, or Outlook's ";"."""
    if ":::" not in text and "\n" not in text and ";" not in text:  # one value: most cells
        return [text.strip()] if text.strip() else []
    parts = re.split(r"\s*:::\s*|\n|;", text)
    return [p.strip() for p in parts if p.strip()]


def labelled(parts: list[str], default: str) -> list[tuple[str, str]]:
    """Values that may carry our own "label: value" prefix."""
    result = []
    for part in parts:
        label, sep, value = part.partition(": ")
        if sep and label in LABELS:
            result.append((label, value.strip()))
        else:
            result.append((default, part))
    return result


def check_row(data: ContactData, region: str) -> None:
    """Reject what must not be imported; warn about what is kept as typed."""
    kind = data.resolved_kind()
    if kind == "person" and not (data.first_name or data.last_name or data.name):
        raise RowRejected("a person needs a first or a last name")
    if kind == "company" and not (data.company_name or data.company):
        raise RowRejected("a company needs a name")
    for _, address in data.emails:
        try:
            check_email(address)
        except ValueError:
            raise RowRejected(f"e-mail {address!r} is not an e-mail address") from None
    for _, raw in data.phones:
        if len(raw) > 64:
            raise RowRejected(f"phone {raw[:20]!r}... is longer than 64 characters")
        if not phone_facts(raw, region)[1]:
            data.warnings.append(f"phone {raw!r} could not be parsed; kept as typed")


@lru_cache(maxsize=8192)  # a row's numbers are checked, then matched: parse once
def phone_facts(raw: str, region: str) -> tuple[str | None, bool]:
    """(E.164, valid) of a number as ``contact.create`` stores it. Parsing costs
    ~50 us a number; this learns number blocks (see ``BlockMemo``) instead."""
    phone = normalise_cached(raw, region)
    return phone.e164, phone.valid


def person_names(data: ContactData) -> tuple[str, str]:
    first = " ".join(p for p in (data.first_name, data.middle_name) if p)
    if first or data.last_name or not data.name:
        return first, data.last_name
    *given, last = data.name.split()
    return " ".join(given), last


def _address_args(address: dict[str, str]) -> dict[str, str]:
    label = address.get("label") or "work"
    args = {part: address.get(part, "") for part in ADDRESS_PARTS}
    args["label"] = label if label in LABELS else label_from(label, "work")
    return args


def create_args(data: ContactData) -> dict[str, Any]:
    """``contact.create`` arguments, except the id and the company link."""
    kind = data.resolved_kind()
    args: dict[str, Any] = {"kind": kind, "origin": "import"}
    if kind == "person":
        args["first_name"], args["last_name"] = person_names(data)
    else:
        args["company_name"] = data.company_name or data.company
    for key in SCALARS:
        if data.scalars.get(key):
            args[key] = data.scalars[key]
    if data.social:
        args["social"] = data.social
    args["phones"] = [{"raw": raw, "label": label} for label, raw in data.phones]
    args["emails"] = [{"address": a, "label": label} for label, a in data.emails]
    args["addresses"] = [
        _address_args(a) for a in data.addresses if any(a.get(p) for p in ADDRESS_PARTS)
    ]
    args["tags"] = list(dict.fromkeys(data.tags))
    return args


def parse_json_cell(text: str, what: str) -> Any:
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise RowRejected(f"{what}: not valid JSON ({exc.msg})") from None
