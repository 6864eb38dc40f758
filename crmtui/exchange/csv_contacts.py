"""Turning one CSV row, through its column targets, into a ContactData."""

from __future__ import annotations

from collections import defaultdict

from .contact_data import (
    SCALARS,
    ContactData,
    RowRejected,
    country_code,
    labelled,
    parse_json_cell,
    split_values,
)
from .headers import ADDRESS_PARTS, label_from

OWN = ""  # the key of the address our own export spreads over plain columns
_NAMES = (
    "id",
    "kind",
    "name",
    "first_name",
    "middle_name",
    "last_name",
    "company_name",
    "company",
    "company_id",
)


class ContactRowMapper:
    """Applies a header mapping to rows. ``own`` marks our own export, whose
    multi-value cells are one value per line and nothing else."""

    def __init__(self, targets: dict[str, str], *, own: bool) -> None:
        self.targets = targets
        self.own = own

    def split(self, text: str) -> list[str]:
        if self.own:
            return [v.strip() for v in text.split("\n") if v.strip()]
        return split_values(text)

    def map(self, row: dict[str, str]) -> ContactData:
        data = ContactData()
        groups: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        addresses: dict[str, dict[str, str]] = defaultdict(dict)
        for column, target in self.targets.items():
            value = row.get(column, "")
            if value.strip():
                self._apply(data, target, value, groups, addresses)
        self._apply_groups(data, groups)
        columns = []
        for key, address in addresses.items():
            label = address.pop("label", "") or ("work" if key == OWN else key)
            columns.append({"label": label, **address})
        data.addresses[:0] = columns  # the address columns come before other_addresses
        for address in data.addresses:
            address["country"] = country_code(address.get("country", ""), data.warnings)
        return data

    def _apply(
        self,
        data: ContactData,
        target: str,
        value: str,
        groups: dict[tuple[str, str], dict[str, str]],
        addresses: dict[str, dict[str, str]],
    ) -> None:
        kind, _, rest = target.partition(":")
        if kind == "phone" and rest:
            data.phones.extend(labelled(self.split(value), rest))
        elif kind == "email" and rest:
            data.emails.extend((lb, v.lower()) for lb, v in labelled(self.split(value), rest))
        elif kind == "address" and rest:
            label, _, part = rest.partition(":")
            addresses[label][part] = value.strip()
        elif kind == "grp":
            group, number, part = rest.split(":")
            groups[(group, number)][part] = value
        else:
            self._plain(data, target, value, addresses)

    def _plain(
        self, data: ContactData, target: str, value: str, addresses: dict[str, dict[str, str]]
    ) -> None:
        text = value if target == "description" else value.strip()
        if target in ("id", "company_id"):
            setattr(data, target, text or None)
        elif target in _NAMES:
            setattr(data, target, text)
        elif target in SCALARS:
            data.scalars[target] = text
        elif target in ("phones", "emails"):
            self._apply(data, target[:-1] + ":work", value, {}, addresses)
        elif target == "tags":
            # Foreign files list tags with commas too ("Clients, VIP").
            if self.own:
                data.tags.extend(self.split(value))
            else:  # Google's system labels ("* myContacts") are not tags
                parts = split_values(value.replace(",", ";"))
                data.tags.extend(t for t in parts if not t.startswith("* "))
        elif target == "social":
            data.social = _social(value)
        elif target == "other_addresses":
            data.addresses.extend(_other_addresses(value))
        elif target == "address_label":
            addresses[OWN]["label"] = text
        elif target in ADDRESS_PARTS:
            addresses[OWN][target] = text
        elif target == "type":
            data.scalars["type"] = text

    def _apply_groups(
        self, data: ContactData, groups: dict[tuple[str, str], dict[str, str]]
    ) -> None:
        """Google's numbered pairs: "Phone 1 - Label" goes with "Phone 1 - Value"."""
        for (group, _), parts in sorted(groups.items(), key=lambda kv: int(kv[0][1])):
            label = label_from(parts.get("label", ""), "work" if group != "phone" else "other")
            if group == "phone" and parts.get("value"):
                data.phones.extend((label, v) for v in split_values(parts["value"]))
            elif group == "email" and parts.get("value"):
                data.emails.extend((label, v.lower()) for v in split_values(parts["value"]))
            elif group == "website" and parts.get("value") and "website" not in data.scalars:
                data.scalars["website"] = split_values(parts["value"])[0]
            elif group == "organization":
                data.company = data.company or parts.get("name", "").strip()
                if parts.get("title") and "title" not in data.scalars:
                    data.scalars["title"] = parts["title"].strip()
            elif group == "address":
                data.addresses.append(_google_address(label, parts))


def _google_address(label: str, parts: dict[str, str]) -> dict[str, str]:
    address = {part: parts.get(part, "").strip() for part in ADDRESS_PARTS}
    if not address["street"]:
        # Only the formatted block was exported: keep it whole as the street.
        address["street"] = parts.get("formatted", "").strip()
    return {"label": label, **address}


def _social(text: str) -> dict[str, str]:
    value = parse_json_cell(text, "social")
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise RowRejected('social: expected {"network": "handle", ...}')
    return {str(k): v for k, v in value.items()}


def _other_addresses(text: str) -> list[dict[str, str]]:
    value = parse_json_cell(text, "other_addresses")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise RowRejected("other_addresses: expected a list of addresses")
    return [{str(k): str(v) for k, v in a.items()} for a in value]


def is_own_header(header: list[str]) -> bool:
    return {"id", "kind", "phones", "emails"} <= set(header)
