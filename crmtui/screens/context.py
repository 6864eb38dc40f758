"""What every screen needs from the app: the store, the user's clock and locale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from ..store import Store


def _local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


@dataclass
class UiContext:
    """Handed to each screen by the app. ``clock`` and ``tz`` are fixed in tests
    so that "today" and every time shown do not depend on when a test runs."""

    store: Store
    tz: tzinfo = field(default_factory=_local_tz)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    locale: str = "en_US"
    region: str = "FR"

    def now(self) -> datetime:
        return self.clock()
