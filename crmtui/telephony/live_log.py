"""The sink that logs what the live listeners hear as calls in the store.

Events go through the call-log processing (merging legs and sources,
matching numbers, creating contacts, ``call.log_batch`` mutations), attributed to the CRM user its
extension, DID or SIP user belongs to (the ``telephony_users`` admin setting
and ``[telephony.users]`` in the config, e.g. ``"201" = "anne"``, by user name
or id). Store writes run on one worker
thread so that the listeners' event loop never waits on SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import col, or_, select

from ..store import settings
from ..store.db import Store
from ..store.models import User
from .events import CallEvent
from .net import log
from .processing import CallProcessor

SETTING = "telephony_users"


class UnknownUserError(ValueError):
    """A ``[telephony.users]`` entry names no CRM user."""


def resolve_users(store: Store, users: Mapping[str, str]) -> dict[str, str]:
    """Local party -> user id, each user given by name or id; unknown names raise.

    The admin setting ``telephony_users`` (shared by every replica) comes
    first; the local config's entries override it on this machine.
    """
    resolved: dict[str, str] = {}
    with store.read() as session:
        shared = settings.get(session, SETTING)
        wanted = {**(shared if isinstance(shared, dict) else {}), **users}
        for party, who in wanted.items():
            query = select(User.id).where(or_(col(User.id) == who, col(User.name) == who))
            found = session.exec(query).all()
            if len(found) != 1:
                raise UnknownUserError(f"[telephony.users] {party!r}: no single user {who!r}")
            resolved[str(party)] = found[0]
    return resolved


class LiveCallLog:
    """An async sink for the listeners that logs events in batches.

    When the store keeps up, each event is written as it arrives; when calls
    come faster than one transaction each (a busy PBX, the 200 calls/s the
    observer can follow), the events that queued during a write are logged
    together in the next one. The screen pop never waits on this: it reads
    the events themselves.
    """

    def __init__(
        self,
        store: Store,
        *,
        users: Mapping[str, str] | None = None,
        on_logged: Callable[[list[CallEvent]], None] | None = None,
        create_contacts: bool = True,
    ) -> None:
        self.store = store
        # False in the TUI, where the screen pop offers to create the caller instead.
        self.create_contacts = create_contacts
        self.agents = resolve_users(store, users or {})
        self.on_logged = on_logged
        self._processors: dict[str | None, CallProcessor] = {}
        self._pending: list[CallEvent] = []
        self._writing: asyncio.Task[None] | None = None
        # One thread: processors keep caches that are not thread-safe.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="call-log")

    def record(self, events: list[CallEvent]) -> None:
        """Log ``events`` now, on the calling thread: one transaction per CRM user."""
        by_agent: dict[str | None, list[CallEvent]] = {}
        for event in events:
            by_agent.setdefault(self.agents.get(event.local_party), []).append(event)
        for agent, group in by_agent.items():
            processor = self._processors.get(agent)
            if processor is None:
                processor = self._processors[agent] = CallProcessor(
                    self.store, agent_id=agent, create_contacts=self.create_contacts
                )
            for event in group:
                processor.add(event)
            processor.flush()
        if self.on_logged:
            self.on_logged(events)

    async def __call__(self, event: CallEvent) -> None:
        self._pending.append(event)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_pending())

    async def drain(self) -> None:
        """Wait until every event received so far is in the store."""
        while self._writing is not None and not self._writing.done():
            await self._writing

    async def _write_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await loop.run_in_executor(self._worker, self.record, batch)
            except Exception:  # a bad batch must not stop the listeners
                log.exception("could not log %d call events", len(batch))

    def close(self) -> None:
        self._worker.shutdown(wait=True)
