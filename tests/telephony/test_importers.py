"""The call-log readers, each on fixture files written here, edge cases included."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crmtui.telephony.events import CallEvent
from crmtui.telephony.importers import ImportFileError, read_calls
from crmtui.telephony.importers.base import LocalTimes, RowError, parse_time
from crmtui.telephony.importers.mapped_csv import parse_map
from crmtui.telephony.processing import Rejected

PARIS = ZoneInfo("Europe/Paris")
BASE = (
    '"","0612345678","201","from-pstn","""Zoé, Martin"" <0612345678>","SIP/trunk-01",'
    '"SIP/201-02","Dial","SIP/201","2026-03-02 10:00:00","2026-03-02 10:00:05",'
    '"2026-03-02 10:01:05",65,60,"ANSWERED","DOCUMENTATION"'
)


def _events(items: list[CallEvent | Rejected]) -> list[CallEvent]:
    return [i for i in items if isinstance(i, CallEvent)]


def _rejected(items: list[CallEvent | Rejected]) -> list[Rejected]:
    return [i for i in items if isinstance(i, Rejected)]


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("", None),
        (',"1709370000.1"', "1709370000.1"),
        (',"1709370000.1",""', "1709370000.1"),
        (',"1709370000.2","","","1709370000.1",7', "1709370000.1"),
    ],
    ids=["16", "17", "18", "21"],
)
def test_asterisk_every_width(tmp_path: Path, extra: str, key: str | None) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(BASE + extra + "\n", encoding="utf-8")
    (ev,) = _events(list(read_calls(path, "asterisk-csv", zone=PARIS)))
    assert ev.source_call_id == key if key else ev.source_call_id.startswith("row:")
    assert (ev.direction, ev.status, ev.remote_raw, ev.remote_name) == (
        "inbound",
        "answered",
        "0612345678",
        "Zoé, Martin",
    )
    assert ev.local_party == "201"
    assert ev.started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Paris is UTC+1 in March
    assert (ev.duration_s, ev.billsec_s) == (65, 60)


def test_asterisk_empty_answer_directions_and_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    lines = [
        '"","201","0033612345678","from-internal","""Desk"" <201>","SIP/201-1","SIP/trunk-2",'
        '"Dial","x","2026-03-02 11:00:00","","2026-03-02 11:00:20",20,0,"NO ANSWER","DOC"',
        '"","201","202","from-internal","","SIP/201-1","SIP/202-2","Dial","x",'
        '"2026-03-02 12:00:00","2026-03-02 12:00:02","2026-03-02 12:00:10",10,8,"ANSWERED","DOC"',
        '"only","three","columns"',
        '"","0612","201","c","a multi\nline clid","x","y","z","w","not a date","","",1,1,'
        '"ANSWERED","DOC"',
        BASE.replace('"ANSWERED"', '"EXPLODED"'),
        BASE.replace(",65,60,", ",sixty,60,"),
        "",
        BASE,
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_calls(path, "asterisk-csv", zone=UTC))
    out, internal, ok = _events(items)
    assert (out.direction, out.status, out.answered_at, out.remote_raw) == (
        "outbound",
        "",
        None,
        "0033612345678",
    )
    assert (internal.direction, internal.remote_raw, internal.local_party) == (
        "internal",
        "202",
        "201",
    )
    assert ok.status == "answered"
    rejected = [(r.line, r.reason.split(":")[0]) for r in _rejected(items)]
    assert rejected == [
        (3, "expected 16, 17, 18 or 21 columns, found 3"),
        (4, "start"),
        (6, "disposition"),
        (7, "duration"),
    ]


def test_asterisk_file_of_something_else_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("name,phone\n" + "Zoé,0612345678\n" * 150, encoding="utf-8")
    with pytest.raises(ImportFileError, match="does not look like"):
        list(read_calls(path, "asterisk-csv", zone=UTC))
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02" * 10)
    with pytest.raises(ImportFileError, match="binary"):
        list(read_calls(binary, "asterisk-csv", zone=UTC))
    with pytest.raises(ImportFileError):
        list(read_calls(tmp_path / "missing.csv", "asterisk-csv", zone=UTC))


