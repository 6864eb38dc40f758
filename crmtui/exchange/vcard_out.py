"""Writing our contacts as vCard 4.0 (RFC 6350).

Standard properties carry what other programs understand (N, FN, ORG, TEL,
EMAIL, ADR, CATEGORIES...); ``X-CRMTUI-*`` properties carry the rest, so that
our own file imports back into the very same contacts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from .export_rows import ContactOut

# Our labels as vCard TYPE values; labels vCard has no word for get "x-".
_TYPES = {"work": "work", "home": "home", "mobile": "cell", "fax": "fax"}


def escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def fold(line: str) -> str:
    """Lines of at most 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def _type(label: str) -> str:
    return _TYPES.get(label, f"x-{label}")


def vcard(c: ContactOut) -> str:
    """One contact as a vCard, CRLF line endings, folded."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:uuid:{c.id}",
        f"KIND:{'org' if c.kind == 'company' else 'individual'}",
        f"FN:{escape(c.display_name)}",
        f"N:{escape(c.last_name)};{escape(c.first_name)};;;",
    ]
    org = c.company_name if c.kind == "company" else c.company
    if org:
        lines.append(f"ORG:{escape(org)}")
    if c.company_id:
        lines.append(f"X-CRMTUI-COMPANY-ID:{c.company_id}")
    for name, value in (("TITLE", c.title), ("URL", c.website), ("NOTE", c.description)):
        if value:
            lines.append(f"{name}:{escape(value)}")
    lines += [f"TEL;TYPE={_type(label)}:{escape(raw)}" for label, raw in c.phones]
    lines += [f"EMAIL;TYPE={_type(label)}:{escape(a)}" for label, a in c.emails]
    lines += [_adr(a) for a in c.addresses]
    if c.tags:
        lines.append("CATEGORIES:" + ",".join(escape(t) for t in c.tags))
    lines += _own(c)
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def _adr(a: dict[str, str]) -> str:
    parts = ["", "", a["street"], a["city"], a["region"], a["postcode"], a["country"]]
    return f"ADR;TYPE={_type(a['label'])}:" + ";".join(escape(p) for p in parts)


def _own(c: ContactOut) -> list[str]:
    lines = [f"X-CRMTUI-KIND:{c.kind}"]
    for name, value in (
        ("TYPE", c.type),
        ("TEMPERATURE", c.temperature),
        ("CURRENCY", c.currency),
        ("ACCESS", c.access),
    ):
        if value:
            lines.append(f"X-CRMTUI-{name}:{escape(value)}")
    if c.social:
        lines.append("X-CRMTUI-SOCIAL:" + escape(json.dumps(c.social, ensure_ascii=False)))
    return lines


class VcfWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.part")
        self._fh: IO[str] = self.tmp.open("w", encoding="utf-8", newline="")

    def write(self, card: str) -> None:
        self._fh.write(card)

    def finish(self) -> None:
        self._fh.close()
        self.tmp.replace(self.path)

    def abort(self) -> None:
        self._fh.close()
        self.tmp.unlink(missing_ok=True)
