"""From ``CallEvent``s to logged calls (DESIGN.md section 5).

:class:`CallProcessor` buffers events, then per batch, in one write
transaction:

1. collapses events with the same ``(source, source_call_id)`` (the legs of
   one Asterisk call share its linkedid; ringing/answered/ended events share
   their call's key) with the merge rules of ``call.log``;
2. drops what the store already knows unchanged, so importing a file twice,
   or two overlapping files, writes nothing the second time (the stored
   state of the whole batch is read with one statement);
3. pairs each new call with a stored call from another source that has the
   same number and direction and started within ``tolerance_s`` (and, when
   both were answered, billed within ``billsec_tolerance_s``): the live event
   and the later CDR row of one call become one call with both keys;
4. matches the numbers to contacts (:mod:`.matching`, each step one lookup
   for the whole batch), or plans one new contact per unknown external number;
5. writes everything with ``call.log_batch`` mutations of up to
   ``MUTATION_CALLS`` calls (``call.log`` for a single live event), so it syncs.

Numbers are classified once per distinct text (:meth:`CallProcessor._number`,
on top of the number blocks :class:`.matching.NumberBook` learns).

A source marks a withheld caller with ``raw["presentation"]`` set to
``restricted``, ``unknown`` or ``payphone`` when the number field alone does
not say so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from ..store import settings
from ..store.db import Store
from ..store.gc_pause import few_collections
from ..store.ids import new_id, new_ids
from ..store.mutations.call_args import CallColumns, CallLog, CallLogBatch, NewCallContact
from ..store.mutations.call_merge import STATUS_RANK, merge_call, states_by_key
from ..store.mutations.calls import LogResult
from ..store.mutations.registry import run_in
from ..store.queries.calls import PhoneLookup, merge_candidates
from ..store.sqlite_sets import sqlite_connection
from .bulk_writer import bulk_engine, sync_and_dispose, transaction
from .events import CallEvent
from .matching import Matcher, Number, NumberBook
from .phone_map import PhoneMap, phone_count

TOLERANCE_S = 120
# An import commits a transaction per batch (``batch_size`` calls: fewer, larger
# commits write each index page once for more rows), made of mutations of at
# most this many calls: one outbox row each, a size the sync push carries well.
MUTATION_CALLS = 5000
BILLSEC_TOLERANCE_S = 5
# Once an import has read more rows than 1/MAP_RATIO of the stored phones, exact
# matching reads every number once (PhoneMap) rather than probing per number and batch.
MAP_RATIO = 10
HIDDEN = frozenset({"restricted", "unknown", "payphone"})
_SYNONYMS = {
    "canceled": "cancelled",
    "completed": "answered",
    "no-answer": "",
    "noanswer": "",
    "no answer": "",
    "congestion": "failed",
    "chanunavail": "failed",
    "declined": "rejected",
}
# SIP responses and Q.850 causes that say how an unanswered call ended.
_CAUSES = {"486": "busy", "17": "busy", "603": "rejected", "21": "rejected"}


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row an importer could not use, and why."""

    line: int
    reason: str


@dataclass
class ImportSummary:
    rows: int = 0  # events read
    legs: int = 0  # events folded into another event of the same call (legs)
    new: int = 0  # calls created
    merged: int = 0  # calls folded into a stored call (another source, more legs)
    unchanged: int = 0  # already known: nothing new
    matched: int = 0  # calls linked to an existing contact
    created: int = 0  # contacts created for unknown numbers
    unmatched: int = 0  # calls left without a contact
    rejected: list[Rejected] = field(default_factory=list)


