"""Running the live sources together: what ``crmtui telephony listen`` and the
TUI's telephony panel both start.

Each configured source (ring-only SIP agent, HEP observer, AMI client, webhook
server) runs in the same asyncio loop and puts its ``CallEvent``s on one pump,
which hands them to the sink in the order they were heard. A source that cannot
bind fails ``start()`` at once (a typo in a port should not go unnoticed); a
source that loses its peer later (AMI) reconnects on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ami.calls import AmiCallTracker
from .ami.client import AmiClient, AmiSettings
from .http import serve
from .net import LOOPBACK, Allowlist, EventPump, Sink, log, parse_endpoint
from .sip.agent import RingOnlyAgent
from .sip.dialogs import DialogTracker
from .sip.observer import HepObserver
from .webhooks import Webhooks

RECEIVE_BUFFER = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ListenConfig:
    """Which sources to run and how; an unset endpoint means that source is off."""

    sip: str | None = None  # udp://127.0.0.1:5060
    hep: str | None = None  # udp://127.0.0.1:9060
    ami: str | None = None  # tcp://127.0.0.1:5038
    http: str | None = None  # 127.0.0.1:8089
    allow: tuple[str, ...] = LOOPBACK  # who may send SIP, HEP and phone Action URLs
    region: str = "FR"
    local_parties: frozenset[str] = frozenset()  # our DIDs: never "the other party"
    ami_user: str = ""
    ami_secret: str = ""
    ami_cdr_timezone: str = "UTC"
    hep_auth_key: str = ""
    twilio_token: str = ""
    twilio_url: str = ""
    max_ring_s: float = 300.0

    @property
    def any_source(self) -> bool:
        return any((self.sip, self.hep, self.ami, self.http))

    @classmethod
    def from_config(
        cls, section: dict[str, Any], options: dict[str, Any] | None = None
    ) -> ListenConfig:
        """From the config file's ``[telephony]`` table, ``options`` (the CLI's,
        same names) overriding it; what ``crmtui telephony listen`` and the TUI read."""
        given = options or {}

        def pick(name: str, key: str | None = None, default: Any = None) -> Any:
            value = given.get(name)
            return value if value not in (None, [], ()) else section.get(key or name, default)

        return cls(
            sip=pick("sip"), hep=pick("hep"), ami=pick("ami"), http=pick("http"),
            allow=tuple(pick("allow", default=list(LOOPBACK))),
            region=str(pick("region", default="FR")).upper(),
            local_parties=frozenset(str(p) for p in section.get("local_parties", [])),
            ami_user=pick("ami_user", default=""), ami_secret=pick("ami_secret", default=""),
            ami_cdr_timezone=section.get("ami_cdr_timezone", "UTC"),
            hep_auth_key=pick("hep_key", "hep_auth_key", ""),
            twilio_token=pick("twilio_token", "twilio_auth_token", ""),
            twilio_url=pick("twilio_url", default=""),
        )  # fmt: skip


@dataclass
class Listeners:
    """The running sources; ``addresses`` holds what each one bound to."""

    config: ListenConfig
    sink: Sink
    addresses: dict[str, tuple[str, int]] = field(default_factory=dict)
    agent: RingOnlyAgent | None = None
    observer: HepObserver | None = None
    ami: AmiClient | None = None
    _closers: list[Callable[[], object]] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pump = EventPump(self.sink)
        self.allow = Allowlist(self.config.allow)

    async def start(self) -> None:
        """Bind every configured source; raises ``OSError``/``ValueError`` if one cannot."""
        self._tasks.append(asyncio.create_task(self.pump.run()))
        try:
            await self._start_sip()
            await self._start_hep()
            await self._start_http()
            self._start_ami()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop every source, then deliver what was already heard."""
        for close in self._closers:
            close()
        self._closers.clear()
        if not self._tasks:
            return
        pump, *sources = self._tasks
        self._tasks.clear()
        for task in sources:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*sources, return_exceptions=True)
        await self.pump.drain()
        pump.cancel()
        drain = getattr(self.sink, "drain", None)  # a sink that writes behind, e.g. the store
        if drain is not None:
            await drain()

    async def _start_sip(self) -> None:
        if not self.config.sip:
            return
        c = self.config
        self.agent = RingOnlyAgent(
            self.pump.put, allow=self.allow, region=c.region, max_ring_s=c.max_ring_s
        )
        self.addresses["sip"] = await self._udp(c.sip, self.agent)
        self._closers.append(self.agent.close)

    async def _start_hep(self) -> None:
        if not self.config.hep:
            return
        c = self.config
        tracker = DialogTracker(region=c.region, local_parties=c.local_parties)
        self.observer = HepObserver(
            self.pump.put, tracker, allow=self.allow, auth_key=c.hep_auth_key
        )
        self.addresses["hep"] = await self._udp(c.hep, self.observer)
        self._closers.append(self.observer.close)

    async def _udp(self, url: str | None, protocol: asyncio.DatagramProtocol) -> tuple[str, int]:
        endpoint = parse_endpoint(url or "", "udp")
        if endpoint.scheme != "udp":
            raise ValueError(f"{url}: only udp:// is supported")
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: protocol, local_addr=(endpoint.host, endpoint.port)
        )
        sock = transport.get_extra_info("socket")
        with contextlib.suppress(OSError):  # the kernel caps it at net.core.rmem_max
            # A burst of mirrored signalling must wait in the kernel, not be
            # dropped, while the loop is busy: the default buffer holds ~400 packets.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        return transport.get_extra_info("sockname")[:2]

    async def _start_http(self) -> None:
        c, url = self.config, self.config.http
        if not url:
            return
        endpoint = parse_endpoint(url, "http")
        hooks = Webhooks(
            self.pump.put,
            allow=self.allow,
            region=c.region,
            twilio_token=c.twilio_token,
            twilio_url=c.twilio_url,
        )
        server = await serve(hooks, endpoint.host, endpoint.port)
        self.addresses["http"] = server.sockets[0].getsockname()[:2]
        self._closers.append(server.close)

    def _start_ami(self) -> None:
        c, url = self.config, self.config.ami
        if not url:
            return
        endpoint = parse_endpoint(url, "tcp")
        settings = AmiSettings(endpoint.host, endpoint.port, c.ami_user, c.ami_secret)
        tracker = AmiCallTracker(
            region=c.region, local_parties=c.local_parties, cdr_timezone=c.ami_cdr_timezone
        )
        self.ami = AmiClient(settings, self.pump.put, tracker)
        self.addresses["ami"] = (endpoint.host, endpoint.port)
        self._tasks.append(asyncio.create_task(self.ami.run()))


async def listen(
    config: ListenConfig, sink: Sink, *, ready: Callable[[Listeners], None] | None = None
) -> None:
    """Run the configured sources until cancelled; ``ready`` is called once all are bound."""
    listeners = Listeners(config, sink)
    await listeners.start()
    for name, address in listeners.addresses.items():
        log.info("telephony: %s on %s:%s", name, *address)
    if ready:
        ready(listeners)
    try:
        await asyncio.Event().wait()
    finally:
        await listeners.stop()
