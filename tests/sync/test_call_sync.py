"""Calls imported on one laptop reach the server and the agent's laptop (issue
7: calls are written through mutations, so they sync), on both server backends.
A user's store holds the calls of the last 90 days where they are the agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from crmtui.telephony.events import CallEvent
from crmtui.telephony.processing import CallProcessor

from .server import LiveServer
from .test_sync import assert_converged, laptop, sync, user_id


def calls(store: object) -> list[tuple[object, ...]]:
    sql = (
        "SELECT c.id, c.status, c.remote_e164, c.contact_id, c.billsec_s, c.version, "
        "group_concat(k.source || ':' || k.source_call_id) FROM call c "
        "JOIN call_key k ON k.call_id = c.id GROUP BY c.id ORDER BY c.id"
    )
    with store.read() as session:  # type: ignore[attr-defined]
        return [tuple(r) for r in session.execute(text(sql))]


def test_an_import_and_its_merges_sync_to_everyone(server: LiveServer, tmp_path: Path) -> None:
    ann, bob = laptop(server, tmp_path, "ann"), laptop(server, tmp_path, "bob")
    sync(ann, bob)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    live = CallProcessor(ann.store, region="FR", single=True, agent_id=user_id(bob))
    live.add(CallEvent("ami", "l1", "ringing", "inbound", "ringing", "+48 512 345 678", t0))
    batch = CallProcessor(ann.store, region="FR", agent_id=user_id(bob))
    for n in range(7):  # the live call's CDR row, then the same unknown caller again
        batch.add(
            CallEvent("asterisk-csv", f"c{n}", "record", "inbound", "answered",
                      "0048512345678", t0 + timedelta(minutes=30 * n, seconds=20),
                      billsec_s=30 + n)
        )  # fmt: skip
    batch.flush()
    assert (batch.summary.merged, batch.summary.new) == (1, 6)
    sync(ann, bob)
    assert calls(bob.store) == calls(ann.store)
    assert len(calls(bob.store)) == 7
    assert_converged(server, ann, bob)
