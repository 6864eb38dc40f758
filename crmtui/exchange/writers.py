"""Writing rows to CSV, JSON or xlsx one at a time, in constant memory.

Every writer fills a temporary file beside the target and renames it at the
end, so an interrupted export never leaves half a file under the real name.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import IO, Any, Protocol

from .xlsx_stream import XlsxStream

FORMATS = ("csv", "json", "xlsx")


class RowWriter(Protocol):
    def write(self, row: list[Any]) -> None: ...

    def finish(self) -> None: ...

    def abort(self) -> None: ...


class _Atomic:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.part")

    def publish(self) -> None:
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


class CsvRows(_Atomic):
    """UTF-8 with a BOM, so that Excel shows accents right; our importer
    reads it either way."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        super().__init__(path)
        self._fh: IO[str] = self.tmp.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(columns)

    def write(self, row: list[Any]) -> None:
        self._writer.writerow(["" if v is None else v for v in row])

    def finish(self) -> None:
        self._fh.close()
        self.publish()

    def abort(self) -> None:
        self._fh.close()
        super().abort()


class JsonRows(_Atomic):
    """A JSON array of objects, written one object per line as they come."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        super().__init__(path)
        self._columns = columns
        self._fh: IO[str] = self.tmp.open("w", encoding="utf-8")
        self._fh.write("[")
        self._first = True

    def write(self, row: list[Any]) -> None:
        record = dict(zip(self._columns, row, strict=True))
        self._fh.write(("\n" if self._first else ",\n") + json.dumps(record, ensure_ascii=False))
        self._first = False

    def finish(self) -> None:
        self._fh.write("\n]\n")
        self._fh.close()
        self.publish()

    def abort(self) -> None:
        self._fh.close()
        super().abort()


class XlsxRows(_Atomic):
    """One streamed worksheet (see :mod:`.xlsx_stream`): each row is deflated
    into the file as it comes, so a million rows take no more memory than ten."""

    def __init__(self, path: Path, columns: list[str], sheet: str = "Export") -> None:
        super().__init__(path)
        self._stream = XlsxStream(self.tmp, columns, sheet)

    def write(self, row: list[Any]) -> None:
        self._stream.write(row)

    def finish(self) -> None:
        self._stream.close()
        self.publish()

    def abort(self) -> None:
        self._stream.close()
        super().abort()


def open_writer(fmt: str, path: Path, columns: list[str], sheet: str = "Export") -> RowWriter:
    if fmt == "csv":
        return CsvRows(path, columns)
    if fmt == "json":
        return JsonRows(path, columns)
    if fmt == "xlsx":
        return XlsxRows(path, columns, sheet)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
