"""Who is calling whom, read from SIP headers.

The caller's number comes from ``P-Asserted-Identity`` (RFC 3325; trusted
because listeners accept packets only from the PBX), then the legacy
``Remote-Party-ID``, then the ``From`` URI. ``Privacy: id`` (or an
``anonymous`` user) means the number is withheld: it is reported empty so that
it can never match or create a contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .message import SipMessage

_NAME_ADDR = re.compile(r'^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>')
WITHHELD_USERS = {"anonymous", "restricted", "unavailable", "unknown", "private", "withheld"}


@dataclass(frozen=True, slots=True)
class Party:
    number: str  # as the PBX sent it; "" when withheld
    name: str
    withheld: bool = False


def split_name_addr(value: str) -> tuple[str, str]:
    """``"Ann" <sip:+33...@pbx>;tag=x`` -> (display name, URI)."""
    match = _NAME_ADDR.match(value)
    if match:
        display = match.group(1) if match.group(1) is not None else match.group(2)
        return display.replace('\\"', '"').strip(), match.group(3).strip()
    return "", value.split(";", 1)[0].strip()


def uri_user(uri: str) -> str:
    """The user part of a ``sip:``/``sips:`` URI, or the number of a ``tel:`` URI."""
    scheme, _, rest = uri.partition(":")
    scheme = scheme.strip().lower()
    if scheme == "tel":
        return unquote(rest.split(";", 1)[0]).strip()
    if scheme not in ("sip", "sips") or "@" not in rest:
        return ""
    return unquote(rest.split("@", 1)[0].split(";", 1)[0].split(":", 1)[0]).strip()


def party_of(value: str) -> Party:
    name, uri = split_name_addr(value)
    user = uri_user(uri)
    withheld = user.lower() in WITHHELD_USERS or name.lower() in WITHHELD_USERS
    return Party("" if withheld else user, "" if withheld else name, withheld)


def presentation(party: Party) -> str:
    """The presentation the call log reads from ``raw``: withheld callers never match."""
    return "restricted" if party.withheld else "allowed"


def caller(message: SipMessage) -> Party:
    """The calling party of an INVITE, by RFC 3325 preference."""
    privacy = {p.strip().lower() for p in (message.header("privacy") or "").split(";")}
    for name in ("p-asserted-identity", "remote-party-id", "from"):
        value = message.header(name)
        if not value:
            continue
        found = party_of(value.split(",", 1)[0])
        if found.number or found.withheld:
            if "id" in privacy or "header" in privacy or "full" in privacy:
                return Party("", "", True)
            return found
    return Party("", "", True)


def callee(message: SipMessage) -> str:
    """The called party: the Request-URI user, else the To user."""
    return uri_user(message.uri) or party_of(message.header("to") or "").number


# RFC 3326 Reason on a CANCEL: why the PBX stopped ringing us. Q.850 cause 26
# is "non-selected user clearing", which some PBXs send for answered elsewhere.
_ELSEWHERE = {("sip", "200"), ("q.850", "26")}
_BUSY = {("sip", "486"), ("sip", "600"), ("q.850", "17")}
_REJECTED = {("sip", "603"), ("q.850", "21")}


def cancel_outcome(reasons: list[str]) -> str:
    """``answered``, ``busy``, ``rejected`` or ``missed`` for a CANCEL's Reason headers."""
    causes: set[tuple[str, str]] = set()
    for header in reasons:
        for value in header.split(","):
            protocol = value.split(";", 1)[0].strip().lower()
            causes.add((protocol, _cause(value)))
    if causes & _ELSEWHERE:
        return "answered"
    if causes & _BUSY:
        return "busy"
    if causes & _REJECTED:
        return "rejected"
    return "missed"


def _cause(value: str) -> str:
    for part in value.split(";")[1:]:
        key, _, found = part.partition("=")
        if key.strip().lower() == "cause":
            return found.strip().strip('"')
    return ""
