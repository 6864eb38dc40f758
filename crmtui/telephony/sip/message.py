"""SIP messages (RFC 3261 s. 7): parsing what we hear, building the replies we send.

Only what a listener needs: the start line, headers in order (compact forms
expanded, folded lines joined), the body, and the identifiers that key a call:
Call-ID, the From and To tags, CSeq and the top Via branch. Anything that is not
a well-formed SIP message raises ``SipParseError``; nothing else escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_MESSAGE = 65_535  # the largest UDP datagram; a TCP-framed monster is garbage here
SIP_VERSION = "SIP/2.0"

# RFC 3261 s. 7.3.3 compact header names.
COMPACT = {
    "i": "call-id",
    "f": "from",
    "t": "to",
    "v": "via",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "e": "content-encoding",
    "k": "supported",
    "s": "subject",
}
REQUIRED = ("call-id", "cseq", "from", "to", "via")
_TOKEN = re.compile(r"[A-Za-z0-9.!%*_+`'~-]+")


class SipParseError(ValueError):
    """Not a SIP message we can act on; the text says why."""


@dataclass(frozen=True, slots=True)
class SipMessage:
    method: str  # the request method, or the CSeq method of a response
    uri: str  # the Request-URI; "" for a response
    status: int  # 0 for a request
    reason: str
    headers: tuple[tuple[str, str], ...]  # (lower-case name, value), in order
    body: bytes = b""
    # The first value of each header: most lookups want only that, many times.
    first: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.first:
            for name, value in self.headers:
                self.first.setdefault(name, value)

    @property
    def is_request(self) -> bool:
        return self.status == 0

    def header(self, name: str) -> str | None:
        return self.first.get(name.lower())

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    @property
    def call_id(self) -> str:
        return self.header("call-id") or ""

    @property
    def cseq(self) -> tuple[int, str]:
        number, method = (self.header("cseq") or "0 ?").split()
        return int(number), method.upper()

    @property
    def from_tag(self) -> str:
        return param(self.header("from") or "", "tag")

    @property
    def to_tag(self) -> str:
        return param(self.header("to") or "", "tag")

    @property
    def branch(self) -> str:
        return param(top_via(self.header("via") or ""), "branch")


def parse(data: bytes) -> SipMessage:
    """The message in ``data``, or ``SipParseError``."""
    if len(data) > MAX_MESSAGE:
        raise SipParseError("longer than a UDP datagram")
    head, body = _split_head(data)
    lines = _unfold(head.decode("utf-8", errors="replace").split("\n"))
    if not lines:
        raise SipParseError("empty message")
    headers = tuple(_header(line) for line in lines[1:] if line)
    method, uri, status, reason = _start_line(lines[0])
    message = SipMessage(method, uri, status, reason, headers, _body(headers, body))
    _check(message)
    if status:  # a response names its method only through CSeq
        cseq_method = message.cseq[1]
        message = SipMessage(cseq_method, "", status, reason, headers, message.body, message.first)
    return message


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    data = data.lstrip(b"\r\n")
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = data.partition(separator)
        if found:
            return head.replace(b"\r\n", b"\n"), body
    return data.replace(b"\r\n", b"\n"), b""


def _unfold(lines: list[str]) -> list[str]:
    """Join continuation lines (RFC 3261 s. 7.3.1) onto the header they continue."""
    out: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and out:
            out[-1] += " " + line.strip()
        else:
            out.append(line.rstrip("\r"))
    return out


def _start_line(line: str) -> tuple[str, str, int, str]:
    parts = line.split(" ", 2)
    if len(parts) < 2:
        raise SipParseError(f"bad start line {line[:60]!r}")
    if parts[0] == SIP_VERSION:
        if not (_is_number(parts[1]) and len(parts[1]) == 3 and 100 <= int(parts[1]) <= 699):
            raise SipParseError(f"bad status code {parts[1][:10]!r}")
        return "", "", int(parts[1]), parts[2] if len(parts) > 2 else ""
    if len(parts) != 3 or parts[2] != SIP_VERSION or not _TOKEN.fullmatch(parts[0]):
        raise SipParseError(f"bad request line {line[:60]!r}")
    if not parts[1] or " " in parts[1]:
        raise SipParseError("bad Request-URI")
    return parts[0].upper(), parts[1], 0, ""


def _header(line: str) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    name = name.strip().lower()
    if not colon or not _TOKEN.fullmatch(name):
        raise SipParseError(f"bad header line {line[:60]!r}")
    return COMPACT.get(name, name), value.strip()


def _body(headers: tuple[tuple[str, str], ...], body: bytes) -> bytes:
    length = next((v for k, v in headers if k == "content-length"), None)
    if length is None:
        return body
    if not _is_number(length) or int(length) > len(body):
        raise SipParseError(f"Content-Length {length[:12]!r} does not match the body")
    return body[: int(length)]


def _check(message: SipMessage) -> None:
    for name in REQUIRED:
        if not message.header(name):
            raise SipParseError(f"no {name} header")
    cseq = (message.header("cseq") or "").split()
    if len(cseq) != 2 or not _is_number(cseq[0]) or not _TOKEN.fullmatch(cseq[1]):
        raise SipParseError("bad CSeq")
    if message.is_request and cseq[1].upper() != message.method:
        raise SipParseError("CSeq method differs from the request method")


def _is_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts superscripts ``int`` refuses."""
    return text.isascii() and text.isdigit()


def top_via(value: str) -> str:
    """The first Via of a possibly comma-joined Via header."""
    return value.split(",", 1)[0].strip()


def param(value: str, name: str) -> str:
    """A ``;name=value`` header parameter, looked for after the URI's ``>``."""
    tail = value.rsplit(">", 1)[1] if ">" in value else value
    for part in tail.split(";")[1:]:
        key, _, found = part.partition("=")
        if key.strip().lower() == name:
            return found.strip().strip('"')
    return ""


def build_response(
    request: SipMessage, status: int, reason: str, *, to_tag: str = "", extra: tuple[str, ...] = ()
) -> bytes:
    """A body-less response to ``request`` (RFC 3261 s. 8.2.6).

    Via, From, Call-ID and CSeq are copied; the To tag is added when the
    request had none, so that every response of one transaction agrees.
    """
    lines = [f"{SIP_VERSION} {status} {reason}"]
    lines += [f"Via: {via}" for via in request.header_all("via")]
    to = request.header("to") or ""
    if to_tag and not request.to_tag:
        to = f"{to};tag={to_tag}"
    lines += [f"From: {request.header('from')}", f"To: {to}"]
    lines += [f"Call-ID: {request.call_id}", f"CSeq: {request.header('cseq')}"]
    lines += ["Server: crmtui", *extra, "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()
