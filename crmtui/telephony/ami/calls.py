"""Turning AMI events into call events, one call per ``Linkedid``.

Linkedid is the Uniqueid of the oldest channel, so every leg of a call (the
trunk, each queue member rung, a transfer) shares it. A call rings at its first
DialBegin, is answered at the first ``DialEnd: ANSWER`` (or a two-party
bridge), and ends when its last channel hangs up; the outcome then comes from
the dial statuses and Q.850 causes its legs collected. ``Cdr`` events are only
used for calls whose live events we never heard (we were disconnected): their
rows are merged per UniqueID and reported as one ``record``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..events import CallEvent, Direction, EventKind
from ..net import e164_of, is_internal
from .cdr import CdrBuffer

MAX_CALLS = 50_000
MAX_FINISHED = 200_000
STALE = timedelta(hours=12)  # longer than any real call
WITHHELD = {"", "<unknown>", "anonymous", "unknown", "restricted"}
# Q.850 causes that say how an unanswered call ended.
_CAUSES = {"17": "busy", "21": "rejected", "34": "failed", "38": "failed"}
_DIAL = {"BUSY": "busy", "CONGESTION": "failed", "CHANUNAVAIL": "failed"}


@dataclass(slots=True)
class AmiCall:
    linkedid: str
    started_at: datetime
    direction: Direction
    remote: str
    remote_name: str
    local: str  # the DID or extension first reached; then who rang, then who answered
    channels: set[str] = field(default_factory=set)
    outcomes: list[str] = field(default_factory=list)
    answered_at: datetime | None = None
    rang: bool = False
    raw: dict[str, str] = field(default_factory=dict)


class AmiCallTracker:
    def __init__(
        self,
        *,
        region: str = "FR",
        local_parties: frozenset[str] = frozenset(),
        cdr_timezone: str = "UTC",
    ) -> None:
        self.region = region
        self.local_parties = local_parties
        self.live: OrderedDict[str, AmiCall] = OrderedDict()
        self.finished: OrderedDict[str, None] = OrderedDict()
        self.cdrs = CdrBuffer(region=region, is_local=self._is_local, tz=cdr_timezone)

    def feed(self, fields: dict[str, str], at: datetime) -> list[CallEvent]:
        """The events one AMI message adds; most messages add none."""
        name = fields.get("Event", "")
        if name == "Cdr":
            return self._cdr(fields, at)
        linkedid = fields.get("Linkedid", "")
        if not linkedid or linkedid in self.finished or name not in _HANDLERS:
            return []
        call = self.live.get(linkedid)
        if call is None:
            if name not in _STARTERS:
                return []  # the end of a call we never saw begin: nothing to say
            call = self._start(linkedid, fields, at)
        return _HANDLERS[name](self, call, fields, at)

    def flush(self, quiet_s: float = 1.0) -> list[CallEvent]:
        """CDR records whose rows have all arrived (none new for ``quiet_s``)."""
        return self.cdrs.flush(quiet_s)

    def _start(self, linkedid: str, fields: dict[str, str], at: datetime) -> AmiCall:
        number = _number(fields.get("CallerIDNum", ""))
        exten = fields.get("Exten", "")
        direction: Direction = "inbound"
        if number and self._is_local(number):
            direction = "internal" if self._is_local(exten) else "outbound"
        remote, local = (exten, number) if direction == "outbound" else (number, exten)
        name = fields.get("CallerIDName", "") if direction != "outbound" else ""
        call = AmiCall(linkedid, at, direction, remote, _number(name), local)
        call.raw = {"channel": fields.get("Channel", ""), "context": fields.get("Context", "")}
        self.live[linkedid] = call
        self._trim(at)
        return call

    def _trim(self, now: datetime) -> None:
        """Forget calls whose end we never heard (it came while we were disconnected):
        the oldest first, beyond MAX_CALLS or once older than STALE."""
        while self.live:
            oldest = next(iter(self.live.values()))
            if len(self.live) <= MAX_CALLS and now - oldest.started_at < STALE:
                break
            self.live.popitem(last=False)

    def _new_channel(self, call: AmiCall, fields: dict[str, str], at: datetime) -> list[CallEvent]:
        call.channels.add(fields.get("Uniqueid", ""))
        return []

    def _dial_begin(self, call: AmiCall, fields: dict[str, str], at: datetime) -> list[CallEvent]:
        call.channels.add(fields.get("Uniqueid", ""))
        call.channels.add(fields.get("DestUniqueid", ""))
        if call.rang:
            return []  # the next queue member: the same call, still ringing
        call.rang = True
        if call.direction != "outbound":
            call.local = _dest(fields) or call.local
        return [self._event(call, "ringing", "ringing", at)]

    def _dial_end(self, call: AmiCall, fields: dict[str, str], at: datetime) -> list[CallEvent]:
        status = fields.get("DialStatus", "").upper()
        if status == "ANSWER":
            return self._answer(call, _dest(fields), at)
        call.outcomes.append(_DIAL.get(status, ""))
        return []

    def _bridge(self, call: AmiCall, fields: dict[str, str], at: datetime) -> list[CallEvent]:
        if fields.get("BridgeNumChannels", "") in _ONE_OR_NONE:
            return []
        if fields.get("BridgeType", "basic") != "holding":
            return self._answer(call, "", at)
        return []

    def _answer(self, call: AmiCall, who: str, at: datetime) -> list[CallEvent]:
        if call.answered_at:
            return []
        call.answered_at = at
        if who and call.direction != "outbound":
            call.local = who
        return [self._event(call, "answered", "answered", at)]

    def _hangup(self, call: AmiCall, fields: dict[str, str], at: datetime) -> list[CallEvent]:
        call.channels.discard(fields.get("Uniqueid", ""))
        call.outcomes.append(_CAUSES.get(fields.get("Cause", ""), ""))
        if call.channels:
            return []
        self.live.pop(call.linkedid, None)
        self.finished[call.linkedid] = None
        while len(self.finished) > MAX_FINISHED:
            self.finished.popitem(last=False)
        cause = fields.get("Cause-txt", "") or fields.get("Cause", "")
        return [self._event(call, "ended", self._outcome(call), at, cause)]

    def _outcome(self, call: AmiCall) -> str:
        if call.answered_at:
            return "answered"
        for status in ("busy", "rejected", "failed"):
            if status in call.outcomes:
                return status
        return "cancelled" if call.direction == "outbound" else "missed"

    def _cdr(self, fields: dict[str, str], at: datetime) -> list[CallEvent]:
        key = fields.get("UniqueID", "")
        if key and key not in self.live and key not in self.finished:
            self.cdrs.add(key, fields)
        return []

    def _is_local(self, number: str) -> bool:
        return is_internal(number, self.local_parties)

    def _event(
        self, call: AmiCall, kind: EventKind, status: str, at: datetime, cause: str = ""
    ) -> CallEvent:
        ended = kind == "ended"
        return CallEvent(
            source="ami",
            source_call_id=call.linkedid,
            kind=kind,
            direction=call.direction,
            status=status,
            remote_raw=call.remote,
            remote_e164=e164_of(call.remote, self.region),
            remote_name=call.remote_name,
            local_party=call.local,
            started_at=call.started_at,
            answered_at=call.answered_at,
            ended_at=at if ended else None,
            duration_s=_seconds(call.started_at, at) if ended else 0,
            billsec_s=_seconds(call.answered_at, at) if ended and call.answered_at else 0,
            hangup_cause=cause,
            raw=dict(call.raw),
        )


_HANDLERS = {
    "Newchannel": AmiCallTracker._new_channel,
    "DialBegin": AmiCallTracker._dial_begin,
    "DialEnd": AmiCallTracker._dial_end,
    "BridgeEnter": AmiCallTracker._bridge,
    "Hangup": AmiCallTracker._hangup,
}
_STARTERS = {"Newchannel", "DialBegin"}
_ONE_OR_NONE = {"", "0", "1"}  # a caller alone in a bridge is on hold, not connected


def _number(value: str) -> str:
    return "" if value.strip().lower() in WITHHELD else value.strip()


def _dest(fields: dict[str, str]) -> str:
    """The extension a Dial reached: DestCallerIDNum, else the peer in DestChannel."""
    number = _number(fields.get("DestCallerIDNum", ""))
    if number:
        return number
    channel = fields.get("DestChannel", "")  # PJSIP/201-0000002a
    return channel.split("/", 1)[-1].rsplit("-", 1)[0] if "/" in channel else ""


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))
