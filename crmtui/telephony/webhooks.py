"""Call events from HTTP: desk-phone Action URLs and Twilio status callbacks.

Desk phones (Yealink, Grandstream...) are configured to request, for example,
``http://HOST:8089/phone/incoming?remote=$remote&local=$local&display=$display_remote&call_id=$call_id``
on ``incoming``, ``outgoing``, ``established``, ``terminated`` and ``missed``;
they carry no credentials, so only allowlisted addresses are heard. Twilio
POSTs a form to ``/twilio/status`` and signs it: ``X-Twilio-Signature`` is
base64(HMAC-SHA1(auth token, public URL + every POST key and value, sorted by
key)). An unsigned or wrongly signed callback is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

from .events import CallEvent, Direction, EventKind
from .http import Request
from .net import Allowlist, DropLog, e164_of, utcnow

MAX_CALLS = 10_000
PHONE_EVENTS: dict[str, tuple[EventKind, str]] = {
    "incoming": ("ringing", "ringing"),
    "outgoing": ("ringing", "ringing"),
    "established": ("answered", "answered"),
    "terminated": ("ended", ""),  # answered or missed, from what came before
    "missed": ("ended", "missed"),
}
# Twilio CallStatus -> (kind, status); "" means "from the direction".
TWILIO_STATUSES: dict[str, tuple[EventKind, str]] = {
    "queued": ("ringing", "ringing"),
    "initiated": ("ringing", "ringing"),
    "ringing": ("ringing", "ringing"),
    "in-progress": ("answered", "answered"),
    "completed": ("ended", "answered"),
    "busy": ("ended", "busy"),
    "failed": ("ended", "failed"),
    "no-answer": ("ended", ""),
    "canceled": ("ended", ""),
}


def twilio_signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    """What Twilio puts in ``X-Twilio-Signature`` for a form POST to ``url``."""
    data = url + "".join(k + v for k, v in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass(slots=True)
class _Seen:
    started_at: datetime
    direction: Direction
    answered_at: datetime | None = None


class Webhooks:
    """The HTTP handler: turns requests into call events for ``emit``."""

    def __init__(
        self,
        emit: Callable[[CallEvent], None],
        *,
        allow: Allowlist,
        region: str = "FR",
        twilio_token: str = "",
        twilio_url: str = "",
    ) -> None:
        self.emit = emit
        self.allow = allow
        self.region = region
        self.twilio_token = twilio_token
        self.twilio_url = twilio_url.rstrip("/")  # the public base Twilio calls
        self.calls: OrderedDict[str, _Seen] = OrderedDict()
        self.drops = DropLog("webhook")

    async def __call__(self, request: Request) -> tuple[int, str]:
        if request.path.startswith("/phone/"):
            return self._phone(request)
        if request.path == "/twilio/status":
            return self._twilio(request)
        return 404, "not found"

    def _phone(self, request: Request) -> tuple[int, str]:
        if not self.allow.allows(request.peer):
            self.drops.drop("sender not in the allowlist", request.peer)
            return 403, "not allowed"
        name = request.path.removeprefix("/phone/").strip("/")
        if name not in PHONE_EVENTS:
            return 404, f"unknown phone event {name[:40]!r}"
        q = request.query
        call_id = f"{request.peer}/{q.get('call_id') or q.get('remote', '')}"
        who = _Who("phone", call_id, q.get("remote", ""), q.get("display", ""), q.get("local", ""))
        direction: Direction = "outbound" if name == "outgoing" else "inbound"
        now = utcnow()
        seen = self._seen(who, direction, now, 0)
        self.emit(self._event(who, seen, *PHONE_EVENTS[name], now, q))
        return 200, "ok"

    def _twilio(self, request: Request) -> tuple[int, str]:
        if request.method != "POST":
            return 405, "POST only"
        params = request.form()
        if not self._signed(request, params):
            self.drops.drop("bad X-Twilio-Signature", request.peer)
            return 403, "bad signature"
        form = dict(params)
        mapped = TWILIO_STATUSES.get(form.get("CallStatus", ""))
        if not form.get("CallSid") or mapped is None:
            return 400, "no CallSid or unknown CallStatus"
        inbound = form.get("Direction", "inbound") == "inbound"
        remote, local = form.get("From", ""), form.get("To", "")
        if not inbound:
            remote, local = local, remote
        who = _Who("twilio", form["CallSid"], remote, form.get("CallerName", ""), local)
        at = _twilio_time(form.get("Timestamp", ""))
        seen = self._seen(who, "inbound" if inbound else "outbound", at, _int(form, "CallDuration"))
        self.emit(self._event(who, seen, *mapped, at, form))
        return 200, "ok"

    def _signed(self, request: Request, params: list[tuple[str, str]]) -> bool:
        given = request.headers.get("x-twilio-signature", "")
        if not (self.twilio_token and self.twilio_url and given):
            return False
        for url in _with_and_without_port(self.twilio_url + request.target):
            expected = twilio_signature(self.twilio_token, url, params)
            if hmac.compare_digest(expected.encode(), given.encode()):
                return True
        return False

    def _seen(self, who: _Who, direction: Direction, at: datetime, duration: int) -> _Seen:
        """What we know of a call so far; the first request we hear starts it.

        A call first heard as finished (only Twilio's ``completed`` reached
        us) started its duration before that report.
        """
        key = f"{who.source}:{who.call_id}"
        seen = self.calls.get(key)
        if seen is None:
            start = at - timedelta(seconds=duration)
            seen = _Seen(start, direction, start if duration else None)
            self.calls[key] = seen
            while len(self.calls) > MAX_CALLS:
                self.calls.popitem(last=False)
        return seen

    def _event(
        self,
        who: _Who,
        seen: _Seen,
        kind: EventKind,
        status: str,
        at: datetime,
        raw: dict[str, str],
    ) -> CallEvent:
        if kind == "answered" or (kind == "ended" and status == "answered"):
            seen.answered_at = seen.answered_at or at
        if kind == "ended" and not status:
            answered = seen.answered_at is not None
            status = "answered" if answered else _unanswered(seen.direction)
        ended = kind == "ended"
        return CallEvent(
            source=who.source,
            source_call_id=who.call_id,
            kind=kind,
            direction=seen.direction,
            status=status,
            remote_raw=who.remote,
            remote_e164=e164_of(who.remote, self.region),
            remote_name=who.name,
            local_party=who.local,
            started_at=seen.started_at,
            answered_at=seen.answered_at,
            ended_at=at if ended else None,
            duration_s=_seconds(seen.started_at, at) if ended else 0,
            billsec_s=_seconds(seen.answered_at, at) if ended and seen.answered_at else 0,
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class _Who:
    source: str
    call_id: str
    remote: str
    name: str
    local: str


def _with_and_without_port(url: str) -> list[str]:
    """``url`` as configured, and with its default port added or removed: Twilio
    signs the URL as it called it, and its own validators accept either form."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if default is None or not host:
        return [url]
    other = host if parts.port else f"{host}:{default}"
    return [url, urlunsplit(parts._replace(netloc=other))]


def _unanswered(direction: Direction) -> str:
    return "missed" if direction == "inbound" else "cancelled"


def _twilio_time(text: str) -> datetime:
    """Twilio's RFC 2822 ``Timestamp``, else now (older API versions omit it)."""
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return utcnow()
    return stamp.astimezone(UTC) if stamp.tzinfo else utcnow()


def _int(form: dict[str, str], key: str) -> int:
    text = form.get(key, "")
    return int(text) if text.isascii() and text.isdigit() else 0


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))
