"""Call-log files: Asterisk Master.csv, Android XML, iOS call history, mapped CSV.

:func:`read_calls` picks the reader for a format and yields ``CallEvent``s and
``Rejected`` rows, ready for :class:`crmtui.telephony.processing.CallProcessor`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path

from ..events import CallEvent
from ..processing import Rejected
from . import android_xml, asterisk_csv, ios_db, mapped_csv
from .base import ImportFileError

FORMATS = ("asterisk-csv", "android-xml", "ios-db", "csv")


def read_calls(
    path: Path, fmt: str, *, zone: tzinfo, mapping: dict[str, str] | None = None
) -> Iterator[CallEvent | Rejected]:
    """The calls of ``path`` read as ``fmt``; raises ImportFileError when unusable."""
    if fmt == "asterisk-csv":
        return asterisk_csv.read(path, zone)
    if fmt == "android-xml":
        return android_xml.read(path)
    if fmt == "ios-db":
        return ios_db.read(path)
    if fmt == "csv":
        return mapped_csv.read(path, zone, mapping or {})
    raise ImportFileError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "ImportFileError", "Rejected", "read_calls"]
