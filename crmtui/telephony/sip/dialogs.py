"""Following whole SIP dialogs heard by the observer, in both directions.

One call is one INVITE transaction keyed by Call-ID + From-tag (forks share
both, RFC 3261 s. 12). The tracker turns the messages it hears into at most one
``ringing``, one ``answered`` and one ``ended`` event per call, whatever order
retransmissions arrive in: INVITE rings; a 2xx to the INVITE answers; BYE ends
an answered call; 487 (after a CANCEL), 486/600, 603 and other final failures
end an unanswered one. 401/407 challenges are not an end: the caller retries
with the same Call-ID and From-tag.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..events import CallEvent, Direction, EventKind
from ..net import e164_of, is_internal
from .identity import Party, callee, caller, cancel_outcome
from .identity import presentation as _presentation
from .message import SipMessage

MAX_DIALOGS = 100_000  # live calls kept; the oldest go first beyond this
MAX_FINISHED = 200_000  # ended calls remembered so that late retransmissions stay quiet
STALE = timedelta(hours=6)  # an unanswered INVITE nobody finished is forgotten
CHALLENGES = {401, 407, 421, 422, 423, 491, 494}  # the caller retries; the call goes on
_FAILURES = {486: "busy", 600: "busy", 603: "rejected", 403: "rejected"}


@dataclass(slots=True)
class Dialog:
    call_id: str
    from_tag: str
    started_at: datetime
    direction: Direction
    remote: Party
    local: str
    answered_at: datetime | None = None
    cancel_reason: list[str] | None = None


class DialogTracker:
    def __init__(
        self,
        *,
        source: str = "hep",
        region: str = "FR",
        local_parties: frozenset[str] = frozenset(),
    ) -> None:
        self.source = source
        self.region = region
        self.local_parties = local_parties
        self.live: OrderedDict[tuple[str, str], Dialog] = OrderedDict()
        self.finished: OrderedDict[tuple[str, str], None] = OrderedDict()

    def feed(self, message: SipMessage, at: datetime) -> list[CallEvent]:
        """The events ``message``, heard at ``at``, adds to what we know."""
        key = (message.call_id, message.from_tag)
        if key in self.finished:
            return []
        if message.is_request:
            return self._request(key, message, at)
        dialog = self.live.get(key)
        if dialog is None or message.method != "INVITE":
            return []  # responses to BYE, CANCEL, OPTIONS... change nothing
        return self._response(dialog, message, at)

    def _request(self, key: tuple[str, str], message: SipMessage, at: datetime) -> list[CallEvent]:
        dialog = self.live.get(key)
        if message.method == "INVITE" and dialog is None and not message.to_tag:
            return [self._start(key, message, at)]
        if dialog is None:
            return []
        if message.method == "CANCEL":
            dialog.cancel_reason = message.header_all("reason")
        elif message.method == "BYE":
            return [self._end(key, "answered" if dialog.answered_at else "missed", at, "BYE")]
        return []

    def _response(self, dialog: Dialog, message: SipMessage, at: datetime) -> list[CallEvent]:
        key = (dialog.call_id, dialog.from_tag)
        status = message.status
        if status < 200 or status in CHALLENGES or 300 <= status < 400:
            return []
        if status < 300:
            if dialog.answered_at:
                return []  # another fork's 200, or a retransmitted one
            dialog.answered_at = at
            return [self._event(dialog, "answered", "answered", at)]
        if dialog.answered_at:
            return []  # a late failure of a losing fork
        return [self._end(key, self._failure(dialog, status), at, f"{status} {message.reason}")]

    def _failure(self, dialog: Dialog, status: int) -> str:
        if status == 487:
            outcome = cancel_outcome(dialog.cancel_reason or [])
            if outcome != "missed":
                return outcome  # answered elsewhere, busy or rejected, as the CANCEL said
            return "missed" if dialog.direction == "inbound" else "cancelled"
        if status in _FAILURES:
            return _FAILURES[status]
        if status in (408, 480):
            return "missed" if dialog.direction == "inbound" else "cancelled"
        return "failed"

    def _start(self, key: tuple[str, str], invite: SipMessage, at: datetime) -> CallEvent:
        party, called = caller(invite), callee(invite)
        inside_from = not party.withheld and is_internal(party.number, self.local_parties)
        inside_to = is_internal(called, self.local_parties)
        direction: Direction = "inbound"
        if inside_from:
            direction = "internal" if inside_to else "outbound"
        if direction == "outbound":
            party, called = Party(called, ""), party.number
        dialog = Dialog(key[0], key[1], at, direction, party, called)
        self.live[key] = dialog
        self._trim(at)
        return self._event(dialog, "ringing", "ringing", at)

    def _end(self, key: tuple[str, str], status: str, at: datetime, cause: str) -> CallEvent:
        dialog = self.live.pop(key)
        self.finished[key] = None
        while len(self.finished) > MAX_FINISHED:
            self.finished.popitem(last=False)
        return self._event(dialog, "ended", status, at, cause)

    def _trim(self, now: datetime) -> None:
        """Forget the oldest calls when there are too many or they went stale."""
        while self.live:
            oldest = next(iter(self.live.values()))
            if len(self.live) <= MAX_DIALOGS and now - oldest.started_at < STALE:
                break
            self.live.popitem(last=False)

    def _event(
        self, dialog: Dialog, kind: EventKind, status: str, at: datetime, cause: str = ""
    ) -> CallEvent:
        ended = kind == "ended"
        answered = dialog.answered_at
        return CallEvent(
            source=self.source,
            source_call_id=f"{dialog.call_id}/{dialog.from_tag}",
            kind=kind,
            direction=dialog.direction,
            status=status,
            remote_raw=dialog.remote.number,
            remote_e164=e164_of(dialog.remote.number, self.region),
            remote_name=dialog.remote.name,
            local_party=dialog.local,
            started_at=dialog.started_at,
            answered_at=answered,
            ended_at=at if ended else None,
            duration_s=_seconds(dialog.started_at, at) if ended else 0,
            billsec_s=_seconds(answered, at) if ended and answered else 0,
            hangup_cause=cause,
            raw={
                "presentation": _presentation(dialog.remote),
                "reason": dialog.cancel_reason or [],
            },
        )


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))
