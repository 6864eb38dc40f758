"""Opening a text file someone else wrote: encoding, delimiter, line numbers.

The whole file is checked once before any row is read (a binary file, or
UTF-8 that breaks on the last megabyte, is refused before anything is
written), and the same pass gives the file's digest, from which imported
records get ids that are the same on every run.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

SAMPLE = 1 << 20
# Bytes cp1252 leaves undefined: a file holding them can only be latin-1.
_CP1252_HOLES = frozenset(b"\x81\x8d\x8f\x90\x9d")
DELIMITERS = (",", ";", "\t")
# A 100 MB cell is a broken quote swallowing the file, not data.
csv.field_size_limit(1 << 20)


class UnusableFile(Exception):
    """The file cannot be imported at all; the message says why."""


@dataclass(frozen=True, slots=True)
class TextInfo:
    path: Path
    encoding: str
    digest: str
    size: int
    first_line: str


@dataclass(slots=True)
class Record:
    """One row (or one vCard) as read, before it becomes mutation arguments."""

    line: int
    payload: object | None = None
    raw: list[str] = field(default_factory=list)
    error: str | None = None


class CountingReader(io.RawIOBase):
    """A binary file that remembers how many bytes were read (for progress)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def guess_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else cp1252 or latin-1."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _CP1252_HOLES & set(sample):
        return "latin-1"
    # Bytes 0x80-0x9f are curly quotes and the euro sign in cp1252, control
    # codes nobody types in latin-1; above 0x9f both decode alike.
    return "cp1252" if any(0x80 <= b <= 0x9F for b in sample) else "latin-1"


def inspect(path: Path) -> TextInfo:
    """Check the whole file is text in one encoding; refuse it otherwise."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE)
            if not sample.strip(b"\r\n\t \xef\xbb\xbf"):
                raise UnusableFile(f"{path}: the file is empty")
            encoding = guess_encoding(sample)
            if b"\x00" in sample and encoding != "utf-16":
                raise UnusableFile(f"{path}: this is a binary file, not text (CSV or vCard)")
            fh.seek(0)
            digest = _check_decodes(fh, encoding, path)
    except OSError as exc:
        raise UnusableFile(f"{path}: {exc.strerror or exc}") from None
    first = sample[:65536].decode(encoding, errors="replace").lstrip("\ufeff")
    return TextInfo(path, encoding, digest, size, first.split("\n", 1)[0])


def _check_decodes(fh: BinaryIO, encoding: str, path: Path) -> str:
    decoder = codecs.getincrementaldecoder(encoding)()
    digest = hashlib.sha256()
    line = 1
    while chunk := fh.read(SAMPLE):
        digest.update(chunk)
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            raise UnusableFile(
                f"{path}: line {line}: the file mixes encodings (read as {encoding})"
            ) from None
        line += text.count("\n")
    return digest.hexdigest()


def open_text(info: TextInfo) -> tuple[io.TextIOWrapper, CountingReader]:
    counter = CountingReader(info.path.open("rb"))
    buffered = io.BufferedReader(counter, buffer_size=1 << 16)
    return io.TextIOWrapper(buffered, encoding=info.encoding, newline=""), counter


def guess_delimiter(header_line: str) -> str:
    """The separator used most in the header line, outside quotes."""
    outside = header_line.split('"')[::2]
    counts = {d: sum(part.count(d) for part in outside) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvSource:
    """Rows of a CSV file with the line each starts on; the header first."""

    def __init__(self, info: TextInfo) -> None:
        self.info = info
        self._text, self._counter = open_text(self.info)
        self.delimiter = guess_delimiter(self.info.first_line)
        self._reader = csv.reader(self._text, delimiter=self.delimiter, strict=True)
        self.header = self._read_header()

    @property
    def bytes_read(self) -> int:
        return self._counter.count

    def _read_header(self) -> list[str]:
        try:
            header = next(self._reader)
        except (StopIteration, csv.Error) as exc:
            raise UnusableFile(f"{self.info.path}: line 1: no readable header ({exc})") from None
        header = [h.strip() for h in header]
        if not any(header):
            raise UnusableFile(f"{self.info.path}: line 1: the header row is empty")
        return header

    def rows(self) -> Iterator[Record]:
        """Every data row; a row that cannot be read is a Record with an error."""
        width = len(self.header)
        while True:
            start = self._reader.line_num + 1
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(start, error=f"broken quoting ({exc})")
                continue
            if not row or row == [""]:
                continue
            if len(row) != width:
                yield Record(start, raw=row, error=f"expected {width} columns, found {len(row)}")
                continue
            yield Record(start, payload=dict(zip(self.header, row, strict=True)), raw=row)

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
