"""A UDP relay that stands between a SIP caller and callee and mirrors every
packet to a HEP observer, as a PBX's capture agent (Kamailio ``siptrace``,
Asterisk ``res_hep``) would. Used by the observer tests and the bench."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import cast

from crmtui.telephony.sip.hep import PROTO_SIP, HepPacket, encode

Address = tuple[str, int]


class _Side(asyncio.DatagramProtocol):
    def __init__(self, on_packet: object) -> None:
        self.on_packet = on_packet
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.on_packet(data, addr)  # type: ignore[operator]


class HepRelay:
    """Callers send to ``caller_side``; the relay forwards to ``callee`` and back."""

    def __init__(self, callee: Address, observer: Address) -> None:
        self.callee = callee
        self.observer = observer
        self.caller: Address | None = None
        self.relayed = 0

    async def start(self) -> Address:
        loop = asyncio.get_running_loop()
        self.a, _ = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_caller), local_addr=("127.0.0.1", 0)
        )
        self.b, _ = await loop.create_datagram_endpoint(
            lambda: _Side(self._from_callee), local_addr=("127.0.0.1", 0)
        )
        self.hep, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, remote_addr=self.observer
        )
        return cast(Address, self.a.get_extra_info("sockname")[:2])

    def _from_caller(self, data: bytes, addr: Address) -> None:
        self.caller = addr
        self.b.sendto(data, self.callee)
        self._mirror(data, addr, self.callee)

    def _from_callee(self, data: bytes, addr: Address) -> None:
        if self.caller is not None:
            self.a.sendto(data, self.caller)
            self._mirror(data, addr, self.caller)

    def _mirror(self, data: bytes, src: Address, dst: Address) -> None:
        self.relayed += 1
        packet = HepPacket(src, dst, datetime.now(UTC), PROTO_SIP, data, capture_id=2001)
        self.hep.sendto(encode(packet))

    def close(self) -> None:
        for transport in (self.a, self.b, self.hep):
            transport.close()
