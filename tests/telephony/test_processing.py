"""Processing call events: keys, legs, merges across sources, state rules,
contacts for unknown numbers, the wrap-up, and replay of the outbox."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

import pytest

from crmtui.store import Store, open_store
from crmtui.store.mutations import apply
from crmtui.telephony.calllog import CallLog
from crmtui.telephony.events import CallEvent
from crmtui.telephony.importers import read_calls
from crmtui.telephony.processing import CallProcessor, resolve_status

from .helpers import T0, contact, event, rows

CDR_LINE = (
    '"","{src}","{dst}","from-pstn","","SIP/trunk-1","SIP/{ext}-2","Dial","x",'
    '"{start}","{answer}","{end}",{dur},{bill},"{disp}","DOC","{uid}","","","{link}",1'
)


def cdr(
    src: str,
    dst: str,
    link: str,
    uid: str,
    start: str,
    *,
    ext: str = "201",
    answered: bool = True,
    bill: int = 60,
) -> str:
    answer = start[:-2] + "05" if answered else ""
    end = start[:-5] + "01:05"
    return CDR_LINE.format(
        src=src,
        dst=dst,
        ext=ext,
        start=start,
        answer=answer,
        end=end,
        dur=65,
        bill=bill if answered else 0,
        disp="ANSWERED" if answered else "NO ANSWER",
        uid=uid,
        link=link,
    )


def run_file(store: Store, path: Path, **kw: object) -> object:
    return CallProcessor(store, region="FR", **kw).run(  # type: ignore[arg-type]
        read_calls(path, "asterisk-csv", zone=UTC)
    )


def state(store: Store) -> list[tuple[object, ...]]:
    return rows(
        store,
        "SELECT id, status, contact_id, started_at, ended_at, billsec_s, version "
        "FROM call ORDER BY id",
    )


def outbox(store: Store) -> int:
    return rows(store, "SELECT count(*) FROM _outbox")[0][0]


@pytest.fixture
def master(tmp_path: Path) -> Path:
    path = tmp_path / "Master.csv"
    path.write_text(
        "\n".join(
            [
                # a queue call: two members rang, 202 answered (three legs, one linkedid)
                cdr(
                    "0612345678",
                    "600",
                    "q1",
                    "q1",
                    "2026-03-02 09:00:00",
                    ext="201",
                    answered=False,
                ),
                cdr("0612345678", "600", "q1", "q1", "2026-03-02 09:00:00", ext="202"),
                cdr(
                    "0612345678",
                    "600",
                    "q1",
                    "q1",
                    "2026-03-02 09:00:00",
                    ext="203",
                    answered=False,
                ),
                cdr("+48 512 345 678", "201", "c2", "c2", "2026-03-02 10:00:00"),
                cdr("anonymous", "201", "c3", "c3", "2026-03-02 11:00:00", answered=False),
                cdr("201", "202", "c4", "c4", "2026-03-02 12:00:00"),
                cdr("0048512345678", "201", "c5", "c5", "2026-03-02 13:00:00", answered=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def test_import_collapses_legs_matches_and_creates_one_contact(store: Store, master: Path) -> None:
    zoe = contact(store, "Martin", "06 12 34 56 78")
    summary = run_file(store, master)
    assert (summary.rows, summary.legs, summary.new, summary.created) == (7, 2, 5, 1)  # type: ignore[attr-defined]
    calls = rows(
        store,
        "SELECT source_call_id, status, local_party, contact_id, remote_e164 "
        "FROM call ORDER BY started_at",
    )
    assert calls[0] == ("q1", "answered", "202", zoe, "+33612345678")
    polish = rows(store, "SELECT id, origin, display_name FROM contact WHERE origin = 'call'")
    assert len(polish) == 1 and polish[0][2] == "+48 512 345 678"
    assert calls[1][3] == calls[4][3] == polish[0][0]  # the same unknown number, one contact
    assert calls[2][3] is None and calls[3][3] is None  # withheld, internal: no contact
    assert calls[4][1] == "missed"


def test_same_file_twice_changes_nothing(store: Store, master: Path) -> None:
    run_file(store, master)
    before, queued = state(store), outbox(store)
    again = run_file(store, master)
    assert (again.new, again.merged, again.unchanged, again.created) == (0, 0, 5, 0)  # type: ignore[attr-defined]
    assert state(store) == before
    assert outbox(store) == queued  # not even an empty mutation


def test_overlapping_files_add_only_the_new_calls_and_legs(store: Store, tmp_path: Path) -> None:
    lines = [
        cdr("0612345678", "600", "q1", "q1", "2026-03-02 09:00:00", ext="201", answered=False)
    ] + [
        cdr(f"06123456{n:02d}", "201", f"c{n}", f"c{n}", f"2026-03-02 1{n % 10}:00:00")
        for n in range(10, 16)
    ]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    late_leg = cdr("0612345678", "600", "q1", "q1", "2026-03-02 09:00:00", ext="202")
    second.write_text("\n".join([*lines[2:], late_leg]) + "\n", encoding="utf-8")
    run_file(store, first)
    summary = run_file(store, second)
    assert (summary.new, summary.unchanged, summary.merged) == (3, 2, 1)  # type: ignore[attr-defined]
    assert rows(store, "SELECT count(*) FROM call")[0][0] == 7
    assert rows(store, "SELECT status, local_party FROM call WHERE source_call_id = 'q1'") == [
        ("answered", "202")
    ]


def test_live_events_then_the_cdr_make_one_call_with_both_keys(
    store: Store, tmp_path: Path
) -> None:
    zoe = contact(store, "Martin", "06 12 34 56 78")
    log = CallLog(store, region="FR")
    start = T0 + timedelta(seconds=2)  # the listener heard it 2 s after the PBX's start
    ring = log.record(
        CallEvent("ami", "1709370000.9", "ringing", "inbound", "ringing", "+33612345678", start)
    )
    assert ring.contact_id == zoe and log.lookup("06 12 34 56 78").contact_id == zoe
    log.record(
        CallEvent(
            "ami",
            "1709370000.9",
            "answered",
            "inbound",
            "",
            "+33612345678",
            start,
            answered_at=start + timedelta(seconds=4),
        )
    )
    log.record(
        CallEvent(
            "ami",
            "1709370000.9",
            "ended",
            "inbound",
            "",
            "+33612345678",
            start,
            answered_at=start + timedelta(seconds=4),
            ended_at=start + timedelta(seconds=63),
            billsec_s=59,
        )
    )
    assert rows(store, "SELECT status, billsec_s FROM call") == [("answered", 59)]
    path = tmp_path / "Master.csv"
    path.write_text(
        cdr("0612345678", "201", "other-id", "other-id", "2026-03-02 09:00:00") + "\n",
        encoding="utf-8",
    )
    summary = run_file(store, path)
    assert (summary.new, summary.merged) == (0, 1)  # type: ignore[attr-defined]
    ((call_id, started, billsec),) = rows(store, "SELECT id, started_at, billsec_s FROM call")
    assert started.startswith("2026-03-02 09:00:00") and billsec == 60
    keys = rows(store, "SELECT source FROM call_key WHERE call_id = :c ORDER BY source", c=call_id)
    assert keys == [("ami",), ("asterisk-csv",)]
    assert run_file(store, path).unchanged == 1  # type: ignore[attr-defined]


def test_calls_of_one_source_never_merge_into_each_other(store: Store) -> None:
    processor = CallProcessor(store, region="FR")
    processor.run([event("a", "0612345678"), event("b", "0612345678", minutes=1)])
    assert rows(store, "SELECT count(*) FROM call")[0][0] == 2


def test_wrapup_survives_later_imports_and_merges(store: Store, master: Path) -> None:
    zoe = contact(store, "Martin", "06 12 34 56 78")
    run_file(store, master)
    (call_id,) = rows(store, "SELECT id FROM call WHERE source_call_id = 'q1'")[0]
    store.mutate(
        "call.wrapup",
        {
            "id": call_id,
            "description": "Wants a quote",
            "notes": "Call back Monday",
            "outcome": "success",
            "person_id": zoe,
        },
    )
    later = CallProcessor(store, region="FR")
    later.run(
        [
            CallEvent(
                "asterisk-csv",
                "q1",
                "record",
                "inbound",
                "voicemail",
                "0612345678",
                T0 - timedelta(minutes=5),
                billsec_s=600,
            )
        ]
    )
    got = rows(
        store,
        "SELECT wrapup_description, wrapup_notes, wrapup_outcome, "
        "wrapup_person_id, billsec_s, status FROM call WHERE id = :i",
        i=call_id,
    )
    assert got == [("Wants a quote", "Call back Monday", "success", zoe, 600, "answered")]


def test_one_contact_per_unknown_number_across_batches_and_imports(store: Store) -> None:
    events = [
        event(f"k{i}", "+48 512 345 678" if i % 2 else "0048512345678", minutes=i) for i in range(7)
    ]
    CallProcessor(store, region="FR", batch_size=2).run(events[:4])
    CallProcessor(store, region="FR", batch_size=3).run(events[4:])
    assert rows(store, "SELECT count(*) FROM contact WHERE origin = 'call'") == [(1,)]
    assert rows(store, "SELECT count(DISTINCT contact_id) FROM call") == [(1,)]


def test_no_contacts_when_asked_not_to(store: Store) -> None:
    summary = CallProcessor(store, region="FR", create_contacts=False).run(
        [event("k1", "+48 512 345 678")]
    )
    assert (summary.created, summary.unmatched) == (0, 1)
    assert rows(store, "SELECT count(*) FROM contact") == [(0,)]


@pytest.mark.parametrize(
    ("kind", "direction", "status", "cause", "answered", "expected"),
    [
        ("ringing", "inbound", "", "", False, "ringing"),
        ("answered", "inbound", "", "", True, "answered"),
        ("ended", "inbound", "", "", False, "missed"),
        ("ended", "outbound", "no-answer", "", False, "cancelled"),
        ("ended", "inbound", "ringing", "487", False, "missed"),
        ("ended", "outbound", "", "486", False, "busy"),
        ("ended", "inbound", "", "603", False, "rejected"),
        ("ended", "inbound", "", "", True, "answered"),
        ("record", "inbound", "canceled", "", False, "cancelled"),
        ("record", "inbound", "completed", "", False, "answered"),
    ],
)
def test_state_rules(
    kind: str, direction: str, status: str, cause: str, answered: bool, expected: str
) -> None:
    ev = CallEvent(
        "sip",
        "x",
        kind,
        direction,
        status,
        "0612345678",
        T0,  # type: ignore[arg-type]
        answered_at=T0 if answered else None,
        hangup_cause=cause,
    )
    assert resolve_status(ev) == expected


def test_status_only_moves_forward(store: Store) -> None:
    log = CallLog(store, region="FR")
    log.record(
        event("s1", "0612345678", source="sip", kind="answered", status="answered", answered_at=T0)
    )
    log.record(event("s1", "0612345678", source="sip", kind="ringing", status="ringing"))
    log.record(event("s1", "0612345678", source="sip", kind="ended", status="missed"))
    assert rows(store, "SELECT status FROM call") == [("answered",)]


def test_outbox_replays_to_the_same_calls_elsewhere(
    store: Store, master: Path, tmp_path: Path
) -> None:
    run_file(store, master)
    entries = rows(store, "SELECT name, args FROM _outbox ORDER BY mutation_id")
    assert [name for name, _ in entries] == ["call.log_batch"]  # one row covers the batch
    replica = open_store(tmp_path / "replica.db")
    try:
        import json

        with replica.write() as session:
            ctx = replica.context(session)
            for name, args in entries:
                apply(session, ctx, name, json.loads(args))
        fields = "SELECT id, status, remote_e164, contact_id, started_at FROM call ORDER BY id"
        assert rows(replica, fields) == rows(store, fields)
        assert rows(replica, "SELECT id FROM contact") == rows(store, "SELECT id FROM contact")
    finally:
        replica.close()


def test_a_live_log_sees_contacts_added_between_calls(store: Store) -> None:
    log = CallLog(store, region="FR", create_contacts=False)
    assert log.record(event("a1", "0612345678", source="sip")).contact_id is None
    zoe = contact(store, "Martin", "06 12 34 56 78")
    assert log.record(event("a2", "0612345678", source="sip", minutes=5)).contact_id == zoe


def test_a_batch_of_cdr_rows_merges_into_the_live_calls_once_each(store: Store) -> None:
    """Many calls heard live, then their CDR rows in one batch: each row folds
    into its own live call (one statement reads them all), versions move once,
    and every call answers to both keys."""
    live = CallLog(store, region="FR")
    for n in range(6):
        live.record(
            event(f"live{n}", f"06123456{n:02d}", source="ami", minutes=10 * n, kind="ringing")
        )
    before = dict(rows(store, "SELECT remote_e164, version FROM call"))
    processor = CallProcessor(store, region="FR")
    for n in range(6):
        processor.add(
            event(f"cdr{n}", f"+33 6 12 34 56 {n:02d}", source="asterisk-csv", minutes=10 * n + 1,
                  billsec_s=40, answered_at=T0 + timedelta(minutes=10 * n + 1))
        )  # fmt: skip
    processor.flush()
    assert processor.summary.merged == 6 and processor.summary.new == 0
    after = rows(store, "SELECT remote_e164, version, status, billsec_s FROM call")
    assert len(after) == 6
    assert all(
        (version, status, bill) == (before[e164] + 1, "answered", 40)
        for e164, version, status, bill in after
    )
    keys = rows(store, "SELECT source, count(*) FROM call_key GROUP BY source ORDER BY source")
    assert keys == [("ami", 6), ("asterisk-csv", 6)]
    assert outbox(store) == 7  # six live call.log, one call.log_batch


def test_two_calls_of_one_source_naming_one_target_merge_only_once(store: Store) -> None:
    target = store.mutate(
        "call.log", {"source": "ami", "source_call_id": "a1", "started_at": T0,
                     "remote_raw": "0612345678", "remote_e164": "+33612345678"},
    ).call_ids[0]  # fmt: skip
    batch = {
        name: [value, value]
        for name, value in {
            "source": "csv", "direction": "inbound", "status": "answered",
            "remote_raw": "0612345678", "remote_e164": "+33612345678", "remote_name": "",
            "local_party": "", "agent_id": None, "started_at": T0.isoformat(),
            "answered_at": None, "ended_at": None, "duration_s": 0, "billsec_s": 0,
            "cost_minor": None, "cost_currency": None, "hangup_cause": "", "contact_id": None,
            "merge_into": target,
        }.items()
    }  # fmt: skip
    batch.update(id=["c-1", "c-2"], source_call_id=["x1", "x2"])
    result = store.mutate("call.log_batch", {"calls": batch})
    assert result.call_ids == [target, "c-2"]  # the second is a call of its own
    keyed = rows(store, "SELECT call_id FROM call_key WHERE source = 'csv'")
    assert sorted(keyed) == sorted([(target,), ("c-2",)])


def test_a_transaction_of_several_mutations_replays_one_by_one(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import commits big batches made of smaller call.log_batch mutations;
    each carries the new contacts its calls point to, so replayed alone (the
    sync server) none points at a contact it does not create."""
    import json

    from crmtui.telephony import processing

    monkeypatch.setattr(processing, "MUTATION_CALLS", 2)
    processor = CallProcessor(store, region="FR")
    for n in range(5):  # the same unknown caller five times
        processor.add(event(f"u{n}", "+48 512 345 678", minutes=n))
    processor.flush()
    assert processor.summary.created == 1 and processor.summary.new == 5
    entries = rows(store, "SELECT name, args FROM _outbox ORDER BY mutation_id")
    assert [name for name, _ in entries] == ["call.log_batch"] * 3
    for _, args in entries:
        assert len(json.loads(args)["new_contacts"]) == 1
    replica = open_store(tmp_path / "replica.db")
    try:
        for _, args in entries:  # one transaction each, as the server's pushes
            with replica.write() as session:
                apply(session, replica.context(session), "call.log_batch", json.loads(args))
        fields = "SELECT id, contact_id, remote_e164 FROM call ORDER BY id"
        assert rows(replica, fields) == rows(store, fields)
        same = "SELECT id FROM contact WHERE origin = 'call'"
        assert rows(replica, same) == rows(store, same)
    finally:
        replica.close()
