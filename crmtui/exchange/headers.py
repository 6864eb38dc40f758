"""Which contact field a CSV column holds: ours, Google's, Outlook's, or --map.

A column maps to a *target*, a short string:

- a plain field (``first_name``, ``company``, ``tags``...);
- ``phone:LABEL`` / ``email:LABEL`` (one or more numbers or addresses);
- ``address:LABEL:PART`` (Outlook's "Business City" is ``address:work:city``);
- ``grp:KIND:N:PART`` for Google's numbered pairs ("Phone 1 - Label" and
  "Phone 1 - Value"), which only make sense together;
- ``skip`` for a column to ignore.
"""

from __future__ import annotations

import re

from ..store.text import fold

LABELS = ("work", "mobile", "home", "fax", "main", "other", "billing", "delivery")
ADDRESS_PARTS = ("street", "postcode", "city", "region", "country")

# Our own export, in column order; each header is its own target.
OWN_CONTACT_COLUMNS = (
    "id",
    "kind",
    "first_name",
    "last_name",
    "company_name",
    "company",
    "company_id",
    "title",
    "website",
    "description",
    "type",
    "temperature",
    "currency",
    "access",
    "social",
    "phones",
    "emails",
    "address_label",
    *ADDRESS_PARTS,
    "other_addresses",
    "tags",
)
PLAIN_FIELDS = frozenset(OWN_CONTACT_COLUMNS) | {"name", "middle_name", "skip"}

_ALIASES = {
    # Google Contacts (both the current and the older "Google CSV" layout).
    "given name": "first_name",
    "additional name": "middle_name",
    "family name": "last_name",
    "organization name": "company",
    "organization title": "title",
    "labels": "tags",
    "group membership": "tags",
    "notes": "description",
    "middle name": "middle_name",
    "first name": "first_name",
    "last name": "last_name",
    "file as": "name",
    # Outlook.
    "job title": "title",
    "company": "company",
    "web page": "website",
    "categories": "tags",
    "e-mail address": "email:work",
    "e-mail 2 address": "email:other",
    "e-mail 3 address": "email:other",
    "business phone": "phone:work",
    "business phone 2": "phone:work",
    "home phone": "phone:home",
    "home phone 2": "phone:home",
    "mobile phone": "phone:mobile",
    "car phone": "phone:mobile",
    "other phone": "phone:other",
    "primary phone": "phone:main",
    "company main phone": "phone:main",
    "business fax": "phone:fax",
    "home fax": "phone:fax",
    "other fax": "phone:fax",
    # Everyday spellings, English and French.
    "email": "email:work",
    "e-mail": "email:work",
    "mail": "email:work",
    "phone": "phone:work",
    "telephone": "phone:work",
    "tel": "phone:work",
    "mobile": "phone:mobile",
    "portable": "phone:mobile",
    "fax": "phone:fax",
    "prenom": "first_name",
    "nom": "last_name",
    "societe": "company",
    "entreprise": "company",
    "organisation": "company",
    "organization": "company",
    "fonction": "title",
    "site web": "website",
    "site": "website",
    "url": "website",
    "note": "description",
    "adresse": "street",
    "code postal": "postcode",
    "zip": "postcode",
    "postal code": "postcode",
    "ville": "city",
    "pays": "country",
    "state": "region",
    "full name": "name",
    "display name": "name",
}
_OUTLOOK_ADDRESS = {"business": "work", "home": "home", "other": "other"}
_OUTLOOK_PART = {
    "street": "street",
    "city": "city",
    "state": "region",
    "postal code": "postcode",
    "country/region": "country",
}
_GOOGLE_PAIR = re.compile(r"^(e-mail|phone|address|website|organization) (\d+) - (.+)$")
_GOOGLE_PART = {
    "type": "label",
    "label": "label",
    "value": "value",
    "street": "street",
    "city": "city",
    "region": "region",
    "postal code": "postcode",
    "country": "country",
    "name": "name",
    "title": "title",
    "formatted": "formatted",
    "po box": "pobox",
    "extended address": "extended",
}


class MappingError(ValueError):
    """A --map option that names no field we know."""


def normal(header: str) -> str:
    return fold(header.replace("_", " ")).strip()


def check_target(target: str) -> str:
    """Refuse a --map target that is not a field, ``phone:LABEL``..."""
    parts = target.split(":")
    ok = (
        target in PLAIN_FIELDS
        or (len(parts) == 2 and parts[0] in ("phone", "email") and parts[1] in LABELS)
        or (
            len(parts) == 3
            and parts[0] == "address"
            and parts[1] in LABELS
            and parts[2] in ADDRESS_PARTS
        )
    )
    if not ok:
        known = ", ".join(sorted(PLAIN_FIELDS - {"skip"}))
        raise MappingError(
            f"unknown field {target!r}; use one of {known}, skip, phone:LABEL, email:LABEL "
            f"or address:LABEL:PART (labels: {', '.join(LABELS)})"
        )
    return target


def parse_map_options(options: list[str]) -> dict[str, str]:
    """``["Société=company", "GSM=phone:mobile"]`` -> {normal header: target}."""
    result = {}
    for option in options:
        column, sep, target = option.partition("=")
        if not sep or not column.strip():
            raise MappingError(f'--map {option!r}: write it as "Column=field"')
        result[normal(column)] = check_target(target.strip())
    return result


def target_for(header: str, overrides: dict[str, str] | None = None) -> str | None:
    """The target of one column, or None when nothing we know matches it."""
    key = normal(header)
    if overrides and key in overrides:
        return overrides[key]
    if header.strip() in PLAIN_FIELDS:
        return header.strip()
    if key in _ALIASES:
        return _ALIASES[key]
    if key.replace(" ", "_") in PLAIN_FIELDS:
        return key.replace(" ", "_")
    return _outlook_address(key) or _google_pair(key)


def _outlook_address(key: str) -> str | None:
    where, _, part = key.partition(" ")
    if where in _OUTLOOK_ADDRESS and part in _OUTLOOK_PART:
        return f"address:{_OUTLOOK_ADDRESS[where]}:{_OUTLOOK_PART[part]}"
    return None


def _google_pair(key: str) -> str | None:
    match = _GOOGLE_PAIR.match(key)
    if match is None or match.group(3) not in _GOOGLE_PART:
        return None
    kind = "email" if match.group(1) == "e-mail" else match.group(1)
    return f"grp:{kind}:{match.group(2)}:{_GOOGLE_PART[match.group(3)]}"


def map_header(
    header: list[str],
    overrides: dict[str, str] | None = None,
) -> tuple[dict[str, str], list[str]]:
    """Targets for the columns we recognise, and the names of those we don't."""
    targets, unknown = {}, []
    for column in header:
        target = target_for(column, overrides)
        if target is None:
            unknown.append(column)
        elif target != "skip":
            targets[column] = target
    return targets, unknown


def label_from(text: str, default: str = "other") -> str:
    """Our label for a foreign one: "* Mobile", "Work Fax", "CELL", "x-main"."""
    key = fold(text).lstrip("* ").removeprefix("x-")
    if key in LABELS:
        return key
    for label, words in (
        ("fax", ("fax",)),
        ("mobile", ("mobile", "cell", "iphone")),
        ("home", ("home", "personal")),
        ("work", ("work", "business")),
        ("main", ("main", "pref")),
        ("billing", ("billing",)),
        ("delivery", ("delivery",)),
    ):
        if any(w in key for w in words):
            return label
    return default
