"""The store side of the call log: the paged list and its filters, statistics,
wrap-up, linking and creating a contact from a call, and call back."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crmtui.store import Store
from crmtui.store.mutations import MutationError
from crmtui.store.queries.calls import (
    CallFilter,
    call_detail,
    call_stats_by_agent,
    contact_call_stats,
    count_calls,
    day_range,
    list_calls,
)
from crmtui.telephony.calllog import CallBackError, call_back
from crmtui.telephony.processing import CallProcessor

from .helpers import T0, contact, event, rows


def _user(store: Store, name: str) -> str:
    return str(store.mutate("user.create", {"name": name, "role": "user"}))


@pytest.fixture
def logged(store: Store) -> dict[str, str]:
    """Forty calls over two days, two agents, one known contact."""
    zoe = contact(store, "Martin", "06 12 34 56 78")
    ann, bob = _user(store, "ann"), _user(store, "bob")
    for agent, offset in ((ann, 0), (bob, 1)):
        events = [
            event(
                f"{agent}-{i}",
                "0612345678" if i % 4 else "0799999999",
                minutes=i * 70 + offset,
                direction="outbound" if i % 5 == 0 else "inbound",
                status="missed" if i % 3 == 0 else "answered",
                billsec_s=30 if i % 3 else 0,
            )
            for i in range(20)
        ]
        CallProcessor(store, region="FR", agent_id=agent, create_contacts=False).run(events)
    return {"zoe": zoe, "ann": ann, "bob": bob}


def test_pages_walk_all_calls_newest_first_and_back(store: Store, logged: dict[str, str]) -> None:
    seen, after = [], None
    while True:
        with store.read() as session:
            page = list_calls(session, after=after, limit=7)
        seen.extend(page.rows)
        if page.next_key is None:
            break
        after = page.next_key
    assert len(seen) == 40 == len({r.id for r in seen})
    assert [r.started_at for r in seen] == sorted((r.started_at for r in seen), reverse=True)
    with store.read() as session:
        back = list_calls(session, before=page.prev_key, limit=7)
    assert [r.id for r in back.rows] == [r.id for r in seen[-len(page.rows) - 7 : -len(page.rows)]]


def test_filters(store: Store, logged: dict[str, str]) -> None:
    def ids(f: CallFilter) -> int:
        with store.read() as session:
            listed = list_calls(session, limit=100, filters=f).rows
            assert len(listed) == count_calls(session, f)
            return len(listed)

    assert ids(CallFilter(agent_id=logged["ann"])) == 20
    assert ids(CallFilter(direction="outbound")) == 8
    assert ids(CallFilter(missed=True)) == 10  # inbound only: i % 3 == 0 and i % 5 != 0
    assert ids(CallFilter(unmatched=True)) == 10
    assert ids(CallFilter(contact_id=logged["zoe"], missed=True)) == 8  # and i % 4 != 0
    since, until = day_range(T0, UTC)
    assert ids(CallFilter(since=since, until=until)) == 26  # i * 70 min < 15 h: i <= 12
    with store.read() as session:
        row = list_calls(session, limit=1).rows[0]
    assert (row.agent_name, row.contact_name) in {("bob", "Martin"), ("bob", "")}


def test_stats_per_contact_and_per_agent(store: Store, logged: dict[str, str]) -> None:
    with store.read() as session:
        zoe = contact_call_stats(session, logged["zoe"])
        agents = call_stats_by_agent(session)
    assert (zoe.calls, zoe.answered, zoe.talk_s) == (30, 20, 600)
    assert [(a.agent_name, a.stats.calls, a.stats.missed) for a in agents] == [
        ("ann", 20, 5),
        ("bob", 20, 5),
    ]
    assert agents[0].stats.talk_s == 13 * 30


def test_wrapup_link_and_create_contact(store: Store, logged: dict[str, str]) -> None:
    (call_id,) = rows(store, "SELECT id FROM call WHERE contact_id IS NULL LIMIT 1")[0]
    with pytest.raises(MutationError, match="no person"):
        store.mutate("call.wrapup", {"id": call_id, "person_id": "nope"})
    store.mutate("call.wrapup", {"id": call_id, "description": "Price question"})
    store.mutate("call.wrapup", {"id": call_id, "outcome": "failure"})
    with store.read() as session:
        detail = call_detail(session, call_id)
    assert detail is not None
    assert (detail.wrapup_description, detail.wrapup_outcome) == ("Price question", "failure")
    assert detail.sources == (("csv", detail.sources[0][1]),) and detail.row.wrapped_up
    new = store.mutate(
        "call.create_contact", {"call_id": call_id, "company_name": "Acme", "kind": "company"}
    )
    assert rows(store, "SELECT count(*) FROM call WHERE contact_id = :c", c=new) == [(10,)]
    assert rows(store, "SELECT origin, display_name FROM contact WHERE id = :c", c=new) == [
        ("call", "Acme")
    ]
    assert store.mutate("call.link_contact", {"id": call_id, "contact_id": logged["zoe"]}) == 1


def test_call_back_logs_an_attempt_and_runs_the_dial_command(
    store: Store, logged: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "dialled.txt"
    script = tmp_path / "dial.py"
    script.write_text(f"import sys; open({str(out)!r}, 'w').write(' '.join(sys.argv[1:]))\n")
    (call_id,) = rows(store, "SELECT id FROM call WHERE contact_id IS NOT NULL LIMIT 1")[0]
    config = {"telephony": {"dial_command": f"{sys.executable} {script} --uri tel:{{number}}"}}
    dialled = call_back(store, call_id, config=config, agent_id=logged["ann"], wait_s=30)
    assert dialled.returncode == 0 and out.read_text() == "--uri tel:+33612345678"
    attempt = rows(
        store,
        "SELECT direction, status, contact_id, agent_id FROM call WHERE id = :i",
        i=dialled.call_id,
    )
    assert attempt == [("outbound", "ringing", logged["zoe"], logged["ann"])]
    failing = {"telephony": {"dial_command": f"{sys.executable} -c 'raise SystemExit(3)'"}}
    failed = call_back(store, "01 42 68 53 00", config=failing, wait_s=30)
    assert rows(store, "SELECT status FROM call WHERE id = :i", i=failed.call_id) == [("failed",)]
    with pytest.raises(CallBackError, match="no dial command"):
        call_back(store, call_id, config={})
    with pytest.raises(CallBackError, match="cannot run"):
        call_back(store, call_id, config={"telephony": {"dial_command": "/no/such/dialer"}})


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(MutationError, match="started_at"):
        store.mutate(
            "call.log",
            {
                "source": "manual",
                "source_call_id": "x",
                "started_at": datetime(2026, 1, 1).isoformat(),
            },
        )
    with pytest.raises(MutationError, match="end is before"):
        store.mutate(
            "call.log",
            {
                "source": "manual",
                "source_call_id": "x",
                "started_at": T0.isoformat(),
                "ended_at": (T0 - timedelta(1)).isoformat(),
            },
        )
