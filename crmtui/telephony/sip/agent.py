"""The ring-only SIP user agent: a contact the PBX rings beside the desk phone.

It answers every INVITE with 100 and 180 and never with 200, so it never takes
a call; it only learns that one is ringing (the screen pop) and how the ringing
ended, from the PBX's CANCEL: ``Reason: SIP;cause=200`` means answered
elsewhere, a plain CANCEL means the caller gave up (RFC 3326). Over UDP it
behaves as an INVITE server transaction (RFC 3261 s. 17.2.1): a retransmitted
INVITE gets the last response again, and the final 487 is retransmitted until
the ACK arrives.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from ..events import CallEvent, EventKind
from ..net import Allowlist, DropLog, e164_of, log, utcnow
from .identity import Party, callee, caller, cancel_outcome
from .identity import presentation as _presentation
from .message import SipMessage, SipParseError, build_response, parse

T1, T2 = 0.5, 4.0  # RFC 3261 timers: first retransmit, cap
TIMER_H = 64 * T1  # give up waiting for the ACK
LINGER = 32.0  # how long a finished transaction still absorbs retransmissions
MAX_CALLS = 10_000  # a bound on memory whatever arrives
ALLOW = "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE"

Address = tuple[str, int]


@dataclass(slots=True)
class Ringing:
    invite: SipMessage
    addr: Address
    party: Party
    started_at: datetime
    to_tag: str = field(default_factory=lambda: secrets.token_hex(6))
    last: bytes = b""
    done: bool = False
    timer: asyncio.TimerHandle | None = None


class RingOnlyAgent(asyncio.DatagramProtocol):
    def __init__(
        self,
        emit: Callable[[CallEvent], None],
        *,
        allow: Allowlist,
        region: str = "FR",
        max_ring_s: float = 300.0,
    ) -> None:
        self.emit = emit
        self.allow = allow
        self.region = region
        self.max_ring_s = max_ring_s
        self.calls: OrderedDict[tuple[str, str], Ringing] = OrderedDict()
        self.drops = DropLog("SIP")
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        if not self.allow.allows(addr[0]):
            self.drops.drop("sender not in the allowlist", addr)
            return
        if not data.strip(b"\r\n"):
            return  # a CRLF keep-alive (RFC 5626 s. 3.5.1)
        try:
            message = parse(data)
            if message.is_request:  # we send no requests, so responses are strays
                self._request(message, addr)
        except SipParseError as exc:
            self.drops.drop(str(exc), addr)
        except Exception as exc:  # whatever arrives, the agent keeps listening
            log.exception("SIP message from %s broke the agent", addr)
            self.drops.drop(repr(exc), addr)

    def close(self) -> None:
        for call in self.calls.values():
            if call.timer:
                call.timer.cancel()
        if self.transport:
            self.transport.close()

    def _request(self, message: SipMessage, addr: Address) -> None:
        handlers = {"INVITE": self._invite, "CANCEL": self._cancel, "ACK": self._ack}
        handler = handlers.get(message.method)
        if handler:
            handler(message, addr)
        elif message.method == "OPTIONS":  # the PBX checking we are alive
            self._send(build_response(message, 200, "OK", extra=(ALLOW,)), addr)
        elif message.method == "BYE":  # we never answer, so no dialog exists
            self._send(build_response(message, 481, "Call/Transaction Does Not Exist"), addr)
        else:
            self._send(build_response(message, 405, "Method Not Allowed", extra=(ALLOW,)), addr)

    def _invite(self, invite: SipMessage, addr: Address) -> None:
        key = (invite.call_id, invite.from_tag)
        known = self.calls.get(key)
        if known:  # a retransmission: repeat ourselves, hear nothing new
            self._send(known.last, addr)
            return
        if invite.to_tag:  # a re-INVITE inside a dialog we never made
            self._send(build_response(invite, 481, "Call/Transaction Does Not Exist"), addr)
            return
        call = Ringing(invite, addr, caller(invite), utcnow())
        self._remember(key, call)
        self._send(build_response(invite, 100, "Trying"), addr)
        call.last = build_response(invite, 180, "Ringing", to_tag=call.to_tag)
        self._send(call.last, addr)
        loop = asyncio.get_running_loop()
        call.timer = loop.call_later(self.max_ring_s, self._give_up, key)
        self.emit(self._event(call, "ringing", "ringing"))

    def _cancel(self, cancel: SipMessage, addr: Address) -> None:
        call = self.calls.get((cancel.call_id, cancel.from_tag))
        if call is None:
            self._send(build_response(cancel, 481, "Call/Transaction Does Not Exist"), addr)
            return
        self._send(build_response(cancel, 200, "OK", to_tag=call.to_tag), addr)
        if call.done:
            return  # a retransmitted CANCEL
        outcome = cancel_outcome(cancel.header_all("reason"))
        self._finish(call, (cancel.call_id, cancel.from_tag), 487, "Request Terminated")
        kind: EventKind = "answered" if outcome == "answered" else "ended"
        cause = "answered elsewhere" if outcome == "answered" else "cancelled"
        self.emit(self._event(call, kind, outcome, cause, cancel.header_all("reason")))

    def _ack(self, ack: SipMessage, addr: Address) -> None:
        call = self.calls.get((ack.call_id, ack.from_tag))
        if call and call.done and call.timer:
            call.timer.cancel()  # the final response arrived: stop retransmitting
            call.timer = asyncio.get_running_loop().call_later(LINGER, self._forget, ack)

    def _give_up(self, key: tuple[str, str]) -> None:
        """The PBX rang for longer than any PBX would: stop and count it missed."""
        call = self.calls.get(key)
        if call and not call.done:
            self._finish(call, key, 480, "Temporarily Unavailable")
            self.emit(self._event(call, "ended", "missed", "no answer"))

    def _finish(self, call: Ringing, key: tuple[str, str], status: int, reason: str) -> None:
        call.done = True
        call.last = build_response(call.invite, status, reason, to_tag=call.to_tag)
        if call.timer:
            call.timer.cancel()
        self._send(call.last, call.addr)
        self._retransmit(key, T1, TIMER_H)

    def _retransmit(self, key: tuple[str, str], interval: float, left: float) -> None:
        call = self.calls.get(key)
        if call is None:
            return
        if left <= 0:
            self.calls.pop(key, None)
            return
        loop = asyncio.get_running_loop()
        call.timer = loop.call_later(interval, self._resend, key, interval, left - interval)

    def _resend(self, key: tuple[str, str], interval: float, left: float) -> None:
        call = self.calls.get(key)
        if call:
            self._send(call.last, call.addr)
            self._retransmit(key, min(2 * interval, T2), left)

    def _forget(self, message: SipMessage) -> None:
        self.calls.pop((message.call_id, message.from_tag), None)

    def _remember(self, key: tuple[str, str], call: Ringing) -> None:
        self.calls[key] = call
        while len(self.calls) > MAX_CALLS:
            _, oldest = self.calls.popitem(last=False)
            if oldest.timer:
                oldest.timer.cancel()

    def _send(self, data: bytes, addr: Address) -> None:
        if self.transport and not self.transport.is_closing():
            self.transport.sendto(data, addr)

    def _event(
        self,
        call: Ringing,
        kind: EventKind,
        status: str,
        cause: str = "",
        reasons: list[str] | None = None,
    ) -> CallEvent:
        now = utcnow()
        ended = kind == "ended"
        return CallEvent(
            source="sip",
            source_call_id=f"{call.invite.call_id}/{call.invite.from_tag}",
            kind=kind,
            direction="inbound",
            status=status,
            remote_raw=call.party.number,
            remote_e164=e164_of(call.party.number, self.region),
            remote_name=call.party.name,
            local_party=callee(call.invite),
            started_at=call.started_at,
            answered_at=now if kind == "answered" else None,
            ended_at=now if ended else None,
            duration_s=round((now - call.started_at).total_seconds()) if ended else 0,
            hangup_cause=cause,
            raw={"presentation": _presentation(call.party), "reason": reasons or []},
        )
