"""A minimal xlsx writer that streams one worksheet of plain rows.

xlsxwriter's ``constant_memory`` mode writes a few thousand rows a second: it
goes through its general cell machinery for every value. An export needs far
less: one sheet, a bold frozen header, strings and numbers. This writer
builds each row's XML with a few string operations and deflates it straight
into the zip member, so a million rows take seconds and no more memory than
one row. Strings are written inline (``t="inlineStr"``): a shared-string
table would have to be held in memory until the end. Empty cells are left
out, as Excel itself does, except the last one of each row (see ``write``).

Deflating is a third of the work; zlib and the file write release the GIL, so
a background thread deflates each chunk while the next chunk's XML is built
(see :class:`_Deflater`).
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from pathlib import Path
from typing import IO, Any

XLSX_CELL_MAX = 32_767
# Rows joined and deflated at a time: a few MB, so that the deflating thread
# waits for the GIL (up to 5 ms each time it comes back from zlib or the
# file) seldom compared to the work it is handed.
_FLUSH = 2048
_QUEUED = 3  # chunks waiting to be deflated at most: memory stays flat

# Characters XML 1.0 cannot hold are written as Excel's _xHHHH_ escapes.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
_ESCAPES.update({c: f"_x{c:04X}_" for c in range(32) if chr(c) not in "\t\n\r"})
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA..."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: str) -> str:
    value = value[:XLSX_CELL_MAX]
    return value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


_PRESERVED = '<t xml:space="preserve">'


class _Deflater:
    """Writes chunks of the sheet into its zip member from a background thread.

    ``write`` hands a chunk over and returns; the thread deflates and writes
    it. An error in the thread is raised by the next ``write`` or by ``close``.
    """

    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self._chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xlsx-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is None:  # after an error, drain so that write never blocks
                try:
                    self._sink.write(chunk)
                except BaseException as exc:  # raised again in the caller's thread
                    self._error = exc

    def write(self, chunk: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._chunks.put(chunk)

    def close(self) -> None:
        self._chunks.put(None)
        self._thread.join()
        self._sink.close()
        if self._error is not None:
            raise self._error


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_ML}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_SHEET_ML}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET_ML}.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATION}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATION}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATION}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
# Style 0 is the default cell, style 1 the bold header.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


class XlsxStream:
    """Write ``columns`` as a bold header, then rows with :meth:`write`; call
    :meth:`close` to finish the file."""

    def __init__(self, path: Path, columns: list[str], sheet: str = "Sheet1") -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        name = _text(sheet[:31]).replace('"', "&quot;")
        for member, body in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _ROOT_RELS),
            ("xl/workbook.xml", _WORKBOOK.format(name=name)),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            self._zip.writestr(member, body)
        self._sheet = _Deflater(self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True))
        self._letters = [column_letters(i) for i in range(len(columns))]
        self._last = self._letters[-1]
        self._pending: list[str] = [_SHEET_START]
        self._row = 1
        cells = "".join(
            f'<c r="{letter}1" t="inlineStr" s="1"><is><t>{_text(name)}</t></is></c>'
            for letter, name in zip(self._letters, columns, strict=True)
        )
        self._pending.append(f'<row r="1">{cells}</row>')

    def write(self, row: list[Any]) -> None:
        self._row += 1
        n = str(self._row)
        # One look at all the row's text decides whether any cell needs escaping
        # (rare): then every cell goes through _text, else none does. The
        # separator must be a character the pattern does not match.
        strings = [v for v in row if type(v) is str]
        probe = "\t".join(strings)
        plain = len(probe) <= XLSX_CELL_MAX and _NEEDS_ESCAPE.search(probe) is None
        if len(strings) == len(row) == len(self._letters):
            cells = self._text_cells(row if plain else [_text(v) for v in row], n)
        else:
            cells = self._cells(row, n, plain)
        self._pending.append(f'<row r="{n}">{"".join(cells)}</row>')
        if len(self._pending) >= _FLUSH:
            self._flush()

    def _text_cells(self, texts: list[str], n: str) -> list[str]:
        """The cells of a row of text only (a contact export's): one
        comprehension, no type tests. xml:space="preserve" only where a reader
        could trim something (strip returns the string itself when there is
        nothing to trim; it trims more than XML whitespace, which is harmless):
        on every cell it made a fifth of the bytes to deflate."""
        cells = [
            f'<c r="{letter}{n}" t="inlineStr"><is><t>{text}</t></is></c>'
            if text.strip() is text
            else f'<c r="{letter}{n}" t="inlineStr"><is>{_PRESERVED}{text}</t></is></c>'
            for letter, text in zip(self._letters, texts, strict=True)
            if text
        ]
        if not texts[-1]:
            cells.append(self._width_cell(n))
        return cells

    def _width_cell(self, n: str) -> str:
        # An empty last cell says how wide the row is to readers that, without
        # a <dimension> (unknown until the end), go by the cells.
        return f'<c r="{self._last}{n}"/>'

    def _cells(self, row: list[Any], n: str, plain: bool) -> list[str]:
        """The cells of any row: text, numbers, booleans, empty cells left out."""
        cells: list[str] = []
        add = cells.append
        last = ""
        for letter, value in zip(self._letters, row, strict=False):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                text = value if plain else _text(value)
            elif value is None:
                continue
            elif kind is bool:
                add(f'<c r="{letter}{n}" t="b"><v>{int(value)}</v></c>')
                last = letter
                continue
            elif kind is int or kind is float or isinstance(value, int | float):
                add(f'<c r="{letter}{n}"><v>{value!r}</v></c>')
                last = letter
                continue
            else:
                text = _text(str(value))
            if text.strip() is text:
                add(f'<c r="{letter}{n}" t="inlineStr"><is><t>{text}</t></is></c>')
            else:
                add(f'<c r="{letter}{n}" t="inlineStr"><is>{_PRESERVED}{text}</t></is></c>')
            last = letter
        if last != self._last:
            add(self._width_cell(n))
        return cells

    def _flush(self) -> None:
        self._sheet.write("".join(self._pending).encode("utf-8"))
        self._pending.clear()

    def close(self) -> None:
        self._pending.append(_SHEET_END)
        try:
            self._flush()
        finally:
            self._sheet.close()
            self._zip.close()
