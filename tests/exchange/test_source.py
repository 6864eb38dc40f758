"""Reading other people's files: encodings, delimiters, broken rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmtui.exchange.source import CsvSource, UnusableFile, guess_delimiter, inspect

ROWS = [
    ["Prénom", "Nom", "Société"],
    ["Zoé", "Lefèvre", "Crème & Co"],
    ["Łukasz", "Wąs", "Kraków, sp. z o.o."],
]


def _write(path: Path, rows: list[list[str]], sep: str, encoding: str) -> Path:
    text = "\r\n".join(sep.join(f'"{v}"' if sep in v else v for v in row) for row in rows)
    path.write_bytes((text + "\r\n").encode(encoding))
    return path


def _read(path: Path) -> tuple[CsvSource, list[dict[str, str]]]:
    source = CsvSource(inspect(path))
    with source:
        rows = [r.payload for r in source.rows()]
    return source, rows  # type: ignore[return-value]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_unicode_files_and_every_delimiter(tmp_path: Path, encoding: str, sep: str) -> None:
    source, rows = _read(_write(tmp_path / "in.csv", ROWS, sep, encoding))
    assert source.delimiter == sep
    assert source.header == ROWS[0]
    assert [list(r.values()) for r in rows] == ROWS[1:]


def test_cp1252_with_euro_and_curly_quotes(tmp_path: Path) -> None:
    rows = [["Nom", "Note"], ["Zoé", "“Prix” 10 €"]]
    source, read = _read(_write(tmp_path / "in.csv", rows, ";", "cp1252"))
    assert source.info.encoding == "cp1252"
    assert read == [{"Nom": "Zoé", "Note": "“Prix” 10 €"}]


def test_latin1(tmp_path: Path) -> None:
    # 0x81 is undefined in cp1252, so only latin-1 can read this file.
    path = tmp_path / "in.csv"
    path.write_bytes("Nom,Ville\nZoé,Besançon\n".encode("latin-1") + b"X\x81,Y\n")
    source, rows = _read(path)
    assert source.info.encoding == "latin-1"
    assert rows[0] == {"Nom": "Zoé", "Ville": "Besançon"}


def test_broken_rows_carry_their_line(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('a,b\n1,2\n3,4,5\n"multi\nline",6\n7,"x"y\n8,9\n', encoding="utf-8")
    source = CsvSource(inspect(path))
    with source:
        records = list(source.rows())
    assert [(r.line, r.error) for r in records] == [
        (2, None),
        (3, "expected 2 columns, found 3"),
        (4, None),
        (6, "broken quoting (',' expected after '\"')"),
        (7, None),
    ]
    assert records[2].payload == {"a": "multi\nline", "b": "6"}


def test_unterminated_quote_is_a_rejected_row_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('a,b\n1,2\n3,"never closed\n4,5\n', encoding="utf-8")
    source = CsvSource(inspect(path))
    with source:
        records = list(source.rows())
    assert records[0].error is None
    assert records[1].line == 3 and "broken quoting" in (records[1].error or "")


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_files_are_unusable(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(UnusableFile, match="empty"):
        inspect(path)


def test_binary_file_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(UnusableFile, match="binary"):
        inspect(path)


def test_encoding_broken_late_in_the_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    body = "".join(f"n{i},Zoé\n" for i in range(120_000)).encode("utf-8")
    path.write_bytes(b"name,city\n" + body + "Besançon,x\n".encode("latin-1"))
    assert path.stat().st_size > 1 << 20  # past the sample the encoding is guessed from
    with pytest.raises(UnusableFile, match="mixes encodings"):
        inspect(path)


def test_missing_file_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableFile, match="No such file"):
        inspect(tmp_path / "nope.csv")


def test_delimiter_ignores_separators_inside_quotes() -> None:
    assert guess_delimiter('"a,b,c";"d"') == ";"
    assert guess_delimiter("single") == ","
