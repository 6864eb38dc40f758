"""Calls to and from worked contacts, as the phone system would have logged them.

Each call carries what ``call.log`` records: direction and status, the remote
number as the PBX presented it (raw and E.164), ring and talk times, the
billable seconds and cost of answered outbound calls, the source it came
from with its id there, and a ``call_key`` row for that ``(source, id)``.
Some answered calls have an after-call wrap-up; about one in ten inbound
calls comes from a number no contact has.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from ..phones import normalise
from .chunk import YEAR, Chunk, Who

INBOUND = (
    ("answered", 62),
    ("missed", 20),
    ("voicemail", 8),
    ("rejected", 3),
    ("blocked", 1),
    ("failed", 1),
)
# An outbound call nobody answered is "cancelled", never "missed" (the state
# rules in crmtui.telephony.processing); "missed" is for inbound calls only.
OUTBOUND = (
    ("answered", 60),
    ("busy", 10),
    ("cancelled", 24),
    ("failed", 3),
    ("voicemail", 3),
)
DIRECTIONS = (("inbound", 55), ("outbound", 42), ("internal", 3))
SOURCES = (("asterisk-csv", 6), ("android-xml", 3), ("manual", 1))
CAUSES = {
    "answered": "NORMAL_CLEARING",
    "missed": "NO_ANSWER",
    "busy": "USER_BUSY",
    "rejected": "CALL_REJECTED",
    "cancelled": "ORIGINATOR_CANCEL",
    "failed": "NETWORK_OUT_OF_ORDER",
    "voicemail": "NORMAL_CLEARING",
    "blocked": "CALL_REJECTED",
}
WRAPUPS = (
    "Demande de rappel pour le devis",
    "Pytanie o fakturę",
    "Wants a demo next week",
    "Problème de connexion résolu",
    "Umówione spotkanie",
    "Chasing the invoice",
)
STRANGERS = ("+33 6 {0} {1} {2} {3}", "+48 5{0} {1}{2} {3}", "+44 7700 9{0}{1}{2}")


class Calls:
    def __init__(self, chunk: Chunk) -> None:
        self.c = chunk
        self.rng = chunk.rng
        self.now = chunk.plan.now
        self.extensions = {rep: str(200 + i) for i, rep in enumerate(chunk.ref.reps)}

    def make(self, who: Who) -> None:
        if not who.phones:
            return
        for _ in range(int(self.rng.expovariate(1 / 2.0) + 0.5)):
            self._call(who)

    def _call(self, who: Who) -> None:
        c, rng = self.c, self.rng
        direction = c.pick(DIRECTIONS)
        agent = who.owner if rng.random() < 0.85 else c.rep()
        started = c.past(YEAR)
        if started > self.now:
            started = self.now - timedelta(minutes=rng.randint(5, 600))
        raw, e164 = rng.choice(who.phones)
        known = True
        if direction == "internal":
            raw, e164, known = str(200 + rng.randrange(len(c.ref.reps))), None, False
        elif direction == "inbound" and rng.random() < 0.1:
            raw, e164, known = self._stranger()
        elif direction == "inbound" and e164 and rng.random() < 0.7:
            raw = e164  # the caller id as the PBX presents it
        status = c.pick(INBOUND if direction != "outbound" else OUTBOUND)
        self._write(who if known else None, direction, status, raw, e164, agent, started)

    def _stranger(self) -> tuple[str, str | None, bool]:
        pattern = self.rng.choice(STRANGERS)
        raw = pattern.format(*(f"{self.rng.randrange(100):02d}" for _ in range(4)))
        return raw, normalise(raw).e164, False

    def _write(
        self,
        who: Who | None,
        direction: str,
        status: str,
        raw: str,
        e164: str | None,
        agent: str,
        started: datetime,
    ) -> None:
        c, rng = self.c, self.rng
        ring = timedelta(seconds=rng.randint(3, 25))
        answered = started + ring if status == "answered" else None
        talk = timedelta(seconds=int(rng.expovariate(1 / 240)) + 5) if answered else None
        ended = (answered + talk) if answered and talk else started + ring
        billsec = int(talk.total_seconds()) if talk else 0
        cost = None
        if direction == "outbound" and billsec:
            cost = 2 * math.ceil(billsec / 60)  # 2 cents a started minute
        source = c.pick(SOURCES)
        call_id = c.new_id(started)
        source_id = (
            call_id
            if source == "manual"
            else (
                f"{int(started.timestamp())}.{rng.randrange(10**6)}"
                if source == "asterisk-csv"
                else f"android-{call_id[-12:]}"
            )
        )
        wrapup = rng.choice(WRAPUPS) if answered and who and rng.random() < 0.3 else ""
        person = who.id if who and who.kind == "person" else None
        c.add(
            "call",
            ended,
            ended,
            agent,
            1,
            call_id,
            direction,
            status,
            raw,
            e164,
            who.name if who else "",
            self.extensions.get(agent, "200"),
            agent,
            started,
            answered,
            ended,
            int((ended - started).total_seconds()),
            billsec,
            cost,
            "EUR" if cost is not None else None,
            CAUSES[status],
            source,
            source_id,
            (who.company_id or who.id) if who else None,
            person,
            wrapup,
            "",
            ("success" if rng.random() < 0.7 else "failure") if wrapup else None,
            person if wrapup else None,
        )
        c.add("call_key", source, source_id, call_id)
