"""Driving the real app on a real temporary store, with the clock frozen.

"Now" is fixed at 2030-06-12 10:00 UTC (a Wednesday) and the time zone is
UTC, so lists that depend on today (tasks) and every time shown are the same
whenever and wherever the tests run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from crmtui.app import CrmApp
from crmtui.store import Store

NOW = datetime(2030, 6, 12, 10, 0, tzinfo=UTC)
SIZE = (120, 40)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


@pytest.fixture
def make_app(store: Store, config_file: Path) -> Callable[..., CrmApp]:
    def make(**kwargs: Any) -> CrmApp:
        options: dict[str, Any] = {
            "config_file": config_file,
            "clock": lambda: NOW,
            "tz": UTC,
            "reminders": False,
        }
        options.update(kwargs)
        return CrmApp(store, **options)

    return make


async def settle(pilot: Pilot[Any], *, failures_ok: bool = False) -> None:
    """Let timers fire and every worker finish, then let the screen repaint."""
    for _ in range(3):
        await pilot.pause(0.05)
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            if not failures_ok:
                raise
        except WorkerCancelled:
            # A form's save worker dismisses its form once saved, and closing
            # the form cancels the workers it owns: on a busy machine that can
            # come before the finished worker is marked done. Its work is done.
            pass
    await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


def list_text(app: CrmApp, widget_id: str = "#list") -> str:
    """What the list on the current screen paints, line by line."""
    widget = app.screen.query_one(widget_id)
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def notifications(app: CrmApp) -> list[str]:
    return [n.message for n in app._notifications]
