"""The SIP observer: reads HEPv3-mirrored signalling and follows the dialogs in it.

The PBX (Kamailio ``siptrace``, Asterisk ``res_hep``, FreeSWITCH ``capture``)
sends us a copy of every SIP packet it sends or receives; we never reply. The
capture time inside each HEP packet, not our clock, dates the call, so
durations stay right even if packets queue on the way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from ..events import CallEvent
from ..net import Allowlist, DropLog, log
from .dialogs import DialogTracker
from .hep import PROTO_SIP, HepError, decode
from .message import SipParseError, parse

Address = tuple[str, int]


class HepObserver(asyncio.DatagramProtocol):
    def __init__(
        self,
        emit: Callable[[CallEvent], None],
        tracker: DialogTracker,
        *,
        allow: Allowlist,
        auth_key: str = "",
    ) -> None:
        self.emit = emit
        self.tracker = tracker
        self.allow = allow
        self.auth_key = auth_key
        self.drops = DropLog("HEP")
        self.heard = 0  # SIP messages read and fed to the tracker
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        if not self.allow.allows(addr[0]):
            self.drops.drop("sender not in the allowlist", addr)
            return
        try:
            self._packet(data, addr)
        except (HepError, SipParseError) as exc:
            self.drops.drop(str(exc), addr)
        except Exception as exc:  # whatever arrives, the observer keeps listening
            log.exception("HEP packet from %s broke the observer", addr)
            self.drops.drop(repr(exc), addr)

    def _packet(self, data: bytes, addr: Address) -> None:
        packet = decode(data)
        if self.auth_key and packet.auth_key != self.auth_key:
            raise HepError("wrong auth key")
        if packet.proto_type != PROTO_SIP:
            return  # RTCP, logs and QoS reports share the port; they are not calls
        if not packet.payload.strip(b"\r\n"):
            return  # a mirrored keep-alive
        message = parse(packet.payload)
        self.heard += 1
        for event in self.tracker.feed(message, packet.captured_at):
            self.emit(event)

    def close(self) -> None:
        if self.transport:
            self.transport.close()
