"""Seeded UUIDv7 ids, so that a seed always builds the very same store.

The layout is :func:`crmtui.store.ids.new_id`'s (48 bits of Unix
milliseconds, version 7, variant 10, randomness), with the randomness drawn
from the demo's seeded generator instead of the operating system.
"""

from __future__ import annotations

import random
from datetime import datetime


def uuid7(at: datetime, rng: random.Random) -> str:
    """A UUIDv7 for the instant ``at`` (aware), random bits from ``rng``."""
    ms = int(at.timestamp() * 1000)
    rand = rng.getrandbits(74)
    value = (
        (ms & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76
        | (rand >> 62) << 64
        | 0b10 << 62
        | (rand & ((1 << 62) - 1))
    )
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
