"""vCard 3.0 and 4.0 (RFC 2426, RFC 6350): reading cards, writing ours.

Reading unfolds continuation lines, splits parameters and unescapes values,
and turns each card into a :class:`ContactData`. Properties we do not store
but know (PHOTO, BDAY...) are passed over quietly; any other property is
passed over with a warning that names its line.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from .contact_data import ContactData, RowRejected, country_code, parse_json_cell
from .headers import label_from
from .source import Record, TextInfo, open_text

_IGNORED_WORDS = (
    "VERSION PRODID REV PHOTO BDAY ANNIVERSARY NICKNAME GENDER LANG TZ GEO ROLE LOGO MEMBER "
    "RELATED SOUND CLIENTPIDMAP IMPP KEY FBURL CALADRURI CALURI SOURCE XML LABEL MAILER "
    "SORT-STRING CLASS NAME PROFILE AGENT X-ABUID X-ABLABEL X-ABDATE X-ABRELATEDNAMES "
    "X-PHONETIC-FIRST-NAME X-PHONETIC-LAST-NAME"
)
_KNOWN_IGNORED = frozenset(_IGNORED_WORDS.split())
_OWN_SCALARS = {
    "X-CRMTUI-TEMPERATURE": "temperature",
    "X-CRMTUI-CURRENCY": "currency",
    "X-CRMTUI-ACCESS": "access",
    "X-CRMTUI-TYPE": "type",
}
_CONTENT = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", re.S)


@dataclass
class Property:
    line: int
    name: str
    params: dict[str, list[str]]
    value: str


@dataclass
class Card:
    line: int
    props: list[Property] = field(default_factory=list)


def split_escaped(value: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not escaped, then unescape each part."""
    parts, current, chars = [], [], iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append("\n" if nxt in "nN" else nxt)
        elif ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def unescape(value: str) -> str:
    return split_escaped(value, "\x00")[0]


def _params(text: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for part in re.findall(r';((?:[^;"]|"[^"]*")*)', text):
        key, sep, value = part.partition("=")
        if not sep:  # vCard 2.1 style bare type: TEL;CELL:...
            key, value = "TYPE", key
        for v in re.findall(r'"[^"]*"|[^,]+', value):
            params.setdefault(key.upper(), []).append(v.strip('"').lower())
    return params


def _logical_lines(text: Iterator[str]) -> Iterator[tuple[int, str]]:
    """(line number, unfolded line): a line starting with a space or a tab
    continues the one before it."""
    start, buffer = 0, None
    for number, line in enumerate(text, 1):
        line = line.rstrip("\r\n")
        if line[:1] in (" ", "\t") and buffer is not None:
            buffer += line[1:]
            continue
        if buffer is not None:
            yield start, buffer
        start, buffer = number, line
    if buffer is not None:
        yield start, buffer


def read_cards(lines: Iterator[str]) -> Iterator[Card | Record]:
    """Cards in order; what cannot be read comes as a Record with an error."""
    card: Card | None = None
    broken: str | None = None
    for number, line in _logical_lines(lines):
        if not line.strip():
            continue
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            if card is not None:
                yield Record(card.line, error=f"line {number}: BEGIN:VCARD before END:VCARD")
            card, broken = Card(number), None
        elif card is None:
            yield Record(number, error=f"line {number}: {line[:40]!r} is outside any vCard")
        elif upper == "END:VCARD":
            yield Record(card.line, error=broken) if broken else card
            card = None
        elif (match := _CONTENT.match(line)) is None:
            broken = broken or f"line {number}: {line[:40]!r} is not a vCard property"
        else:
            name, params, value = match.groups()
            card.props.append(Property(number, name.upper(), _params(params), value))
    if card is not None:
        yield Record(card.line, error=f"the vCard starting on line {card.line} has no END:VCARD")


class VcardSource:
    """The cards of one file as import records (line = its BEGIN line)."""

    header = ["vcard_line"]

    def __init__(self, info: TextInfo) -> None:
        self.info = info
        self._text, self._counter = open_text(info)

    @property
    def bytes_read(self) -> int:
        return self._counter.count

    def rows(self) -> Iterator[Record]:
        for item in read_cards(self._text):
            if isinstance(item, Record):
                yield item
                continue
            try:
                yield Record(item.line, payload=card_data(item), raw=[str(item.line)])
            except RowRejected as exc:
                yield Record(item.line, raw=[str(item.line)], error=str(exc))

    def close(self) -> None:
        self._text.close()


def _uid(value: str) -> str | None:
    text = value.strip().removeprefix("urn:uuid:")
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def card_data(card: Card) -> ContactData:
    data = ContactData()
    for prop in card.props:
        _apply(data, prop)
    data.kind = data.kind or ("company" if data.company_name else None)
    return data


def _apply(data: ContactData, prop: Property) -> None:
    name, value = prop.name, prop.value
    types = ",".join(prop.params.get("TYPE", []))
    if name == "UID":
        data.id = _uid(value)
    elif name in ("KIND", "X-CRMTUI-KIND", "X-ABSHOWAS"):
        kind = value.strip().lower()
        data.kind = "company" if kind in ("org", "company") else "person"
    elif name == "N":
        last, first, middle, *_ = [*split_escaped(value, ";"), "", "", ""]
        data.last_name, data.first_name = last.strip(), first.strip()
        data.middle_name = middle.strip()
    elif name == "FN":
        data.name = unescape(value).strip()
    elif name == "ORG":
        data.company = split_escaped(value, ";")[0].strip()
    elif name == "X-CRMTUI-COMPANY-ID":
        data.company_id = unescape(value).strip() or None
    elif name in ("TITLE", "URL", "NOTE"):
        key = {"TITLE": "title", "URL": "website", "NOTE": "description"}[name]
        data.scalars[key] = unescape(value).strip()
    elif name == "TEL":
        raw = unescape(value).strip().removeprefix("tel:")
        data.phones.append((label_from(types, "work"), raw))
    elif name == "EMAIL":
        data.emails.append((label_from(types, "work"), unescape(value).strip().lower()))
    elif name == "ADR":
        data.addresses.append(_address(split_escaped(value, ";"), types, data.warnings))
    elif name == "CATEGORIES":
        data.tags.extend(t.strip() for t in split_escaped(value, ",") if t.strip())
    elif name in _OWN_SCALARS:
        data.scalars[_OWN_SCALARS[name]] = unescape(value).strip()
    elif name == "X-CRMTUI-SOCIAL":
        social = parse_json_cell(unescape(value), f"line {prop.line}: X-CRMTUI-SOCIAL")
        if not isinstance(social, dict):
            raise RowRejected(f"line {prop.line}: X-CRMTUI-SOCIAL is not a JSON object")
        data.social = {str(k): str(v) for k, v in social.items()}
    elif name not in _KNOWN_IGNORED:
        data.warnings.append(f"line {prop.line}: unknown vCard property {name} ignored")


def _address(parts: list[str], types: str, warnings: list[str]) -> dict[str, str]:
    _box, _ext, street, city, region, code, country, *_ = [*parts, *[""] * 7]
    return {
        "label": label_from(types, "work"),
        "street": street.strip(),
        "city": city.strip(),
        "region": region.strip(),
        "postcode": code.strip(),
        "country": country_code(country, warnings),
    }
