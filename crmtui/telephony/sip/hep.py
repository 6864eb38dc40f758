"""HEPv3 (the Homer encapsulation protocol), as Kamailio, Asterisk and FreeSWITCH
mirror their SIP signalling.

A packet is ``HEP3``, a 16-bit total length, then chunks of (vendor 16 bits,
type 16 bits, length 16 bits including these 6 bytes, payload). Generic chunks
(vendor 0) carry the original addresses, ports, capture time, protocol type
(1 = SIP), an optional auth key and the captured payload. Unknown chunks and
vendor chunks are skipped; anything inconsistent raises ``HepError``.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

MAGIC = b"HEP3"
MAX_PAYLOAD = 65_535
PROTO_SIP = 1
_CHUNK = struct.Struct("!HHH")

# Generic chunk types (HEPv3 specification, "chunk types").
FAMILY, IP_PROTO, SRC4, DST4, SRC6, DST6, SRC_PORT, DST_PORT = range(1, 9)
TS_SEC, TS_USEC, PROTO_TYPE, CAPTURE_ID, KEEPALIVE, AUTH_KEY, PAYLOAD, ZPAYLOAD = range(9, 17)


class HepError(ValueError):
    """Not a HEPv3 packet we can read; the text says why."""


@dataclass(frozen=True, slots=True)
class HepPacket:
    src: tuple[str, int]
    dst: tuple[str, int]
    captured_at: datetime
    proto_type: int
    payload: bytes
    capture_id: int = 0
    auth_key: str = ""


def decode(data: bytes) -> HepPacket:
    """The packet in ``data``, or ``HepError``."""
    if len(data) < 6 or data[:4] != MAGIC:
        raise HepError("not a HEPv3 packet")
    (total,) = struct.unpack_from("!H", data, 4)
    if total != len(data):
        raise HepError(f"length field {total} but {len(data)} bytes")
    chunks = _chunks(data)
    if PAYLOAD in chunks:
        payload = chunks[PAYLOAD]
    elif ZPAYLOAD in chunks:
        payload = _inflate(chunks[ZPAYLOAD])
    else:
        raise HepError("no payload chunk")
    return HepPacket(
        src=(_address(chunks, SRC4, SRC6), _uint(chunks, SRC_PORT, 2)),
        dst=(_address(chunks, DST4, DST6), _uint(chunks, DST_PORT, 2)),
        captured_at=_captured(chunks),
        proto_type=_uint(chunks, PROTO_TYPE, 1),
        payload=payload,
        capture_id=_uint(chunks, CAPTURE_ID, 4, default=0),
        auth_key=chunks.get(AUTH_KEY, b"").rstrip(b"\0").decode("utf-8", errors="replace"),
    )


def _chunks(data: bytes) -> dict[int, bytes]:
    """Generic chunks by type; a chunk that runs past the end is an error."""
    found: dict[int, bytes] = {}
    offset = 6
    while offset < len(data):
        if offset + _CHUNK.size > len(data):
            raise HepError("truncated chunk header")
        vendor, kind, length = _CHUNK.unpack_from(data, offset)
        if length < _CHUNK.size or offset + length > len(data):
            raise HepError(f"chunk {kind} has a bad length {length}")
        if vendor == 0:
            found[kind] = data[offset + _CHUNK.size : offset + length]
        offset += length
    return found


def _uint(chunks: dict[int, bytes], kind: int, size: int, default: int | None = None) -> int:
    value = chunks.get(kind)
    if value is None and default is not None:
        return default
    if value is None or len(value) != size:
        raise HepError(f"chunk {kind} missing or not {size} bytes")
    return int.from_bytes(value, "big")


def _address(chunks: dict[int, bytes], v4: int, v6: int) -> str:
    # inet_ntop rather than ipaddress: this runs twice for every mirrored packet
    if len(chunks.get(v4, b"")) == 4:
        return socket.inet_ntop(socket.AF_INET, chunks[v4])
    if len(chunks.get(v6, b"")) == 16:
        return socket.inet_ntop(socket.AF_INET6, chunks[v6])
    raise HepError(f"no address in chunk {v4} or {v6}")


def _captured(chunks: dict[int, bytes]) -> datetime:
    seconds = _uint(chunks, TS_SEC, 4)
    micros = _uint(chunks, TS_USEC, 4, default=0)
    if micros >= 1_000_000:
        raise HepError("microseconds out of range")
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micros)


def _inflate(data: bytes) -> bytes:
    """A compressed payload, never inflated beyond what a datagram could hold."""
    try:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip framing
        payload = inflater.decompress(data, MAX_PAYLOAD + 1)
    except zlib.error as exc:
        raise HepError(f"bad compressed payload: {exc}") from None
    if len(payload) > MAX_PAYLOAD or inflater.unconsumed_tail:
        raise HepError("compressed payload too large")
    return payload


def encode(packet: HepPacket) -> bytes:
    """The HEPv3 form of ``packet``: what a PBX's capture agent would send."""
    src, dst = ipaddress.ip_address(packet.src[0]), ipaddress.ip_address(packet.dst[0])
    v6 = src.version == 6
    stamp = packet.captured_at.timestamp()
    chunks = [
        _chunk(FAMILY, bytes([10 if v6 else 2])),
        _chunk(IP_PROTO, bytes([17])),
        _chunk(SRC6 if v6 else SRC4, src.packed),
        _chunk(DST6 if v6 else DST4, dst.packed),
        _chunk(SRC_PORT, struct.pack("!H", packet.src[1])),
        _chunk(DST_PORT, struct.pack("!H", packet.dst[1])),
        _chunk(TS_SEC, struct.pack("!I", int(stamp))),
        _chunk(TS_USEC, struct.pack("!I", packet.captured_at.microsecond)),
        _chunk(PROTO_TYPE, bytes([packet.proto_type])),
        _chunk(CAPTURE_ID, struct.pack("!I", packet.capture_id)),
    ]
    if packet.auth_key:
        chunks.append(_chunk(AUTH_KEY, packet.auth_key.encode()))
    chunks.append(_chunk(PAYLOAD, packet.payload))
    body = b"".join(chunks)
    return MAGIC + struct.pack("!H", 6 + len(body)) + body


def _chunk(kind: int, value: bytes) -> bytes:
    return _CHUNK.pack(0, kind, _CHUNK.size + len(value)) + value
