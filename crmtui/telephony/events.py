"""The one normalised event every telephony source produces (DESIGN.md s. 5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

EventKind = Literal["ringing", "answered", "ended", "record"]
Direction = Literal["inbound", "outbound", "internal"]


@dataclass(frozen=True, slots=True)
class CallEvent:
    """What one source heard about one call.

    ``(source, source_call_id)`` is the idempotency key: hearing the same event
    twice, or importing the same file twice, changes nothing. ``kind`` is
    ``record`` for a finished call read from a log (a CDR row, a phone export).
    """

    source: str
    source_call_id: str
    kind: EventKind
    direction: Direction
    status: str
    remote_raw: str
    started_at: datetime
    remote_e164: str | None = None
    remote_name: str = ""
    local_party: str = ""
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_s: int = 0
    billsec_s: int = 0
    hangup_cause: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
