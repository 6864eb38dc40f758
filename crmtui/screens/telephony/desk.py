"""The telephony desk: the live listeners running inside the TUI, the screen
pop, and the wrap-up when a call ends.

When the config file's ``[telephony]`` table names sources (the same keys
``crmtui telephony listen`` reads), the app starts them on a background
thread (``BackgroundListeners``), logs what they hear to the store through
the same ``LiveCallLog`` (each call to the CRM user its extension maps to),
and shows it in the telephony panel of whichever screen is in front.

Screen pop: an inbound call that starts ringing (unless it rings for another
user's extension) opens the panel with the caller's card, focused so that
one key acts on it (unless the user is typing or in a form). An unknown
outside number shows "new caller": in the TUI a person is there to decide,
so the call log does not create contacts on its own, and ``n`` creates one
from the call. When an answered call ends, the wrap-up form opens (escape
skips it); a missed call just says so.

Every change of state is published on ``changed``; each screen's panel
redraws from it. Listener events arrive on the listener thread and are posted
to the app's message queue, so neither side waits for the other.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.signal import Signal
from textual.widgets import Input, TextArea

from ...config import ConfigError, load_config
from ...store import settings
from ...store.queries.calls import call_id_by_key
from ...telephony.background import BackgroundListeners
from ...telephony.events import CallEvent
from ...telephony.listen import ListenConfig
from ...telephony.live_log import LiveCallLog, UnknownUserError
from ...telephony.net import Tee
from ...telephony.processing import resolve_status
from ...telephony.screen_pop import Caller, ends_the_call, identify
from ..base import CrmScreen, DataChanged
from ..calls.caller_form import new_caller_args
from ..calls.wrapup_form import WAIT_FOR_LOG_S, WrapupForm
from ..contact_screen import ContactScreen
from ..context import UiContext

if TYPE_CHECKING:
    from textual.app import App

    from .panel import TelephonyPanel

Key = tuple[str, str]
RECENT = 8  # calls listed under the pop
REREAD_S = 1.0  # the front screen reads again this long after calls were logged
OFF = (
    "Telephony is off: no source in the config file. Set e.g. "
    '[telephony] sip = "udp://127.0.0.1:5060" (also hep, ami, http), '
    'and [telephony.users] "201" = "your name".'
)


@dataclass(frozen=True, slots=True)
class Pop:
    """The call the panel shows: its latest event and, once read, the caller."""

    key: Key
    event: CallEvent
    caller: Caller | None = None  # None while the lookup runs
    wrapped: bool = False  # the wrap-up was offered

    @property
    def status(self) -> str:
        return resolve_status(self.event)


class TelephonyDesk:
    def __init__(self, app: App[Any], ctx: UiContext, config_file: Path) -> None:
        self.app = app
        self.ctx = ctx
        self.store = ctx.store
        self.config_file = config_file
        self.changed: Signal[TelephonyDesk] = Signal(app, "telephony")
        self.visible = False
        self.status = OFF
        self.listening = False
        self.addresses: dict[str, tuple[str, int]] = {}
        self.pop: Pop | None = None
        self.recent: OrderedDict[Key, CallEvent] = OrderedDict()
        self.region = ctx.region
        self._listeners: BackgroundListeners | None = None
        self._log: LiveCallLog | None = None
        self._agents: dict[str, str] = {}
        self._me: str | None = None
        self._reread_pending = False
        self._closed = False  # the app is shutting down: events still in flight are dropped

    # -- starting and stopping (the app calls these) ----------------------------------

    def start(self) -> None:
        self.app.run_worker(
            self._start, thread=True, group="telephony", exclusive=True, exit_on_error=False
        )

    def _start(self) -> None:
        try:
            section = load_config(self.config_file).get("telephony", {})
        except ConfigError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        with self.store.read() as session:
            region = str(settings.get(session, "default_region"))
            me = settings.local_identity(session).user_id
        config = ListenConfig.from_config(section, {"region": section.get("region", region)})
        if not config.any_source:
            return
        try:
            log = LiveCallLog(
                self.store,
                users=section.get("users", {}),
                create_contacts=False,
                on_logged=self._logged_elsewhere,
            )
        except UnknownUserError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        listeners = BackgroundListeners(config, Tee(self._heard_elsewhere, log))
        try:
            addresses = listeners.start()
        except (OSError, ValueError, TimeoutError) as exc:
            log.close()
            self.app.call_from_thread(self._failed, f"cannot listen: {exc}")
            return
        self._listeners, self._log, self._agents, self._me = listeners, log, log.agents, me
        self.app.call_from_thread(self._started, config.region, addresses)

    def _started(self, region: str, addresses: dict[str, tuple[str, int]]) -> None:
        self.region, self.addresses, self.listening = region, addresses, True
        where = " · ".join(f"{name} {host}:{port}" for name, (host, port) in addresses.items())
        self.status = f"Listening: {where}"
        self.changed.publish(self)

    def _failed(self, message: str) -> None:
        self.status = f"Telephony failed: {message}"
        self.app.notify(message, title="Telephony", severity="error", timeout=10)
        self.changed.publish(self)

    def stop(self) -> None:
        """Close the listeners and let the call log write what they heard."""
        self._closed = True
        if self._listeners is not None:
            self._listeners.stop()
            self._listeners = None
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- what the listeners hear ----------------------------------------------------

    def _heard_elsewhere(self, event: CallEvent) -> None:
        """The sink, on the listener thread: hand the event to the app's message
        queue (``post_message`` is thread-safe and does not wait)."""
        self.app.post_message(events.Callback(callback=partial(self.heard, event)))

    def _logged_elsewhere(self, events_logged: list[CallEvent]) -> None:
        """Called on the call log's thread once calls are in the store."""
        self.app.post_message(events.Callback(callback=self._logged))

    def _logged(self) -> None:
        """Have the screen in front read again, at most once a second (a busy PBX
        logs calls many times a second)."""
        if not self._reread_pending and not self._closed:
            self._reread_pending = True
            self.app.set_timer(REREAD_S, self._reread)

    def _reread(self) -> None:
        self._reread_pending = False
        stack = self.app.screen_stack
        screen = stack[-1] if stack and not self._closed else None
        if isinstance(screen, CrmScreen):
            screen.post_message(DataChanged())

    def heard(self, event: CallEvent) -> None:
        if self._closed:
            return
        key = (event.source, event.source_call_id)
        self.recent[key] = event
        self.recent.move_to_end(key, last=False)
        while len(self.recent) > RECENT:
            self.recent.popitem()
        pop = self.pop
        if event.kind == "ringing" and event.direction == "inbound" and self._for_me(event):
            if pop is None or pop.key != key:
                self.pop = Pop(key, event)
                self._identify(key, event)
                self.reveal()  # publishes the change
                return
        elif pop is not None and pop.key == key:
            self.pop = pop = replace(pop, event=event)
            if ends_the_call(event) and pop.status == "answered" and not pop.wrapped:
                self.pop = replace(pop, wrapped=True)
                self.action_wrapup()
        self.changed.publish(self)

    def _for_me(self, event: CallEvent) -> bool:
        """Pop unless the extension rung belongs to another user."""
        agent = self._agents.get(event.local_party)
        return agent is None or agent == self._me

    def _identify(self, key: Key, event: CallEvent) -> None:
        def look_up() -> None:
            caller = identify(self.store, event, self.region)
            self.app.call_from_thread(self._identified, key, caller)

        self.app.run_worker(look_up, thread=True, group="telephony-pop", exit_on_error=False)

    def _identified(self, key: Key, caller: Caller) -> None:
        if self.pop is None or self.pop.key != key:
            return  # another call popped meanwhile
        self.pop = replace(self.pop, caller=caller)
        self.changed.publish(self)

    # -- the panel ----------------------------------------------------------------------

    def panel(self) -> TelephonyPanel | None:
        """The panel of the screen in front (None under a modal form)."""
        from .panel import TelephonyPanel

        stack = self.app.screen_stack
        if not stack:
            return None
        panels = stack[-1].query(TelephonyPanel)
        return panels.first() if panels else None

    def reveal(self) -> None:
        """Show the panel; focus it unless the user is typing or filling a form."""
        self.visible = True
        self.changed.publish(self)
        focused = self.app.focused
        panel = self.panel()
        if panel is not None and not isinstance(focused, Input | TextArea):
            panel.take_focus()

    def toggle(self) -> None:
        """Show and focus the panel; pressed again in the panel, hide it."""
        panel = self.panel()
        if not self.visible:
            self.reveal()
        elif panel is not None and not panel.has_focus:
            panel.take_focus()
        else:
            self.visible = False
            if panel is not None:
                panel.give_back_focus()
            self.changed.publish(self)

    # -- acting on the popped call ------------------------------------------------------

    def action_open_card(self) -> None:
        caller = self.pop.caller if self.pop else None
        if caller is not None and caller.card is not None:
            self.app.push_screen(ContactScreen(self.ctx, caller.card.id))

    def action_wrapup(self) -> None:
        if self.pop is not None:
            self.app.push_screen(WrapupForm(self.ctx, key=self.pop.key), self._wrapped_up)

    def _wrapped_up(self, call_id: str | None) -> None:
        if call_id:
            self.app.notify("Wrap-up saved")

    def action_create_caller(self) -> None:
        pop = self.pop
        if pop is None or pop.caller is None or not pop.caller.can_create:
            return
        self.app.run_worker(
            lambda: self._create(pop), thread=True, group="telephony-create", exit_on_error=False
        )

    def _create(self, pop: Pop) -> None:
        """Create the caller from the logged call (waiting for the log if need be)."""
        deadline = time.monotonic() + WAIT_FOR_LOG_S
        while True:
            with self.store.read() as session:
                call_id = call_id_by_key(session, *pop.key)
            if call_id or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if call_id is None:
            raise ValueError("the call is not in the store yet; try again in a moment")
        self.store.mutate("call.create_contact", new_caller_args(call_id, pop.event.remote_name))
        caller = identify(self.store, pop.event, self.region)
        self.app.call_from_thread(self._created, pop.key, caller)

    def _created(self, key: Key, caller: Caller) -> None:
        self._identified(key, caller)
        name = caller.card.name if caller.card else "the caller"
        self.app.notify(f"Created {name}; enter opens the card", title="New contact")
