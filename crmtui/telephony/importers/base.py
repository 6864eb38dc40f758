"""What the call-log readers share: errors, text decoding, times, numbers.

A reader is a generator of ``CallEvent`` (kind ``record``) and ``Rejected``
(a row it could not use, with its line). It raises :class:`ImportFileError`
when the file as a whole cannot be read in that format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TextIO

from ...store.phones import MIN_MATCH_DIGITS

SAMPLE = 64 * 1024
READ_BUFFER = 1024 * 1024
_CHANNEL = re.compile(r"^[^/]+/([^-@;/]+)")


class ImportFileError(Exception):
    """The file cannot be read in the format asked for; says why."""


class RowError(ValueError):
    """One row is malformed; the message names the field."""


@contextmanager
def open_text(path: Path) -> Iterator[TextIO]:
    """The file as text: UTF-8 (with or without BOM), else Windows-1252, which
    is what PBX exports that are not UTF-8 nearly always are."""
    try:
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE)
    except OSError as exc:
        raise ImportFileError(f"{path}: {exc.strerror or exc}") from None
    if b"\x00" in sample:
        raise ImportFileError(f"{path} is a binary file, not text")
    encoding = "utf-8-sig"
    try:
        sample.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            encoding = "cp1252"
    # Large reads: each read releases the GIL, and the import's writer thread
    # then holds the reader up to a switch interval before it may go on.
    with path.open(encoding=encoding, errors="replace", newline="", buffering=READ_BUFFER) as fh:
        yield fh


def parse_time(text: str, zone: tzinfo, what: str) -> datetime:
    """An ISO-like date-time (``2026-01-05 09:00:00``); a naive one is in ``zone``."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise RowError(f"{what}: not a date-time {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


class LocalTimes:
    """:func:`parse_time` for one zone, fast for what PBXs write.

    A CDR file holds a million ``2026-01-05 09:00:00`` (naive, local): parsing
    each with its zone's rules costs more than reading the rest of the row.
    Within one hour of local time a zone's offset does not change, so it is
    looked up once per hour seen; a text in that exact form is then parsed by
    ``fromisoformat`` as UTC and shifted. An hour whose offset does change (a
    transition that is not on the hour), and every other form, go through
    :func:`parse_time`; both give the same instant, DST gaps and repeated
    hours included (the first of the two, as ``parse_time`` does)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self._offsets: dict[str, timedelta | None] = {}

    def __call__(self, text: str, what: str) -> datetime:
        text = text.strip()
        if len(text) != 19 or text[10] != " " or text[13] != ":" or text[16] != ":":
            return parse_time(text, self.zone, what)
        hour = text[:13]
        offset = self._offsets.get(hour, _UNKNOWN)
        if offset is _UNKNOWN:
            offset = self._offset(text)
        try:
            value = datetime.fromisoformat(text + "+00:00") if offset is not None else None
        except ValueError:
            value = None
        if value is None:
            return parse_time(text, self.zone, what)
        return value - offset if offset else value

    def _offset(self, text: str) -> timedelta | None:
        """The zone's offset through the hour ``text`` falls in; None when the
        text is not a date-time or the offset moves within that hour."""
        try:
            start = datetime.fromisoformat(text[:13] + ":00:00")
        except ValueError:
            return None  # not remembered: parse_time says what is wrong
        if len(self._offsets) > 100_000:
            self._offsets.clear()
        first = start.replace(tzinfo=self.zone).utcoffset()
        last = start.replace(minute=59, second=59, tzinfo=self.zone).utcoffset()
        offset = first if first == last else None
        self._offsets[text[:13]] = offset
        return offset


_UNKNOWN = timedelta(days=-99)  # a marker no zone uses


def epoch_time(seconds: float, what: str) -> datetime:
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        raise RowError(f"{what}: out of range {seconds!r}") from None


def parse_int(text: str, what: str) -> int:
    try:
        value = int(text.strip() or 0)
    except ValueError:
        raise RowError(f"{what}: not a whole number {text!r}") from None
    if value < 0:
        raise RowError(f"{what}: negative {value}")
    return value


def is_extension(number: str) -> bool:
    """An internal extension: only digits, fewer than a real number has."""
    text = number.strip()
    return 0 < len(text) < MIN_MATCH_DIGITS and text.isdecimal()  # isdecimal: what \d matches


def channel_party(channel: str) -> str:
    """The endpoint of an Asterisk channel name: ``PJSIP/201-0000001a`` -> ``201``."""
    found = _CHANNEL.match(channel.strip())
    return found.group(1) if found else ""


def row_key(cells: list[str]) -> str:
    """A content key for a row without an id: the same row in two overlapping
    files gets the same key, so importing both changes nothing twice."""
    digest = hashlib.sha1("\x1f".join(c.strip() for c in cells).encode(), usedforsecurity=False)
    return "row:" + digest.hexdigest()[:24]
