"""The streaming xlsx writer: what openpyxl reads back is what was written."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from crmtui.exchange.export import export
from crmtui.exchange.xlsx_stream import XLSX_CELL_MAX, XlsxStream, column_letters
from crmtui.store import Store

COLUMNS = ["text", "number", "flag", "empty", "last"]
ROWS: list[list[object]] = [
    ['Zoé <Acme> & "fils"', 42, True, None, "x"],
    ["  padded\nsecond line ", -1.5, False, "", ""],
    ["bell\x07 and tab\t", 0, None, None, None],
    ["a" * (XLSX_CELL_MAX + 10), 10**12, True, "", "end"],
]
EXPECTED = [
    ('Zoé <Acme> & "fils"', 42, True, None, "x"),
    ("  padded\nsecond line ", -1.5, False, None, None),
    # XML cannot hold a control character: Excel reads _x0007_ back as one,
    # openpyxl shows the escape.
    ("bell_x0007_ and tab\t", 0, None, None, None),
    ("a" * XLSX_CELL_MAX, 10**12, True, None, "end"),
]


def _write(path: Path) -> None:
    book = XlsxStream(path, COLUMNS, sheet="Contacts & co")
    for row in ROWS:
        book.write(row)
    book.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_values_read_back(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "out.xlsx"
    _write(path)
    book = openpyxl.load_workbook(path, read_only=read_only)
    sheet = book.active
    assert sheet is not None and sheet.title == "Contacts & co"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(COLUMNS)
    assert rows[1:] == EXPECTED


def test_header_is_bold_and_frozen(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    _write(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and not sheet["A2"].font.b


def test_column_letters() -> None:
    assert [column_letters(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "ZZ",
        "AAA",
    ]


def test_contacts_xlsx_holds_what_the_csv_holds(tmp_path: Path, store: Store) -> None:
    store.mutate(
        "contact.create",
        {"id": "c-acme", "kind": "company", "company_name": "Acme", "tags": ["VIP", "B2B"]},
    )
    store.mutate(
        "contact.create",
        {
            "id": "c-zoe",
            "first_name": "Zoé",
            "last_name": "Martin",
            "company_id": "c-acme",
            "social": {"linkedin": "zoé"},
            "phones": [{"raw": "06 12 34 56 78", "label": "mobile"}, {"raw": "01 02 03 04 05"}],
            "emails": [{"address": "zoe@acme.example"}],
            "addresses": [{"city": "Lyon"}, {"label": "home", "city": "Nice", "country": "FR"}],
        },
    )
    assert export(store, "contacts", "xlsx", tmp_path / "c.xlsx") == 2
    assert export(store, "contacts", "csv", tmp_path / "c.csv") == 2
    with (tmp_path / "c.csv").open(encoding="utf-8-sig", newline="") as fh:
        from_csv = [tuple(v or None for v in row) for row in csv.reader(fh)]
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx", read_only=True).active
    assert sheet is not None
    from_xlsx = list(sheet.iter_rows(values_only=True))
    assert from_xlsx == from_csv
    zoe = dict(zip(from_csv[0], from_csv[2], strict=True))
    assert zoe["phones"] == "mobile: 06 12 34 56 78\nwork: 01 02 03 04 05"
    assert zoe["company"] == "Acme" and zoe["city"] == "Lyon"
    assert zoe["social"] == '{"linkedin": "zoé"}'
    assert '"city": "Nice"' in str(zoe["other_addresses"])
