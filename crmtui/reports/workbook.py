"""Drawing a :class:`Report` as an xlsx workbook with a native Excel chart.

The first sheet holds the title, the period, the table (with a totals row)
and a chart drawn by Excel from the table's cells; a second sheet, when the
report has one, lists the records behind the figures. The workbook is
written beside the target and renamed, so a failed report leaves no file.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from .model import Column, Report, Table

FIRST_ROW = 3  # title, period, blank, then the header
_NUMBER = {"int": "#,##0", "money": "#,##0.00", "percent": "0%", "seconds": "[h]:mm:ss"}


class _Formats:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.cells = {k: book.add_format({"num_format": v}) for k, v in _NUMBER.items()}
        self.totals = {
            k: book.add_format({"num_format": v, "bold": True, "top": 1})
            for k, v in _NUMBER.items()
        }
        self.total_text = book.add_format({"bold": True, "top": 1})


def _value(column: Column, value: Any) -> Any:
    if column.kind == "seconds":
        return int(value) / 86400  # Excel durations are fractions of a day
    if isinstance(value, Decimal):
        return float(value)
    return value


def _write_table(sheet: Any, formats: _Formats, table: Table, first: int) -> int:
    """Header at row ``first``, rows below, totals last; returns the last data row."""
    for col, column in enumerate(table.columns):
        sheet.write_string(first, col, column.title, formats.header)
        sheet.set_column(col, col, max(12, len(column.title) + 2))
    row = first
    for row, values in enumerate(table.rows, first + 1):
        _write_row(sheet, table.columns, values, row, formats.cells, None)
    if table.totals is not None:
        _write_row(sheet, table.columns, table.totals, row + 1, formats.totals, formats.total_text)
    return row


def _write_row(
    sheet: Any,
    columns: tuple[Column, ...],
    values: tuple[Any, ...],
    row: int,
    numbers: dict[str, Any],
    text_format: Any,
) -> None:
    for col, (column, value) in enumerate(zip(columns, values, strict=True)):
        if column.kind == "text" or isinstance(value, str):
            sheet.write_string(row, col, str(value), text_format)
        else:
            sheet.write_number(row, col, _value(column, value), numbers[column.kind])


def _chart(book: Any, report: Report, sheet_name: str, last_row: int) -> Any:
    chart = book.add_chart({"type": report.chart.type})
    first = FIRST_ROW + 1
    categories = [sheet_name, first, 0, last_row, 0]
    for col in report.chart.values:
        chart.add_series(
            {
                "name": [sheet_name, FIRST_ROW, col],
                "categories": categories,
                "values": [sheet_name, first, col, last_row, col],
            }
        )
    chart.set_title({"name": report.chart.title})
    chart.set_y_axis({"name": report.chart.y_title})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 380})
    return chart


def write_report(report: Report, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.part")
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False})
    try:
        formats = _Formats(book)
        name = report.title[:31]
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, report.title, formats.title)
        sheet.write_string(1, 0, f"{report.period} - amounts in {report.currency}")
        last = _write_table(sheet, formats, report.table, FIRST_ROW)
        sheet.freeze_panes(FIRST_ROW + 1, 1)
        if report.table.rows:
            anchor = xl_rowcol_to_cell(FIRST_ROW, len(report.table.columns) + 1)
            sheet.insert_chart(anchor, _chart(book, report, name, last))
        if report.details is not None:
            details = book.add_worksheet("Details")
            _write_table(details, formats, report.details, 0)
            details.autofilter(0, 0, len(report.details.rows), len(report.details.columns) - 1)
        book.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path