def resolve_status(event: CallEvent) -> str:
    """The call's status by the state rules: ringing, then answered, then an
    ended call that was never answered is missed (inbound) or cancelled
    (outbound: nobody picked up); busy and rejected come from the cause."""
    status = event.status.strip().lower()
    status = _SYNONYMS.get(status, status)
    if status in STATUS_RANK and not (status == "ringing" and event.kind in ("ended", "record")):
        return status
    if event.kind == "ringing":
        return "ringing"
    if event.kind == "answered" or event.answered_at is not None:
        return "answered"
    by_cause = _CAUSES.get(event.hangup_cause.strip())
    if by_cause:
        return by_cause
    return "missed" if event.direction == "inbound" else "cancelled"


class CallProcessor:
    """Buffers events and logs them in batches; see the module docstring."""

    def __init__(
        self,
        store: Store,
        *,
        region: str | None = None,
        agent_id: str | None = None,
        create_contacts: bool = True,
        batch_size: int = 20_000,
        single: bool = False,
        tolerance_s: int = TOLERANCE_S,
    ) -> None:
        self.store = store
        with store.read() as session:
            ctx = store.context(session)
            digits = int(settings.get(session, "call_match_digits") or 8)
        self.region = (region or ctx.region).upper()
        self.agent_id = agent_id
        self.create_contacts = create_contacts
        self.batch_size = 1 if single else batch_size
        self.single = single
        self.tolerance = timedelta(seconds=tolerance_s)
        self.matcher = Matcher(None, region=self.region, digits=digits)  # type: ignore[arg-type]
        self.summary = ImportSummary()
        self.last: LogResult | None = None
        self._buffer: dict[tuple[str, str], dict[str, Any]] = {}
        self._numbers: dict[tuple[str, bool], Number] = {}
        self._created: dict[str, str] = {}  # e164 -> contact created by this processor
        self._pipelined = False
        self._engine: Engine | None = None
        self._map: PhoneMap | None = None
        self.book = NumberBook(self.region)  # the reading thread's own (the matcher has one)

    def add(self, event: CallEvent) -> None:
        fields = self._fields(event)
        key = (event.source, event.source_call_id)
        self.summary.rows += 1
        current = self._buffer.get(key)
        if current is None:
            self._buffer[key] = fields
        else:  # another leg, or a later event, of a call already buffered
            current.update(merge_call(current, fields))
            self.summary.legs += 1
        if len(self._buffer) >= self.batch_size and not self._pipelined:
            self.flush()

    def reject(self, rejected: Rejected) -> None:
        self.summary.rejected.append(rejected)

    def _number(self, raw: str, hidden: bool) -> Number:
        key = (raw, hidden)
        number = self._numbers.get(key)
        if number is None:
            if len(self._numbers) > 200_000:
                self._numbers.clear()
            number = self._numbers[key] = self.book.classify(raw, withheld=hidden)
        return number

    def _fields(self, event: CallEvent) -> dict[str, Any]:
        hidden = str(event.raw.get("presentation", "")).lower() in HIDDEN
        number = self._number(event.remote_raw, hidden)
        external = number.kind == "external"
        return {
            "source": event.source,
            "source_call_id": event.source_call_id,
            "direction": event.direction,
            "status": resolve_status(event),
            "remote_raw": event.remote_raw.strip(),
            "remote_e164": (event.remote_e164 or number.e164) if external else None,
            "remote_name": event.remote_name.strip(),
            "local_party": event.local_party,
            "agent_id": self.agent_id,
            "started_at": event.started_at,
            "answered_at": event.answered_at,
            "ended_at": event.ended_at,
            "duration_s": max(0, event.duration_s),
            "billsec_s": max(0, event.billsec_s),
            "cost_minor": None,
            "cost_currency": None,
            "hangup_cause": event.hangup_cause,
            "contact_id": None,
            "merge_into": None,
            "_number": number,
            "_stored": False,
        }

    def _take(self) -> list[dict[str, Any]]:
        items = list(self._buffer.values())
        self._buffer.clear()
        return items

    def flush(self) -> LogResult | None:
        """Log what is buffered, in one transaction.

        Outside :meth:`run` (a live listener's long-lived processor) the
        remembered answers are dropped first: contacts may have been added,
        merged or deleted since the last call."""
        if not self._pipelined:
            self.matcher.forget()
            self._created.clear()
        return self._write(self._take())

    def _write(self, items: list[dict[str, Any]]) -> LogResult | None:
        self.last = None
        if not items:
            return None
        with self._session() as session:
            ctx = self.store.context(session)
            items = self._drop_unchanged(session, items)
            if not items:
                return None
            self.matcher.lookup = self._lookup(session)
            self._plan_merges(session, items)
            specs = self._match(items)
            result = LogResult()
            for start in range(0, len(items), MUTATION_CALLS):
                name, args = self._args(items[start : start + MUTATION_CALLS], specs)
                result.absorb(run_in(session, ctx, name, args))
        self.last = result
        self._count(result, specs)
        return result

    def _lookup(self, session: Session) -> PhoneLookup:
        """The batch's phone lookups; from a :class:`.phone_map.PhoneMap` once
        an import has read more rows than a tenth of the stored phones (then
        reading every number once costs less than probing for each)."""
        if self._map is None and self._pipelined and self._large(session):
            self._map = PhoneMap(session)
        return self._map.on(session) if self._map is not None else PhoneLookup(session)

    def _large(self, session: Session) -> bool:
        return self.summary.rows * MAP_RATIO >= phone_count(session)

    @staticmethod
    def _db(session: Session) -> sqlite3.Connection:
        db = sqlite_connection(session)
        assert db is not None, "calls are processed on a local SQLite store"
        return db

    def _session(self) -> AbstractContextManager[Session]:
        if self._engine is None:
            return self.store.write()
        return transaction(self._engine)

    def _drop_unchanged(self, session: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_source: dict[str, list[str]] = {}
        for item in items:
            by_source.setdefault(item["source"], []).append(item["source_call_id"])
        stored = {
            (source, key): state
            for source, ids in by_source.items()
            for key, (_call_id, state) in states_by_key(self._db(session), source, ids).items()
        }
        if not stored:
            return items
        keep = []
        for item in items:
            state = stored.get((item["source"], item["source_call_id"]))
            if state is not None:
                if not merge_call(state, item):
                    self.summary.unchanged += 1
                    continue
                item["_stored"] = True
                item["contact_id"] = state["contact_id"]
            keep.append(item)
        return keep

    def _plan_merges(self, session: Any, items: list[dict[str, Any]]) -> None:
        sources: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            if not item["_stored"] and item["remote_e164"]:
                sources.setdefault(item["source"], []).append(item)
        for source, fresh in sources.items():
            self._pair(session, source, fresh)

    def _pair(self, session: Any, source: str, fresh: list[dict[str, Any]]) -> None:
        lo = min(i["started_at"] for i in fresh) - self.tolerance
        hi = max(i["started_at"] for i in fresh) + self.tolerance
        numbers = sorted({i["remote_e164"] for i in fresh})
        pool: dict[tuple[str, str], list[Any]] = {}
        for cand in merge_candidates(session, source, numbers, lo, hi):
            pool.setdefault((cand.remote_e164, cand.direction), []).append(cand)
        if not pool:
            return
        for item in fresh:
            options = pool.get((item["remote_e164"], item["direction"]), [])
            best = self._closest(item, options)
            if best is not None:
                options.remove(best)  # one call of a source merges into a call once
                item["merge_into"] = best.id

    def _closest(self, item: dict[str, Any], options: list[Any]) -> Any:
        def gap(cand: Any) -> float:
            return abs((cand.started_at - item["started_at"]).total_seconds())

        fits = [
            c
            for c in options
            if gap(c) <= self.tolerance.total_seconds()
            and not (
                c.billsec_s
                and item["billsec_s"]
                and abs(c.billsec_s - item["billsec_s"]) > BILLSEC_TOLERANCE_S
            )
        ]
        return min(fits, key=lambda c: (gap(c), c.id)) if fits else None

    def _match(self, items: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
        """Link each call to a contact, existing or planned; returns the contacts
        to create (e164 -> (id, name))."""
        specs: dict[str, tuple[str, str]] = {}
        self.matcher.prime(item["_number"] for item in items if not item["contact_id"])
        for item in items:
            if not item["contact_id"]:
                item["contact_id"] = self._contact_for(item, specs)
            if item["contact_id"]:
                self.summary.matched += 1
            else:
                self.summary.unmatched += 1
        return specs

    def _contact_for(self, item: dict[str, Any], specs: dict[str, tuple[str, str]]) -> str | None:
        found = self.matcher.match_number(item["_number"])
        e164 = item["remote_e164"]
        if found.contact_id or not (e164 and self._creates(item, found.number)):
            return found.contact_id
        if e164 in self._created:
            return self._created[e164]
        if e164 not in specs:
            specs[e164] = (new_id(), item["remote_name"])
        return specs[e164][0]

    def _creates(self, item: dict[str, Any], number: Number) -> bool:
        return (
            self.create_contacts and number.kind == "external" and item["direction"] != "internal"
        )

    def _args(
        self, items: list[dict[str, Any]], specs: dict[str, tuple[str, str]]
    ) -> tuple[str, Any]:
        for item, call_id in zip(items, new_ids(len(items)), strict=True):
            item["id"] = call_id
        # Each mutation carries the new contacts its calls point to, even when
        # an earlier one of the transaction carried them too: replayed alone
        # (the sync server), it must not point at a contact it does not create.
        used = {item["contact_id"] for item in items}
        contacts = [
            {"id": cid, "e164": e164, "name": name}
            for e164, (cid, name) in specs.items()
            if cid in used
        ]
        if self.single and len(items) == 1:
            fields = {k: v for k, v in items[0].items() if not k.startswith("_")}
            return "call.log", CallLog.model_validate(
                {**fields, "new_contact": contacts[0] if contacts else None}
            )
        return "call.log_batch", CallLogBatch(
            calls=CallColumns.of(items), new_contacts=[NewCallContact(**c) for c in contacts]
        )

    def _count(self, result: LogResult, specs: dict[str, tuple[str, str]]) -> None:
        self.summary.new += result.new
        self.summary.merged += result.merged
        self.summary.unchanged += result.unchanged
        self.summary.created += result.contacts_created
        for e164, (cid, _name) in specs.items():
            self._created[e164] = result.contacts.get(cid, cid)
            if self._map is not None:
                self._map.add(e164, self._created[e164])

    def run(
        self,
        source: Iterable[CallEvent | Rejected],
        progress: Callable[[int], None] | None = None,
    ) -> ImportSummary:
        """Process everything ``source`` yields, then flush; returns the summary.

        Reading and parsing (this thread) overlap with matching and writing
        the previous batch (a writer thread; SQLite runs without the GIL). A
        batch is written only after the one before it committed, so each
        batch sees everything the earlier ones logged."""
        self._pipelined = True
        self._engine = bulk_engine(self.store)
        try:
            with (
                few_collections(),
                ThreadPoolExecutor(1, thread_name_prefix="call-writer") as writer,
            ):
                pending: Future[LogResult | None] | None = None
                for n, item in enumerate(source, 1):
                    if isinstance(item, Rejected):
                        self.reject(item)
                    else:
                        self.add(item)
                    if len(self._buffer) >= self.batch_size:
                        if pending is not None:
                            pending.result()
                        pending = writer.submit(self._write, self._take())
                    if progress is not None and n % 10_000 == 0:
                        progress(n)
                if pending is not None:
                    pending.result()
            self.flush()
        finally:
            self._pipelined = False
            self._map = None
            sync_and_dispose(self._engine)
            self._engine = None
        return self.summary
