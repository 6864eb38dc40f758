"""Who is ringing, for the screen pop: the caller's number matched by the call
log's rules and, when it belongs to a contact, that contact's card.

Read-only and quick (a few index lookups): it runs while the phone rings,
before the call log has written anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import settings
from ..store.db import Store
from ..store.queries.caller_card import CallerCard, caller_card
from ..store.queries.calls import PhoneLookup
from .events import CallEvent
from .matching import Matcher, Number
from .processing import HIDDEN

RING_ONLY_SOURCE = "sip"  # the ring-only agent (see sip/agent.py)


@dataclass(frozen=True, slots=True)
class Caller:
    number: Number
    card: CallerCard | None  # None: nobody the store knows
    ambiguous: bool = False  # several contacts could be this number

    @property
    def can_create(self) -> bool:
        """An outside number with no contact: the pop offers to create one."""
        return self.card is None and self.number.kind == "external"


def identify(store: Store, event: CallEvent, region: str) -> Caller:
    """Match the event's remote number and read the matched contact's card."""
    hidden = str(event.raw.get("presentation", "")).lower() in HIDDEN
    with store.read() as session:
        digits = int(settings.get(session, "call_match_digits") or 8)
        matcher = Matcher(PhoneLookup(session), region=region, digits=digits)
        match = matcher.match(event.remote_raw, withheld=hidden)
        card = caller_card(session, match.contact_id) if match.contact_id else None
    return Caller(match.number, card, match.ambiguous)


def ends_the_call(event: CallEvent) -> bool:
    """Whether ``event`` is the last one its source will send about the call.

    The ring-only agent never hears the end of a call answered at the desk
    phone: the PBX's CANCEL (answered elsewhere) is the last it learns, so for
    it an ``answered`` event ends the call as far as the screen pop goes.
    """
    return event.kind == "ended" or (event.kind == "answered" and event.source == RING_ONLY_SOURCE)
