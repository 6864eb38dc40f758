"""Any other PBX's CDR as CSV, with a header row and a column map.

``--map "COLUMN=field"`` names which header column holds which field; a
column whose header already is a field name (or a 3CX CDR name such as
``from-no`` or ``time-start``) needs no map. Fields:

- ``remote`` (required): the other party's number;
- ``started_at`` (required), ``answered_at``, ``ended_at``: ISO 8601 or
  ``YYYY-MM-DD HH:MM:SS`` (naive times are in the zone given), or Unix
  seconds or milliseconds;
- ``direction``: in/inbound/incoming, out/outbound/outgoing, internal
  (default inbound); ``status``: answered, missed, busy... or the PBX's words
  (``NO ANSWER``, ``completed``...); without one, the answer time decides;
- ``duration``, ``billsec``: seconds or ``H:MM:SS``; ``call_id``: the PBX's id
  (else the row's content is its key); ``remote_name``, ``local_party``,
  ``hangup_cause``.

The delimiter (``,`` ``;`` tab ``|``) is detected from the first lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path

from ...store.mutations.call_merge import STATUS_RANK
from ..events import CallEvent, Direction
from ..processing import Rejected
from .base import ImportFileError, RowError, epoch_time, open_text, parse_int, parse_time, row_key

SOURCE = "csv"
FIELDS = (
    "call_id",
    "remote",
    "direction",
    "status",
    "started_at",
    "answered_at",
    "ended_at",
    "duration",
    "billsec",
    "remote_name",
    "local_party",
    "hangup_cause",
)
# Header names other tools export, recognised without a map (3CX CDR, Twilio).
ALIASES = {
    "historyid": "call_id",
    "callid": "call_id",
    "callsid": "call_id",
    "sid": "call_id",
    "from-no": "remote",
    "number": "remote",
    "time-start": "started_at",
    "time-answered": "answered_at",
    "time-end": "ended_at",
    "reason-terminated": "hangup_cause",
    "from-dispname": "remote_name",
    "to-dn": "local_party",
    "start_time": "started_at",
    "end_time": "ended_at",
}
DIRECTIONS: dict[str, Direction] = {
    "in": "inbound",
    "inbound": "inbound",
    "incoming": "inbound",
    "received": "inbound",
    "out": "outbound",
    "outbound": "outbound",
    "outgoing": "outbound",
    "dialled": "outbound",
    "dialed": "outbound",
    "outbound-api": "outbound",
    "outbound-dial": "outbound",
    "internal": "internal",
    "local": "internal",
}
STATUSES = {
    **{s: s for s in STATUS_RANK},
    "": "",
    "no answer": "",
    "no-answer": "",
    "noanswer": "",
    "canceled": "cancelled",
    "completed": "answered",
    "congestion": "failed",
    "declined": "rejected",
    "in-progress": "answered",
}


def parse_map(pairs: list[str]) -> dict[str, str]:
    """``["Caller=remote", ...]`` as ``{"remote": "caller"}`` (headers folded)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, name = pair.rpartition("=")
        name = name.strip().lower()
        if not sep or not column.strip():
            raise ImportFileError(f"--map {pair!r}: write COLUMN=FIELD")
        if name not in FIELDS:
            raise ImportFileError(f"--map {pair!r}: unknown field; fields: {', '.join(FIELDS)}")
        mapping[name] = column.strip().casefold()
    return mapping


def _positions(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    folded = [h.strip().casefold() for h in header]
    found: dict[str, int] = {}
    for i, name in enumerate(folded):
        field = name if name in FIELDS else ALIASES.get(name)
        if field and field not in mapping:
            found.setdefault(field, i)
    for field, column in mapping.items():
        if column not in folded:
            raise ImportFileError(f"--map: no column {column!r} in the header")
        found[field] = folded.index(column)
    for needed in ("remote", "started_at"):
        if needed not in found:
            raise ImportFileError(
                f"no column for {needed}: add --map 'COLUMN={needed}' (header: {', '.join(header)})"
            )
    return found


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def read(path: Path, zone: tzinfo, mapping: dict[str, str]) -> Iterator[CallEvent | Rejected]:
    with open_text(path) as fh:
        sample = fh.read(16 * 1024)
        fh.seek(0)
        reader = csv.reader(fh, _dialect(sample))
        header = next(reader, None)
        if not header:
            raise ImportFileError(f"{path} is empty: a header row is needed")
        positions = _positions(header, mapping)
        line = reader.line_num + 1
        try:
            for row in reader:
                first, line = line, reader.line_num + 1
                if any(cell.strip() for cell in row):
                    try:
                        yield parse_row(row, positions, zone)
                    except RowError as exc:
                        yield Rejected(first, str(exc))
        except csv.Error as exc:
            yield Rejected(line, f"unreadable CSV ({exc}); the rest of the file was skipped")


def _time(text: str, zone: tzinfo, what: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    if text.isdigit():  # Unix seconds, or milliseconds
        value = int(text)
        return epoch_time(value / 1000 if value > 10**11 else value, what)
    return parse_time(text, zone, what)


def _seconds(text: str, what: str) -> int:
    text = text.strip()
    if ":" in text:
        parts = text.split(":")
        if len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
            raise RowError(f"{what}: not a duration {text!r}")
        return sum(int(p) * 60**i for i, p in enumerate(reversed(parts)))
    return parse_int(text.split(".")[0], what)


def parse_row(row: list[str], at: dict[str, int], zone: tzinfo) -> CallEvent:
    def cell(field: str) -> str:
        i = at.get(field)
        return row[i].strip() if i is not None and i < len(row) else ""

    if len(row) <= max(at.values()):
        raise RowError(f"expected at least {max(at.values()) + 1} columns, found {len(row)}")
    started = _time(cell("started_at"), zone, "started_at")
    if started is None:
        raise RowError("started_at: missing")
    direction = DIRECTIONS.get(cell("direction").lower() or "inbound")
    if direction is None:
        raise RowError(f"direction: unknown {cell('direction')!r}")
    status = STATUSES.get(cell("status").lower())
    if status is None:
        raise RowError(f"status: unknown {cell('status')!r}")
    answered = _time(cell("answered_at"), zone, "answered_at")
    ended = _time(cell("ended_at"), zone, "ended_at")
    duration = _seconds(cell("duration"), "duration")
    if not duration and ended is not None:
        duration = max(0, int((ended - started).total_seconds()))
    return CallEvent(
        source=SOURCE,
        source_call_id=cell("call_id") or row_key(row),
        kind="record",
        direction=direction,
        status=status,
        remote_raw=cell("remote"),
        started_at=started,
        remote_name=cell("remote_name"),
        local_party=cell("local_party"),
        answered_at=answered,
        ended_at=ended,
        duration_s=duration,
        billsec_s=_seconds(cell("billsec"), "billsec"),
        hangup_cause=cell("hangup_cause"),
    )
