"""How two reports of one call fold into one: the merge rules of ``call.log``.

Legs of one Asterisk call, a live event and the CDR row of the same call, or
ringing/answered/ended events all describe one call. :func:`merge_call` folds
one report into the stored state with rules that are idempotent (min, max, a
status ranking, fill-if-empty), so hearing a report twice, or replaying a
mutation on another replica, converges on the same row. It never touches the
wrap-up, and never replaces a contact a call is already linked to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from ..models import Call
from ..sqlite_sets import json_list, one_json

# When two reports of one call disagree, the higher rank wins: an answer on any
# leg means the call was answered; a precise refusal beats a vague failure.
STATUS_RANK = {
    "ringing": 0,
    "failed": 1,
    "busy": 2,
    "cancelled": 3,
    "rejected": 4,
    "missed": 5,
    "blocked": 6,
    "voicemail": 7,
    "answered": 8,
}


def _later(a: Any, b: Any) -> Any:
    return a if b is None else b if a is None else max(a, b)


def _earlier(a: Any, b: Any) -> Any:
    return a if b is None else b if a is None else min(a, b)


def merge_call(cur: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``cur`` that change when ``new`` (another leg, another
    source, a later event) is folded in. Idempotent: folding the same report
    twice changes nothing the second time."""
    out = {
        "started_at": min(cur["started_at"], new["started_at"]),
        "answered_at": _earlier(cur["answered_at"], new["answered_at"]),
        "ended_at": _later(cur["ended_at"], new["ended_at"]),
        "billsec_s": max(cur["billsec_s"], new["billsec_s"]),
    }
    span = 0
    if out["ended_at"] is not None:
        span = int((out["ended_at"] - out["started_at"]).total_seconds())
    out["duration_s"] = max(cur["duration_s"], new["duration_s"], span)
    if STATUS_RANK[new["status"]] > STATUS_RANK[cur["status"]]:
        # The winning leg says who answered and why it ended.
        out["status"] = new["status"]
        out["local_party"] = new["local_party"] or cur["local_party"]
        out["hangup_cause"] = new["hangup_cause"] or cur["hangup_cause"]
    for key in (
        "remote_raw",
        "remote_e164",
        "remote_name",
        "local_party",
        "hangup_cause",
        "agent_id",
        "contact_id",
        "cost_minor",
        "cost_currency",
    ):
        if key not in out and not cur[key] and new.get(key):
            out[key] = new[key]
    return {k: v for k, v in out.items() if v != cur[k]}


# The fields of a stored call that merging reads and writes.
MERGED_FIELDS = (
    "started_at",
    "answered_at",
    "ended_at",
    "billsec_s",
    "duration_s",
    "status",
    "local_party",
    "hangup_cause",
    "remote_raw",
    "remote_e164",
    "remote_name",
    "agent_id",
    "contact_id",
    "cost_minor",
    "cost_currency",
)


def call_state(call: Call) -> dict[str, Any]:
    """The mergeable fields of a stored call, as :func:`merge_call` wants them."""
    return {k: getattr(call, k) for k in MERGED_FIELDS}


_STATES = (
    "SELECT json_group_array(json_array({key}, c.id, "
    + ", ".join(f"c.{name}" for name in MERGED_FIELDS)
    + ")) FROM {source} WHERE {where}"
)
_BY_KEY = _STATES.format(
    key="k.source_call_id",
    source="call_key k JOIN call c ON c.id = k.call_id",
    where="k.source = ? AND k.source_call_id IN (SELECT value FROM json_each(?))",
)
_BY_ID = _STATES.format(
    key="c.id", source="call c", where="c.id IN (SELECT value FROM json_each(?))"
)
_TIMES = ("started_at", "answered_at", "ended_at")


def _states(rows: list[list[Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    found = {}
    for r in rows:
        state = dict(zip(MERGED_FIELDS, r[2:], strict=True))
        for name in _TIMES:  # stored as naive UTC text
            if state[name] is not None:
                state[name] = datetime.fromisoformat(state[name]).replace(tzinfo=UTC)
        found[r[0]] = (r[1], state)
    return found


def states_by_key(
    db: sqlite3.Connection, source: str, ids: Sequence[str]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """``source_call_id -> (call id, merge state)`` for the ids of ``source``
    already stored: one statement for a whole batch, no ORM rows (SQLite)."""
    if not ids:
        return {}
    return _states(one_json(db, _BY_KEY, (source, json_list(ids))))


def states_by_id(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``call id -> merge state`` of stored calls (SQLite)."""
    wanted = json_list(dict.fromkeys(ids))
    return {cid: state for cid, (_, state) in _states(one_json(db, _BY_ID, (wanted,))).items()}
