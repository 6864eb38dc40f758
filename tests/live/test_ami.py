"""The AMI client against a test server replaying transcripts written from the
Asterisk event documentation: a queue call, a missed call, a busy call and a
connection that drops mid-call."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from crmtui.telephony.ami.calls import AmiCallTracker
from crmtui.telephony.ami.client import AmiClient, AmiSettings
from crmtui.telephony.listen import ListenConfig, Listeners

from .ami_server import AmiReplayServer, load_transcript
from .conftest import Collected, wait_until


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@asynccontextmanager
async def listen_to(
    transcript: str, collected: Collected
) -> AsyncIterator[tuple[Listeners, AmiReplayServer]]:
    server = AmiReplayServer(load_transcript(transcript))
    host, port = await server.start()
    config = ListenConfig(ami=f"tcp://{host}:{port}", ami_user="crm", ami_secret="s3cret")
    listeners = Listeners(config, collected)
    await listeners.start()
    try:
        yield listeners, server
    finally:
        await listeners.stop()
        await server.close()


async def test_three_leg_queue_call_is_one_answered_call(collected: Collected) -> None:
    async with listen_to("queue_three_legs", collected) as (_, server):
        await collected.until(lambda events: len(events.of("ended")) == 1)
    assert [(e.kind, e.status) for e in collected] == [
        ("ringing", "ringing"),
        ("answered", "answered"),
        ("ended", "answered"),
    ]
    ringing, answered, ended = collected
    assert {e.source_call_id for e in collected} == {"1700000000.1"}
    assert ringing.local_party == "201"  # the first member rung
    assert answered.local_party == ended.local_party == "202"  # who took it
    assert (ended.remote_raw, ended.remote_e164, ended.remote_name) == (
        "+33612345678",
        "+33612345678",
        "Martin SARL",
    )
    assert ended.direction == "inbound"
    assert (ended.started_at, ended.answered_at, ended.ended_at) == (
        at(1700000000),
        at(1700000008),
        at(1700000068.01),
    )
    assert (ended.duration_s, ended.billsec_s) == (68, 60)
    # The three Cdr rows describe a call we followed live: no extra record.
    assert not collected.of("record")
    assert server.actions[0]["Events"] == "call,cdr"


@pytest.mark.parametrize(
    ("transcript", "status", "remote", "cause"),
    [
        ("missed", "missed", "0612345679", "Normal Clearing"),
        ("busy", "busy", "+4930123456", "User busy"),
    ],
)
async def test_unanswered_calls(
    collected: Collected, transcript: str, status: str, remote: str, cause: str
) -> None:
    async with listen_to(transcript, collected) as (listeners, _):
        await collected.until(lambda events: len(events.of("ended")) == 1)
        assert [e.kind for e in collected] == ["ringing", "ended"]
        ended = collected[-1]
        assert (ended.status, ended.remote_raw, ended.hangup_cause) == (status, remote, cause)
        assert ended.local_party == "201" and ended.answered_at is None and ended.billsec_s == 0
        assert listeners.ami is not None
        # missed.txt has a garbled message in the middle; it cost nothing.
        assert listeners.ami.drops.count == (1 if transcript == "missed" else 0)


async def test_dropped_connection_reconnects_and_the_call_goes_on(collected: Collected) -> None:
    server = AmiReplayServer(load_transcript("reconnect"))
    host, port = await server.start()
    tracker = AmiCallTracker(region="FR")
    settings = AmiSettings(host, port, "crm", "s3cret", min_backoff=0.05, max_backoff=0.2)
    client = AmiClient(settings, collected, tracker)
    task = asyncio.create_task(client.run())
    try:
        await collected.until(lambda events: len(events) == 4)
    finally:
        task.cancel()
        await server.close()
    assert server.logins == client.logins == 2
    live = [e for e in collected if e.source_call_id == "1700003000.30"]
    assert [(e.kind, e.status) for e in live] == [
        ("ringing", "ringing"),
        ("answered", "answered"),
        ("ended", "answered"),
    ]
    ended = live[-1]
    assert (ended.direction, ended.remote_raw, ended.local_party) == (
        "outbound",
        "0612345680",
        "201",
    )
    assert (ended.duration_s, ended.billsec_s) == (125, 120)
    # The call that happened while we were away arrives as its CDR record.
    (record,) = collected.of("record")
    assert (record.source_call_id, record.status, record.remote_e164) == (
        "1700002940.29",
        "answered",
        "+33698765432",
    )
    assert (record.started_at, record.billsec_s, record.local_party) == (at(1700002940), 60, "202")


async def test_refused_login_keeps_retrying(collected: Collected) -> None:
    server = AmiReplayServer(load_transcript("busy"), secret="other")
    host, port = await server.start()
    settings = AmiSettings(host, port, "crm", "s3cret", min_backoff=0.01, max_backoff=0.02)
    client = AmiClient(settings, collected, AmiCallTracker())
    task = asyncio.create_task(client.run())
    try:
        await wait_until(lambda: server.refused >= 3)
    finally:
        task.cancel()
        await server.close()
    assert client.logins == 0 and not collected


def test_tracker_ignores_a_hangup_it_never_saw_begin() -> None:
    tracker = AmiCallTracker()
    hangup = {"Event": "Hangup", "Linkedid": "1.1", "Uniqueid": "1.1", "Cause": "16"}
    assert tracker.feed(hangup, at(1)) == []
    assert Counter(tracker.live) == Counter()


def test_cdr_rows_of_an_unheard_queue_call_merge_into_one_missed_record() -> None:
    tracker = AmiCallTracker(cdr_timezone="Europe/Paris")
    for member in ("201", "202", "203"):
        row = {
            "Event": "Cdr",
            "UniqueID": "1700009000.5",
            "Source": "0612345678",
            "Destination": member,
            "StartTime": "2023-11-15 00:00:00",
            "AnswerTime": "",
            "EndTime": "2023-11-15 00:00:20",
            "Duration": "20",
            "BillableSeconds": "0",
            "Disposition": "NO ANSWER",
        }
        assert tracker.feed(row, at(0)) == []
    (record,) = tracker.flush(0)
    assert (record.kind, record.status, record.direction, record.local_party) == (
        "record",
        "missed",
        "inbound",
        "201",
    )
    # CDR times are the PBX's local time: midnight in Paris is 23:00 UTC.
    assert record.started_at == datetime(2023, 11, 14, 23, 0, tzinfo=UTC)
    assert record.raw["cdr_rows"] == 3 and tracker.flush(0) == []


def test_a_call_whose_end_was_missed_is_forgotten_after_twelve_hours() -> None:
    tracker = AmiCallTracker()
    begin = {
        "Event": "Newchannel",
        "Linkedid": "1.1",
        "Uniqueid": "1.1",
        "CallerIDNum": "0612345678",
    }
    tracker.feed(begin, at(0))
    tracker.feed({**begin, "Linkedid": "2.2", "Uniqueid": "2.2"}, at(13 * 3600))
    assert list(tracker.live) == ["2.2"]
