"""The live listeners on a thread of their own, for a program with its own
event loop to keep responsive (the TUI).

The sources run in a private asyncio loop on one daemon thread, so a burst of
mirrored signalling never delays a keypress; the sink is called on that
thread and must hand events over to its owner thread-safely.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from .listen import ListenConfig, Listeners
from .net import Sink, log

Address = tuple[str, int]


class BackgroundListeners:
    """``start()`` binds every configured source (or raises why it cannot);
    ``stop()`` closes them and waits until what they heard reached the sink."""

    def __init__(self, config: ListenConfig, sink: Sink) -> None:
        self.config = config
        self.sink = sink
        self.addresses: dict[str, Address] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> dict[str, Address]:
        self._thread = threading.Thread(target=self._run, name="telephony", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the telephony listeners did not start in time")
        if self._error is not None:
            raise self._error
        return self.addresses

    def stop(self, timeout: float = 10.0) -> None:
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None and not loop.is_closed():
            # The loop may close in between: then there is nothing left to stop.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopping.set)
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception as exc:  # start() reports a failure to bind; log anything later
            if self._ready.is_set():
                log.exception("the telephony listeners stopped")
            else:
                self._error = exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        listeners = Listeners(self.config, self.sink)
        await listeners.start()
        self.addresses = dict(listeners.addresses)
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await listeners.stop()
