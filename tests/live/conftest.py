"""Fixtures for the live telephony tests: the real sipp, event collection."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable

import pytest

from crmtui.telephony.events import CallEvent
from tests.conftest import require_service


@pytest.fixture(scope="session")
def sipp() -> str:
    """The sipp binary (Debian package sip-tester); missing fails loudly in CI."""
    path = shutil.which("sipp")
    if path is None:
        require_service("sipp", "apt-get install sip-tester")
    assert path is not None
    return path


class Collected(list[CallEvent]):
    """Events a sink received, with a way to wait for more without sleeping blindly."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def __call__(self, event: CallEvent) -> None:
        self.append(event)
        self.changed.set()

    async def until(self, done: Callable[[list[CallEvent]], bool], timeout: float = 20) -> None:
        """Wait until ``done(events)``; the timeout only guards against a hang."""

        async def wait() -> None:
            while not done(self):
                self.changed.clear()
                await self.changed.wait()

        async with asyncio.timeout(timeout):
            await wait()

    def of(self, kind: str) -> list[CallEvent]:
        return [e for e in self if e.kind == kind]


@pytest.fixture
def collected() -> Collected:
    return Collected()


async def wait_until(condition: Callable[[], bool], timeout: float = 20) -> None:
    """Poll ``condition`` (for counters that post no event); the timeout guards a hang."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    async with asyncio.timeout(timeout):
        await poll()
