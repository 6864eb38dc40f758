"""What every live listener shares: endpoints, the sender allowlist, the sink.

A listener never trusts the network: it binds to loopback unless told
otherwise, accepts SIP and HEP only from allowed addresses (a forged
P-Asserted-Identity would otherwise pop any caller's card), and drops what it
cannot parse after logging it, without ever stopping.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..store.phones import MIN_MATCH_DIGITS, normalise, only_digits
from .events import CallEvent

Sink = Callable[[CallEvent], None] | Callable[[CallEvent], Awaitable[None]]
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK = ("127.0.0.0/8", "::1/128")
log = logging.getLogger("crmtui.telephony")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Endpoint:
    scheme: str
    host: str
    port: int


def parse_endpoint(text: str, default_scheme: str) -> Endpoint:
    """``udp://127.0.0.1:5060``, ``tcp://[::1]:5038`` or a bare ``host:port``."""
    url = urlsplit(text if "://" in text else f"{default_scheme}://{text}")
    try:
        port = url.port
    except ValueError:
        port = None
    if not url.hostname or port is None:
        raise ValueError(f"{text!r}: expected {default_scheme}://HOST:PORT")
    return Endpoint(url.scheme, url.hostname, port)


class Allowlist:
    """The addresses (or networks) a listener accepts packets from."""

    def __init__(self, entries: Iterable[str] = LOOPBACK) -> None:
        self.networks: tuple[IpNetwork, ...] = tuple(
            ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()
        )

    def allows(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in net for net in self.networks)


class DropLog:
    """Logs dropped input without letting a flood of garbage flood the log.

    The first few drops are logged in full, then one line per thousand; the
    counters stay exact so tests and the bench can read them.
    """

    FIRST = 20

    def __init__(self, what: str) -> None:
        self.what = what
        self.count = 0

    def drop(self, reason: str, origin: object) -> None:
        self.count += 1
        if self.count <= self.FIRST or self.count % 1000 == 0:
            log.warning("dropped %s from %s (%d so far): %s", self.what, origin, self.count, reason)


async def deliver(sink: Sink, event: CallEvent) -> None:
    """Hand one event to a sync or async sink; a failing sink never stops a listener."""
    try:
        result = sink(event)
        if inspect.isawaitable(result):
            await result
    except Exception:  # the sink is someone else's code: log and keep listening
        log.exception("the call-event sink failed on %s %s", event.source, event.source_call_id)


class EventPump:
    """Hands events to the sink one at a time, in the order they were heard.

    Protocol callbacks are synchronous and must return at once (a UDP socket
    keeps receiving while the sink writes to the store), so sources ``put``
    here and one task drains the queue into the sink.
    """

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.queue: asyncio.Queue[CallEvent] = asyncio.Queue()
        self.delivered = 0

    def put(self, event: CallEvent) -> None:
        self.queue.put_nowait(event)

    async def run(self) -> None:
        while True:
            event = await self.queue.get()
            await deliver(self.sink, event)
            self.delivered += 1
            self.queue.task_done()

    async def drain(self) -> None:
        """Wait until every event put so far has reached the sink."""
        await self.queue.join()


@functools.lru_cache(maxsize=4096)  # every event of a call asks again for the same number
def e164_of(raw: str, region: str) -> str | None:
    """The E.164 form of an outside number; None for extensions and withheld ones."""
    if len(only_digits(raw)) < MIN_MATCH_DIGITS:
        return None
    return normalise(raw, region).e164


def is_internal(user: str, local_parties: frozenset[str] = frozenset()) -> bool:
    """True for an extension or a SIP user name, False for an outside number.

    A named SIP user (``alice``) or fewer digits than could ever identify a
    caller is inside the PBX; so is any number configured as one of ours.
    """
    if user in local_parties:
        return True
    digits = only_digits(user)
    if not digits:
        return bool(user)
    return len(digits) < MIN_MATCH_DIGITS and not user.startswith("+")


class Tee:
    """One sink feeding several, in order: e.g. the TUI's screen pop and the store."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks

    async def __call__(self, event: CallEvent) -> None:
        for sink in self.sinks:
            await deliver(sink, event)

    async def drain(self) -> None:
        """Wait for every member that writes behind (has ``drain``) to catch up."""
        for sink in self.sinks:
            drain = getattr(sink, "drain", None)
            if drain is not None:
                await drain()
