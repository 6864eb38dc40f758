"""Asterisk ``Master.csv`` (cdr_csv): one row per leg, no header.

Columns, in the order ``cdr_csv.c`` writes them: accountcode, src, dst,
dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end,
duration, billsec, disposition, amaflags; then uniqueid (``loguniqueid``),
userfield (``loguserfield``), and peeraccount, linkedid, sequence
(``newcdrcolumns``): 16, 17, 18 or 21 columns. Times are local (``zone``)
unless the PBX logs GMT (pass UTC).

A call's key is its linkedid (every leg of a queue or a transfer shares it),
else the uniqueid of the calling channel (which forked legs share), else the
row's content. Direction: an external ``src`` calling in is inbound; an
extension calling an external ``dst`` is outbound; extension to extension is
internal.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path

from ..events import CallEvent, Direction
from ..processing import Rejected
from .base import (
    ImportFileError,
    LocalTimes,
    RowError,
    channel_party,
    is_extension,
    open_text,
    parse_int,
    row_key,
)

SOURCE = "asterisk-csv"
WIDTHS = (16, 17, 18, 21)
# NO ANSWER is left to the state rules: missed inbound, cancelled outbound.
DISPOSITIONS = {
    "ANSWERED": "answered",
    "NO ANSWER": "",
    "BUSY": "busy",
    "FAILED": "failed",
    "CONGESTION": "failed",
}
_CLID = re.compile(r'^\s*"?(?P<name>[^"<]*?)"?\s*<(?P<number>[^>]*)>\s*$')
GIVE_UP_AFTER = 100  # rows in a row that fail before the file is called unusable


def read(path: Path, zone: tzinfo) -> Iterator[CallEvent | Rejected]:
    """The legs of ``path`` as events, and the rows that cannot be used."""
    times = LocalTimes(zone)
    with open_text(path) as fh:
        reader = csv.reader(fh)
        line, good, bad = 1, 0, 0
        try:
            for row in reader:
                first, line = line, reader.line_num + 1
                if not "".join(row).strip():  # a blank line
                    continue
                try:
                    yield parse_row(row, times, first)
                    good += 1
                except RowError as exc:
                    bad += 1
                    if not good and bad >= GIVE_UP_AFTER:
                        raise ImportFileError(
                            f"{path} does not look like an Asterisk Master.csv "
                            f"(line {first}: {exc})"
                        ) from None
                    yield Rejected(first, str(exc))
        except csv.Error as exc:
            yield Rejected(line, f"unreadable CSV ({exc}); the rest of the file was skipped")


def parse_row(row: list[str], times: LocalTimes, line: int) -> CallEvent:
    if len(row) not in WIDTHS:
        raise RowError(f"expected 16, 17, 18 or 21 columns, found {len(row)}")
    src, dst, clid, channel, dstchannel = row[1], row[2], row[4], row[5], row[6]
    disposition = row[14].strip().upper()
    if disposition not in DISPOSITIONS:
        raise RowError(f"disposition: unknown {row[14]!r}")
    started = times(row[9], "start")
    answered = times(row[10], "answer") if row[10].strip() else None
    ended = times(row[11], "end") if row[11].strip() else None
    direction, remote, local = _parties(src, dst, channel, dstchannel)
    name = _clid_name(clid) if direction == "inbound" else ""
    return CallEvent(
        source=SOURCE,
        source_call_id=_call_id(row),
        kind="record",
        direction=direction,
        status=DISPOSITIONS[disposition],
        remote_raw=remote.strip(),
        started_at=started,
        remote_name=name,
        local_party=local,
        answered_at=answered,
        ended_at=ended,
        duration_s=parse_int(row[12], "duration"),
        billsec_s=parse_int(row[13], "billsec"),
        hangup_cause=disposition,
        raw={"line": line},
    )


def _call_id(row: list[str]) -> str:
    linkedid = row[19].strip() if len(row) == 21 else ""
    uniqueid = row[16].strip() if len(row) >= 17 else ""
    return linkedid or uniqueid or row_key(row)


def _parties(src: str, dst: str, channel: str, dstchannel: str) -> tuple[Direction, str, str]:
    """(direction, remote number, local party) of one leg."""
    if not is_extension(src):
        return "inbound", src, channel_party(dstchannel) or dst.strip()
    if not is_extension(dst):
        return "outbound", dst, src.strip() or channel_party(channel)
    return "internal", dst, src.strip()


def _clid_name(clid: str) -> str:
    """The caller's name from ``"Zoé Martin" <0612345678>``, if it is not just
    the number again."""
    found = _CLID.match(clid)
    if not found:
        return ""
    name = found.group("name").strip()
    return "" if not name or name == found.group("number").strip() else name
