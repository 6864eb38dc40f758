"""The Textual app: wires the screens, the keys, the theme and the reminders.

Each main screen is a mode (its own stack, so a contact opened from the
contacts list is still there when you come back). Keys come from the command
registry (``crmtui.commands``); the ``[keymap]`` table of the config file
remaps them by id, and ``theme`` picks a Textual theme (changed from the
palette, it is saved back to the config file).

Only the contacts screen is imported before the first paint: each other
screen (and the telephony and sync desks, the palette's provider) is imported
when first used, or right after the first paint, so that launching the app
costs the imports of what it shows and no more.
"""

from __future__ import annotations

import gc
from datetime import datetime, tzinfo
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.screen import ModalScreen

from . import commands
from .config import ConfigError, config_path, load_config, save_config
from .screens.base import DataChanged
from .screens.context import UiContext
from .store import Store
from .widgets.virtual_list import VirtualList
from .widgets.workers import ReportsWorkerErrors

if TYPE_CHECKING:
    from textual.command import Provider

    from .screens.sync import SyncDesk
    from .screens.telephony.desk import TelephonyDesk
    from .store.queries.tasks import TaskRow

# The main screens, each a mode: (module, class), imported on first use.
SCREENS = {
    "contacts": ("contacts", "ContactsScreen"),
    "activities": ("activities", "ActivitiesScreen"),
    "tasks": ("tasks", "TasksScreen"),
    "opportunities": ("opportunities", "OpportunitiesScreen"),
    "invoices": ("invoices", "InvoicesScreen"),
    "calls": ("calls", "CallsScreen"),
}
REMINDER_SECONDS = 30.0
DESKS_LATEST_S = 1.0  # the desks start this long after launch if no list has painted rows
DESK_MODULES = (".screens.sync.desk", ".screens.telephony.desk", ".screens.telephony.panel")
SQLITE_HEAP_LIMIT = 32 * 2**20


def screen_class(module: str, name: str) -> Any:
    return getattr(import_module(f".screens.{module}", __package__), name)


