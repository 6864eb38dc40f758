"""Client-generated primary keys.

UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Records
created offline on two laptops never collide, and their keys sort by creation
time, which keeps SQLite's B-trees append-mostly.
"""

from __future__ import annotations

import os
import threading
import time

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def new_id(now_ms: int | None = None) -> str:
    """Return a new UUIDv7 as a lowercase canonical string.

    Within one millisecond a 12-bit counter in ``rand_a`` keeps the keys from
    one process strictly increasing (RFC 9562, method 1).
    """
    global _last_ms, _seq
    with _lock:
        ms = int(time.time() * 1000) if now_ms is None else now_ms
        if ms <= _last_ms:
            ms = _last_ms
            _seq += 1
            if _seq > 0xFFF:  # counter exhausted: borrow the next millisecond
                ms += 1
                _seq = 0
        else:
            _seq = int.from_bytes(os.urandom(2), "big") & 0x3FF
        _last_ms = ms
        seq = _seq
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | seq << 64 | 0b10 << 62 | rand_b
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_ids(count: int) -> list[str]:
    """``count`` new ids at once, as :func:`new_id` would give them one by one
    (same clock, same counter), with one lock and one read of randomness: an
    import names thousands of calls per batch."""
    global _last_ms, _seq
    noise = os.urandom(8 * count)
    out: list[str] = []
    with _lock:
        now = int(time.time() * 1000)
        for i in range(count):
            if now <= _last_ms:
                now = _last_ms
                _seq += 1
                if _seq > 0xFFF:  # counter exhausted: borrow the next millisecond
                    now += 1
                    _seq = 0
            else:
                _seq = int.from_bytes(os.urandom(2), "big") & 0x3FF
            _last_ms = now
            rand_b = int.from_bytes(noise[8 * i : 8 * i + 8], "big") & ((1 << 62) - 1) | 0b10 << 62
            h = f"{now & ((1 << 48) - 1):012x}7{_seq:03x}{rand_b:016x}"
            out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return out


def id_time_ms(uuid: str) -> int:
    """The creation time, in Unix milliseconds, encoded in a UUIDv7."""
    return int(uuid.replace("-", "")[:12], 16)
