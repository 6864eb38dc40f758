"""AMI ``Cdr`` events for calls whose live events we missed.

``cdr_manager`` posts one Cdr per leg after the call; with Asterisk 12+ CDRs
the party A of every leg of a call is the same channel, so the legs share its
UniqueID. Rows are merged per UniqueID (answered if any leg answered, the
longest durations) and reported as one ``record`` once no row has arrived for
a moment. CDR times are the PBX's local time, hence the time zone setting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from ..events import CallEvent, Direction
from ..net import e164_of

_DISPOSITIONS = {"ANSWERED": "answered", "BUSY": "busy", "FAILED": "failed", "CONGESTION": "failed"}
_RANK = ("answered", "busy", "failed")  # what a merged call is, in order of preference


@dataclass(slots=True)
class _Pending:
    rows: list[dict[str, str]] = field(default_factory=list)
    last_seen: float = 0.0  # monotonic: the PBX's clock may disagree with ours


class CdrBuffer:
    def __init__(self, *, region: str, is_local: Callable[[str], bool], tz: str = "UTC") -> None:
        self.region = region
        self.is_local = is_local
        self.tz: tzinfo = UTC if tz == "UTC" else ZoneInfo(tz)
        self.pending: dict[str, _Pending] = {}

    def add(self, key: str, fields: dict[str, str]) -> None:
        pending = self.pending.setdefault(key, _Pending())
        pending.rows.append(fields)
        pending.last_seen = time.monotonic()

    def flush(self, quiet_s: float) -> list[CallEvent]:
        """Records whose last row arrived at least ``quiet_s`` seconds ago."""
        cutoff = time.monotonic() - quiet_s
        ready = [k for k, p in self.pending.items() if p.last_seen <= cutoff]
        events = [self._record(key, self.pending.pop(key).rows) for key in ready]
        return [event for event in events if event is not None]

    def _record(self, key: str, rows: list[dict[str, str]]) -> CallEvent | None:
        starts = self._times(rows, "StartTime")
        if not starts:
            return None  # a row without a start cannot be placed on any timeline
        answers, ends = self._times(rows, "AnswerTime"), self._times(rows, "EndTime")
        statuses = {_DISPOSITIONS.get(r.get("Disposition", "").upper(), "") for r in rows}
        status = next((s for s in _RANK if s in statuses), "")
        direction = self._direction(rows[0])
        remote, local = _parties(rows, direction)
        return CallEvent(
            source="ami",
            source_call_id=key,
            kind="record",
            direction=direction,
            status=status or ("cancelled" if direction == "outbound" else "missed"),
            remote_raw=remote,
            remote_e164=e164_of(remote, self.region),
            local_party=local,
            started_at=min(starts),
            answered_at=min(answers) if answers else None,
            ended_at=max(ends) if ends else None,
            duration_s=max(_int(r.get("Duration", "")) for r in rows),
            billsec_s=max(_int(r.get("BillableSeconds", "")) for r in rows),
            raw={"cdr_rows": len(rows), "disposition": sorted(s for s in statuses if s)},
        )

    def _times(self, rows: list[dict[str, str]], column: str) -> list[datetime]:
        return [t for row in rows if (t := self._time(row.get(column, "")))]

    def _direction(self, row: dict[str, str]) -> Direction:
        if not self.is_local(row.get("Source", "")):
            return "inbound"
        return "internal" if self.is_local(row.get("Destination", "")) else "outbound"

    def _time(self, text: str) -> datetime | None:
        try:
            local = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
        return local.replace(tzinfo=self.tz).astimezone(UTC)


def _parties(rows: list[dict[str, str]], direction: Direction) -> tuple[str, str]:
    """(remote, local): for an inbound call, local is the leg that answered, if any."""
    first = rows[0]
    if direction == "outbound":
        return first.get("Destination", ""), first.get("Source", "")
    answered = [r for r in rows if r.get("Disposition", "").upper() == "ANSWERED"]
    return first.get("Source", ""), (answered or rows)[0].get("Destination", "")


def _int(text: str) -> int:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else 0
