"""Every contact as a line of our own CSV, read by a background thread.

Reading the store is half of a contact export; SQLite releases the GIL while
it steps a statement, so a thread can read the next page while the caller
writes this one. But a thread that needs the GIL for every row it fetches
gets it back only once per switch interval (5 ms) while the caller computes:
it would fetch a couple of hundred rows a second. So each page is fetched as
one value: SQLite joins the page's lines itself (fields separated by \\x1f,
lines by \\x1e) in a single step, without the GIL, and the caller splits
them. A page where a value holds one of those separators (the counts do not
add up) is read again row by row; so is nothing else. Every field is text
or an integer, never NULL (``LINE_COLUMNS`` coalesces them), so the split
fields are exactly the values a row-by-row read gives.

Companies come first, then people, each kind in rowid order (see
:mod:`.export_rows`); one read transaction (the caller's) holds the snapshot.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from sqlmodel import Session

from . import export_rows as rows

PAGE = 4000  # lines per page: big enough that the reader's GIL waits are rare
_WIDTH = len(rows.LINE_COLUMNS)
_FS, _RS = "\x1f", "\x1e"
# printf joins a line in one allocation, where "||" copied it once per field.
_LINE = f"printf('{_FS.join(['%s'] * _WIDTH)}', {', '.join(rows.LINE_COLUMNS)})"
_PAGE_SQL = f"""
SELECT group_concat(line, char(30)), count(*), max(id),
  sum(instr(line, char(30)) > 0
      OR length(line) - length(replace(line, char(31), '')) <> {_WIDTH - 1})
FROM (SELECT {_LINE} AS line, c.rowid AS id {rows.LINES_FROM})
"""
# The page's addresses as one JSON array of [contact id, label, street...].
_ADDRESSES_SQL = """
SELECT json_group_array(json_array(contact_id, label, street, postcode, city, region, country))
FROM (SELECT a.* FROM contact c JOIN contact_address a ON a.contact_id = c.id
      WHERE +c.kind = ? AND c.rowid > ? AND c.rowid <= ? ORDER BY c.rowid, a.position)
"""
_END = object()

# A page: its lines (joined, or as rows when a value held a separator), how
# many there are, and the address columns' JSON.
Page = tuple[str | list[Any], int, str]


def _read(conn: sqlite3.Connection, pages: queue.Queue[Any], stop: threading.Event) -> None:
    try:
        cur = conn.cursor()
        for kind in rows.KINDS:
            after = 0
            while not stop.is_set():
                text, count, last, odd = cur.execute(_PAGE_SQL, (kind, after, PAGE)).fetchone()
                if not count:
                    break
                lines = cur.execute(rows.LINES, (kind, after, PAGE)).fetchall() if odd else text
                found = cur.execute(_ADDRESSES_SQL, (kind, after, last)).fetchone()[0]
                pages.put((lines, count, found))
                after = last
        pages.put(_END)
    except BaseException as exc:  # raised again in the caller's thread
        pages.put(exc)


def _lines(page: Page) -> Iterator[list[str]]:
    lines, count, found = page
    addresses = rows.address_columns(json.loads(found))
    if isinstance(lines, list):
        for r in lines:
            yield rows.line(r, addresses)
        return
    split = lines.split(_RS)
    if len(split) != count:  # a NULL would have dropped a line: never silently
        raise RuntimeError(f"contact export: {len(split)} lines read for {count}")
    for text in split:
        yield rows.line(text.split(_FS), addresses)


def contact_lines(session: Session) -> Iterator[list[str]]:
    """Every contact as a line of our own CSV (``OWN_CONTACT_COLUMNS``),
    companies first, so that a re-import finds each company before its people."""
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    pages: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()
    reader = threading.Thread(target=_read, args=(conn, pages, stop), name="export-read")
    reader.start()
    try:
        while (page := pages.get()) is not _END:
            if isinstance(page, BaseException):
                raise page
            yield from _lines(page)
    finally:
        stop.set()
        while reader.is_alive():  # a reader blocked on a full queue finishes
            with suppress(queue.Empty):
                pages.get(timeout=0.05)
        reader.join()