ANDROID = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<calls count="9" backup_set="x" backup_date="1700000000000" type="full">
  <call number="+4930123456" duration="65" date="1700000000000" type="1" presentation="1"
        contact_name="Hans" readable_date="14 nov. 2023" subscription_id="1" />
  <call number="0612345678" duration="30" date="1700000100000" type="2" presentation="1" />
  <call number="0612345678" duration="0" date="1700000200000" type="2" presentation="1" />
  <call number="0612345678" duration="0" date="1700000300000" type="3" presentation="1"
        contact_name="(Unknown)" />
  <call number="0612345678" duration="12" date="1700000400000" type="4" presentation="1" />
  <call number="0612345678" duration="0" date="1700000500000" type="5" presentation="1" />
  <call number="0612345678" duration="0" date="1700000600000" type="6" presentation="1" />
  <call number="0612345678" duration="0" date="1700000700000" type="7" presentation="1" />
  <call number="-2" duration="0" date="1700000800000" type="3" presentation="2" />
  <call number="0612345678" duration="0" date="1700000900000" type="9" presentation="1" />
  <call number="0612345678" duration="5" presentation="1" type="1" />
</calls>
"""


def test_android_types_one_to_seven_presentation_and_bad_calls(tmp_path: Path) -> None:
    path = tmp_path / "calls.xml"
    path.write_text(ANDROID, encoding="utf-8")
    items = list(read_calls(path, "android-xml", zone=UTC))
    got = [(e.direction, e.status) for e in _events(items)]
    assert got == [
        ("inbound", "answered"),
        ("outbound", "answered"),
        ("outbound", "cancelled"),
        ("inbound", "missed"),
        ("inbound", "voicemail"),
        ("inbound", "rejected"),
        ("inbound", "blocked"),
        ("inbound", "answered"),
        ("inbound", "missed"),
    ]
    first = _events(items)[0]
    assert first.started_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert first.ended_at == first.started_at + timedelta(seconds=65)
    assert (first.remote_name, first.billsec_s, first.local_party) == ("Hans", 65, "1")
    assert _events(items)[3].remote_name == ""
    assert _events(items)[-1].raw["presentation"] == "restricted"
    assert [(r.line, r.reason.split(":")[0]) for r in _rejected(items)] == [
        (14, "type"),
        (15, "date"),
    ]


def test_android_broken_xml_keeps_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "calls.xml"
    head = ANDROID.split('<call number="0612345678" duration="0" date="1700000200000"')[0]
    path.write_text(head + "<call number=", encoding="utf-8")
    items = list(read_calls(path, "android-xml", zone=UTC))
    assert len(_events(items)) == 2
    assert "broken XML" in _rejected(items)[0].reason
    other = tmp_path / "other.xml"
    other.write_text("<smses><sms/></smses>", encoding="utf-8")
    with pytest.raises(ImportFileError, match="<smses>"):
        list(read_calls(other, "android-xml", zone=UTC))


def _ios_db(path: Path, rows: list[tuple[object, ...]]) -> None:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZADDRESS, ZDATE TIMESTAMP, "
        "ZDURATION FLOAT, ZORIGINATED INTEGER, ZANSWERED INTEGER, ZCALLTYPE INTEGER, "
        "ZUNIQUE_ID VARCHAR, ZNAME VARCHAR)"
    )
    conn.executemany("INSERT INTO ZCALLRECORD VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.commit()
    conn.close()


def test_ios_call_history(tmp_path: Path) -> None:
    path = tmp_path / "CallHistory.storedata"
    _ios_db(
        path,
        [
            (1, "+48512345678", 731_000_000.5, 42.4, 0, 1, 1, "A-1", "Jan"),
            (2, b"0612345678", 731_000_100.0, 0.0, 1, 0, 1, "A-2", None),
            (3, "0612345678", 731_000_200.0, 7.0, 1, 0, 16, None, None),
            (4, "0612345678", 731_000_300.0, 0.0, 0, 0, 1, "A-4", None),
            (5, "0612345678", None, 0.0, 0, 0, 1, "A-5", None),
        ],
    )
    items = list(read_calls(path, "ios-db", zone=UTC))
    got = [(e.source_call_id, e.direction, e.status, e.billsec_s) for e in _events(items)]
    assert got == [
        ("A-1", "inbound", "answered", 42),
        ("A-2", "outbound", "cancelled", 0),
        ("pk:3", "outbound", "answered", 7),
        ("A-4", "inbound", "missed", 0),
    ]
    apple_epoch = datetime(2001, 1, 1, tzinfo=UTC)
    assert _events(items)[0].started_at == apple_epoch + timedelta(seconds=731_000_000.5)
    assert _events(items)[1].remote_raw == "0612345678"
    assert [r.line for r in _rejected(items)] == [5]


def test_ios_refuses_what_is_not_a_call_history(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not an SQLite"):
        list(read_calls(text, "ios-db", zone=UTC))
    other = tmp_path / "b.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ImportFileError, match="no ZCALLRECORD"):
        list(read_calls(other, "ios-db", zone=UTC))


def test_mapped_csv_with_a_map_semicolons_and_durations(tmp_path: Path) -> None:
    path = tmp_path / "cdr.csv"
    path.write_text(
        "Id;Caller;Way;Result;Start;Talk\n"
        "c1;+33 6 12 34 56 78;in;ANSWERED;2026-03-02T10:00:00+01:00;0:01:05\n"
        "c2;0612345678;out;NO ANSWER;1772442000;\n"
        "c3;0612345678;sideways;answered;2026-03-02 10:00:00;5\n"
        "c4;0612345678;in;answered;yesterday;5\n",
        encoding="utf-8",
    )
    mapping = parse_map(
        [
            "Id=call_id",
            "Caller=remote",
            "Way=direction",
            "Result=status",
            "Start=started_at",
            "Talk=billsec",
        ]
    )
    items = list(read_calls(path, "csv", zone=PARIS, mapping=mapping))
    one, two = _events(items)
    assert (one.source_call_id, one.direction, one.status, one.billsec_s) == (
        "c1",
        "inbound",
        "answered",
        65,
    )
    assert one.started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert (two.direction, two.status) == ("outbound", "")
    assert two.started_at == datetime.fromtimestamp(1772442000, UTC)
    assert [(r.line, r.reason.split(":")[0]) for r in _rejected(items)] == [
        (4, "direction"),
        (5, "started_at"),
    ]


def test_mapped_csv_needs_its_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "cdr.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="no column for remote"):
        list(read_calls(path, "csv", zone=UTC))
    with pytest.raises(ImportFileError, match="unknown field"):
        parse_map(["a=colour"])
    with pytest.raises(ImportFileError, match="no column 'z'"):
        list(read_calls(path, "csv", zone=UTC, mapping=parse_map(["z=remote", "b=started_at"])))


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"]
)
def test_local_times_give_parse_times_instant_across_dst(zone: str) -> None:
    """The per-hour offset shortcut gives what the zone's rules give, in the
    hour that does not exist, the hour that comes twice, and a half-hour shift
    (Lord Howe), and it passes other forms and bad text to ``parse_time``."""
    tz = ZoneInfo(zone)
    times = LocalTimes(tz)
    for day in (datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2026, 3, 8),
                datetime(2026, 11, 1), datetime(2026, 4, 5), datetime(2026, 10, 4)):  # fmt: skip
        at = day - timedelta(hours=2)
        while at < day + timedelta(hours=26):
            text = at.strftime("%Y-%m-%d %H:%M:%S")
            assert times(text, "start") == parse_time(text, tz, "start"), text
            at += timedelta(seconds=599)
    assert times("2026-01-05T09:00:00+02:00", "start") == datetime(2026, 1, 5, 7, tzinfo=UTC)
    with pytest.raises(RowError, match="start: not a date-time"):
        times("2026-13-05 09:00:00", "start")
