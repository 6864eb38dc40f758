"""iOS call history: ``CallHistory.storedata`` (Core Data over SQLite).

Table ``ZCALLRECORD``: ``ZADDRESS`` (the number; text or a blob), ``ZDATE``
(seconds since 2001-01-01 UTC), ``ZDURATION`` (seconds), ``ZORIGINATED``
(1: outgoing), ``ZANSWERED``, ``ZCALLTYPE`` (1 phone, 8 FaceTime video,
16 FaceTime audio) and ``ZUNIQUE_ID``, the call's key. The file is opened
read-only and never changed; a rejected record is reported by its ``Z_PK``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..events import CallEvent
from ..processing import Rejected
from .base import ImportFileError, RowError, epoch_time

SOURCE = "ios-db"
APPLE_EPOCH = 978_307_200  # 2001-01-01 in Unix seconds
REQUIRED = ("Z_PK", "ZADDRESS", "ZDATE", "ZDURATION", "ZORIGINATED", "ZANSWERED")
OPTIONAL = ("ZUNIQUE_ID", "ZCALLTYPE", "ZNAME")


def _connect(path: Path) -> sqlite3.Connection:
    try:
        with path.open("rb") as fh:
            magic = fh.read(16)
    except OSError as exc:
        raise ImportFileError(f"{path}: {exc.strerror or exc}") from None
    if magic != b"SQLite format 3\x00":
        raise ImportFileError(f"{path} is not an SQLite database (CallHistory.storedata)")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _columns(conn: sqlite3.Connection, path: Path) -> list[str]:
    try:
        found = {r[1].upper() for r in conn.execute("PRAGMA table_info(ZCALLRECORD)")}
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"{path} cannot be read ({exc})") from None
    if not found:
        raise ImportFileError(f"{path} has no ZCALLRECORD table: not an iOS call history")
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise ImportFileError(f"{path}: ZCALLRECORD lacks {', '.join(missing)}")
    return [*REQUIRED, *(c for c in OPTIONAL if c in found)]


def read(path: Path) -> Iterator[CallEvent | Rejected]:
    conn = _connect(path)
    try:
        columns = _columns(conn, path)
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM ZCALLRECORD ORDER BY Z_PK")
        for values in rows:
            record = dict(zip(columns, values, strict=True))
            try:
                yield parse_record(record)
            except RowError as exc:
                yield Rejected(int(record["Z_PK"]), f"Z_PK {record['Z_PK']}: {exc}")
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"{path} cannot be read ({exc})") from None
    finally:
        conn.close()


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _number(value: Any, what: str) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        raise RowError(f"{what}: not a number {value!r}") from None


def parse_record(r: dict[str, Any]) -> CallEvent:
    if r["ZDATE"] is None:
        raise RowError("ZDATE: missing")
    started = epoch_time(APPLE_EPOCH + _number(r["ZDATE"], "ZDATE"), "ZDATE")
    talk = round(_number(r["ZDURATION"], "ZDURATION"))
    if talk < 0:
        raise RowError(f"ZDURATION: negative {talk}")
    outbound = bool(r["ZORIGINATED"])
    answered = bool(r["ZANSWERED"]) or (outbound and talk > 0)
    status = "answered" if answered else ("cancelled" if outbound else "missed")
    return CallEvent(
        source=SOURCE,
        source_call_id=_text(r.get("ZUNIQUE_ID")) or f"pk:{r['Z_PK']}",
        kind="record",
        direction="outbound" if outbound else "inbound",
        status=status,
        remote_raw=_text(r["ZADDRESS"]).strip(),
        started_at=started,
        remote_name=_text(r.get("ZNAME")).strip(),
        answered_at=started if answered else None,
        ended_at=started + timedelta(seconds=talk),
        duration_s=talk,
        billsec_s=talk if answered else 0,
        raw={"calltype": r.get("ZCALLTYPE")},
    )
