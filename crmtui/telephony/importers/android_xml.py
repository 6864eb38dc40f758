"""Android call logs as SMS Backup & Restore exports them (``calls-*.xml``).

``<calls><call number date duration type presentation contact_name
subscription_id .../></calls>``: values copied raw from ``CallLog.Calls``.
``date`` is milliseconds since the epoch (``readable_date`` depends on the
phone's locale and is ignored), ``duration`` is talk seconds, ``type`` is
1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked,
7 answered on another device, and ``presentation`` 2, 3 or 4 hides the
number. The file is read as a stream (expat), so a backup of any size runs
in constant memory, and every rejected call is reported with its line.

The log has no call id: ``date`` and the number identify a call, so two
overlapping backups of one phone import each call once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ...store.phones import only_digits
from ..events import CallEvent, Direction
from ..processing import Rejected
from .base import ImportFileError, RowError, epoch_time, parse_int

SOURCE = "android-xml"
CHUNK = 256 * 1024
TYPES: dict[int, tuple[Direction, str]] = {
    1: ("inbound", "answered"),
    2: ("outbound", "answered"),
    3: ("inbound", "missed"),
    4: ("inbound", "voicemail"),
    5: ("inbound", "rejected"),
    6: ("inbound", "blocked"),
    7: ("inbound", "answered"),
}
PRESENTATION = {"1": "allowed", "2": "restricted", "3": "unknown", "4": "payphone"}


class _Collector:
    """Expat callbacks: keeps each ``<call>``'s attributes with its line."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.root: str | None = None
        self.calls: list[tuple[int, dict[str, str]]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            if name != "calls":
                raise ImportFileError(f"the root element is <{name}>, not <calls>")
        elif name == "call":
            self.calls.append((self.parser.CurrentLineNumber, attrs))


def read(path: Path) -> Iterator[CallEvent | Rejected]:
    parser = expat.ParserCreate()
    collector = _Collector(parser)
    parser.StartElementHandler = collector.start
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ImportFileError(f"{path}: {exc.strerror or exc}") from None
    with fh:
        while True:
            chunk = fh.read(CHUNK)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                yield from _drain(collector)
                if collector.root is None:
                    raise ImportFileError(f"{path} is not an XML call log ({exc})") from None
                yield Rejected(exc.lineno, f"broken XML ({exc}); the rest was not read")
                return
            yield from _drain(collector)
            if not chunk:
                break
    if collector.root is None:
        raise ImportFileError(f"{path} is empty")


def _drain(collector: _Collector) -> Iterator[CallEvent | Rejected]:
    for line, attrs in collector.calls:
        try:
            yield parse_call(attrs)
        except RowError as exc:
            yield Rejected(line, str(exc))
    collector.calls.clear()


def parse_call(a: dict[str, str]) -> CallEvent:
    number = a.get("number", "").strip()
    try:
        kind = TYPES[int(a.get("type", ""))]
    except (KeyError, ValueError):
        raise RowError(f"type: expected 1 to 7, found {a.get('type')!r}") from None
    millis = parse_int(a.get("date", ""), "date")
    if not millis:
        raise RowError("date: missing")
    started = epoch_time(millis / 1000, "date")
    talk = parse_int(a.get("duration", "0"), "duration")
    direction, status = kind
    if status == "answered" and direction == "outbound" and not talk:
        status = "cancelled"  # dialled, nobody picked up
    answered = status == "answered" and int(a["type"]) != 7
    name = a.get("contact_name", "").strip()
    return CallEvent(
        source=SOURCE,
        source_call_id=f"{millis}:{only_digits(number) or number}",
        kind="record",
        direction=direction,
        status=status,
        remote_raw=number,
        started_at=started,
        remote_name="" if name == "(Unknown)" else name,
        local_party=a.get("subscription_id", "").strip(),
        answered_at=started if answered else None,
        ended_at=started + timedelta(seconds=talk),
        duration_s=talk,
        billsec_s=talk if answered else 0,
        hangup_cause="answered on another device" if a["type"].strip() == "7" else "",
        raw={"presentation": PRESENTATION.get(a.get("presentation", "1").strip(), "allowed")},
    )