def crm_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens."""
    return screen_class("palette", "CrmCommands")  # type: ignore[no-any-return]


class CrmApp(ReportsWorkerErrors, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "crmtui"
    BINDINGS = commands.bindings("app")
    COMMANDS = App.COMMANDS | {crm_commands}

    # Made by _start_desks, once the first screen has painted its rows.
    telephony: TelephonyDesk
    sync_desk: SyncDesk

    def __init__(
        self,
        store: Store,
        *,
        config_file: Path | None = None,
        clock: Any = None,
        tz: tzinfo | None = None,
        reminders: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        self.config_file = config_file or config_path()
        self.ctx = UiContext(store)
        if clock is not None:
            self.ctx.clock = clock
        if tz is not None:
            self.ctx.tz = tz
        self.reminders = reminders
        self._config_applied = False
        self._desks_started = False
        self._services_configured = True  # until the config file says otherwise
        for name, where in SCREENS.items():
            self.add_mode(name, lambda where=where: screen_class(*where)(self.ctx))

    def on_mount(self) -> None:
        # The modules and objects made so far live as long as the app: frozen, the
        # collector's full passes (a few hundred ms on the UI thread, walking every
        # class and function of Textual, SQLAlchemy and Babel) no longer visit them.
        gc.freeze()
        self._apply_config()
        self._read_settings()
        self.switch_mode("contacts")
        self.set_timer(DESKS_LATEST_S, self._start_desks)
        if self.reminders:
            self.set_interval(REMINDER_SECONDS, self._check_reminders)

    @on(VirtualList.Highlighted)
    @on(VirtualList.Counted)
    def _first_rows(self, event: VirtualList.Highlighted | VirtualList.Counted) -> None:
        if self._desks_started:
            return
        rows = event.list.current is not None
        if rows or (isinstance(event, VirtualList.Counted) and event.total == 0):
            self.call_after_refresh(self._start_desks)  # after the paint that shows them

    def _start_desks(self) -> None:
        """Start the telephony desk (its listeners, if configured), the sync loop
        (if a server is set) and the reminders: after the first paint, so that
        importing them does not delay it. Their modules (with SQLAlchemy, the ORM
        models and the mutations: a second or so) are imported in a thread, so
        that keys are answered meanwhile, though at half speed. With no server
        and no telephony source in the config file there is nothing to start:
        the desks are made when first asked for (ctrl+t, the sync screen) and
        only the reminders are checked now. A command that needs a desk at once
        waits for the import."""
        if not self._desks_started:
            self._desks_started = True
            if self._services_configured:
                self._import_desks()
            elif self.reminders:
                self._check_reminders()

    @work(thread=True, group="desks", exit_on_error=False)
    def _import_desks(self) -> None:
        for module in DESK_MODULES:
            import_module(module, __package__)
        self.call_from_thread(self._make_desks)

    def _make_desks(self) -> None:
        if hasattr(self, "telephony"):
            return  # made already, for a command that could not wait
        from .screens.sync.desk import SyncDesk
        from .screens.telephony.desk import TelephonyDesk
        from .screens.telephony.panel import TelephonyPanel

        self.telephony = TelephonyDesk(self, self.ctx, self.config_file)
        self.sync_desk = SyncDesk(self, self.ctx, self.config_file)
        for stack in self._screen_stacks.values():  # panels mounted before the desk
            for screen in stack:
                for panel in screen.query(TelephonyPanel):
                    panel.attach(self.telephony)
        self.telephony.start()
        self.sync_desk.start()  # only when the config file names a server
        if self.reminders:
            self._check_reminders()
        gc.freeze()  # as at mount: the modules imported since stay out of full collections

    def _apply_config(self) -> None:
        try:
            config = load_config(self.config_file)
        except ConfigError as exc:
            self.notify(str(exc), title="Config ignored", severity="error", timeout=10)
            return
        keymap = config.get("keymap", {})
        unknown = sorted(set(keymap) - {c.id for c in commands.COMMANDS})
        if unknown:
            self.notify(
                f"unknown command ids in [keymap]: {', '.join(unknown)}",
                severity="warning",
                timeout=10,
            )
        if keymap:  # setting even an empty keymap redraws every footer
            self.set_keymap({k: str(v) for k, v in keymap.items() if k not in unknown})
        sync = config.get("sync")
        self._services_configured = bool(config.get("telephony")) or (
            isinstance(sync, dict) and bool(sync.get("server"))
        )
        theme = config.get("theme")
        if theme and theme in self.available_themes:
            self.theme = theme
        elif theme:
            self.notify(f"unknown theme {theme!r}; see ctrl+p → Theme", severity="warning")
        self._config_applied = True

    def watch_theme(self, theme: str) -> None:
        if self._config_applied:  # a choice the user made now, not the one read at start
            self._save_theme(theme)

    @work(thread=True, exclusive=True, group="config", exit_on_error=False)
    def _save_theme(self, theme: str) -> None:
        config = load_config(self.config_file)
        if config.get("theme") != theme:
            save_config({**config, "theme": theme}, self.config_file)

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def _read_settings(self) -> None:
        from .store import settings as store_settings

        with self.store.snapshot() as db:
            # SQLite's page caches (one per pooled connection, 64 MB each) would fill
            # up scanning a million-row index; in the app, all of them together stay
            # under this (process-wide) limit, and the OS keeps the file cached anyway.
            db.execute(f"PRAGMA soft_heap_limit={SQLITE_HEAP_LIMIT}")
            values = store_settings.plain_values(db, "default_region", "locale")
        self.ctx.region = str(values["default_region"])
        self.ctx.locale = str(values["locale"])

    # -- actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a form is open, finish or cancel it before changing screens.
        return not (action in ("switch_mode", "settings") and isinstance(self.screen, ModalScreen))

    def action_toggle_help(self) -> None:
        from textual.widgets import HelpPanel  # with Markdown: not needed to paint

        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def on_unmount(self) -> None:
        gc.unfreeze()  # what this app leaves behind may be collected again
        if hasattr(self, "telephony"):
            self.telephony.stop()
            self.sync_desk.stop()

    def _desks(self) -> None:
        """Make the desks now if the background import has not yet."""
        self._desks_started = True
        self._make_desks()

    def on_data_changed(self, event: DataChanged) -> None:
        if hasattr(self, "sync_desk"):  # not yet made: its start pushes the outbox
            self.sync_desk.poke()  # a local write: push it now

    def _push_once(self, module: str, name: str, *args: Any) -> None:
        """Push a screen unless it (or a form) is already in front."""
        screen = screen_class(module, name)
        if not isinstance(self.screen, screen | ModalScreen):
            self.push_screen(screen(self.ctx, *args))

    def action_sync(self) -> None:
        self._desks()
        self._push_once("sync.screen", "SyncScreen", self.sync_desk)

    def action_notifications(self) -> None:
        self._push_once("notifications", "NotificationsScreen")

    def action_telephony(self) -> None:
        self._desks()
        self.telephony.toggle()

    def action_duplicates(self) -> None:
        self._push_once("duplicates", "DuplicatesScreen")

    def action_reports(self) -> None:
        self._push_once("reports", "ReportsScreen")

    def action_settings(self) -> None:
        settings = screen_class("settings", "SettingsScreen")
        if not isinstance(self.screen, settings):
            self.push_screen(settings(self.ctx))

    def action_search(self) -> None:
        search = getattr(self.screen, "action_search", None)
        if search is not None:
            search()

    # -- reminders ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reminders", exit_on_error=False)
    def _check_reminders(self) -> None:
        from .store.queries.tasks import reminders_due
        from .store.sql import scalar

        now: datetime = self.ctx.now()
        with self.store.snapshot() as db:  # the ORM only if a reminder is due
            me = scalar(db, "SELECT user_id FROM _sync_state LIMIT 1")  # made at opening
            due = reminders_due(db, now, me)
        for task in due:
            self.store.mutate("task.mark_reminded", {"id": task.id, "at": now})
            self.call_from_thread(self._remind, task)

    def _remind(self, task: TaskRow) -> None:
        when = task.due_at.astimezone(self.ctx.tz).strftime("%Y-%m-%d %H:%M") if task.due_at else ""
        about = f" · {task.contact}" if task.contact else ""
        self.notify(f"{task.title}{about}\ndue {when}", title="Reminder", timeout=30)
