"""The Textual app: wires the screens, the keys, the theme and the reminders.

Each main screen is a mode (its own stack, so a contact opened from the
contacts list is still there when you come back). Keys come from the command
registry (``crmtui.commands``); the ``[keymap]`` table of the config file
remaps them by id, and ``theme`` picks a Textual theme (changed from the
palette, it is saved back to the config file).
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import text
from textual import work
from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import HelpPanel

from . import commands
from .config import ConfigError, config_path, load_config, save_config
from .screens.activities import ActivitiesScreen
from .screens.base import DataChanged
from .screens.calls import CallsScreen
from .screens.contacts import ContactsScreen
from .screens.context import UiContext
from .screens.duplicates import DuplicatesScreen
from .screens.invoices import InvoicesScreen
from .screens.notifications import NotificationsScreen
from .screens.opportunities import OpportunitiesScreen
from .screens.palette import CrmCommands
from .screens.reports import ReportsScreen
from .screens.settings import SettingsScreen
from .screens.sync import SyncDesk, SyncScreen
from .screens.tasks import TasksScreen
from .screens.telephony.desk import TelephonyDesk
from .store import Store
from .store import settings as store_settings
from .store.queries.tasks import TaskRow, reminders_due
from .widgets.workers import ReportsWorkerErrors

SCREENS = {
    "contacts": ContactsScreen,
    "activities": ActivitiesScreen,
    "tasks": TasksScreen,
    "opportunities": OpportunitiesScreen,
    "invoices": InvoicesScreen,
    "calls": CallsScreen,
}
REMINDER_SECONDS = 30.0
SQLITE_HEAP_LIMIT = 32 * 2**20


class CrmApp(ReportsWorkerErrors, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "crmtui"
    BINDINGS = commands.bindings("app")
    COMMANDS = App.COMMANDS | {CrmCommands}

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
        for name, screen in SCREENS.items():
            self.add_mode(name, lambda screen=screen: screen(self.ctx))
        self.telephony = TelephonyDesk(self, self.ctx, self.config_file)
        self.sync_desk = SyncDesk(self, self.ctx, self.config_file)

    def on_mount(self) -> None:
        self._apply_config()
        self._read_settings()
        self.switch_mode("contacts")
        self.telephony.start()
        self.sync_desk.start()  # only when the config file names a server
        if self.reminders:
            self._check_reminders()
            self.set_interval(REMINDER_SECONDS, self._check_reminders)

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
        with self.store.read() as session:
            # SQLite's page caches (one per pooled connection, 64 MB each) would fill
            # up scanning a million-row index; in the app, all of them together stay
            # under this (process-wide) limit, and the OS keeps the file cached anyway.
            session.execute(text(f"PRAGMA soft_heap_limit={SQLITE_HEAP_LIMIT}"))
            values = store_settings.all_settings(session)
        self.ctx.region = str(values["default_region"])
        self.ctx.locale = str(values["locale"])

    # -- actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a form is open, finish or cancel it before changing screens.
        return not (action in ("switch_mode", "settings") and isinstance(self.screen, ModalScreen))

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def on_unmount(self) -> None:
        self.telephony.stop()
        self.sync_desk.stop()

    def on_data_changed(self, event: DataChanged) -> None:
        self.sync_desk.poke()  # a local write: push it now

    def action_sync(self) -> None:
        if not isinstance(self.screen, SyncScreen | ModalScreen):
            self.push_screen(SyncScreen(self.ctx, self.sync_desk))

    def action_notifications(self) -> None:
        if not isinstance(self.screen, NotificationsScreen | ModalScreen):
            self.push_screen(NotificationsScreen(self.ctx))

    def action_telephony(self) -> None:
        self.telephony.toggle()

    def action_duplicates(self) -> None:
        if not isinstance(self.screen, DuplicatesScreen | ModalScreen):
            self.push_screen(DuplicatesScreen(self.ctx))

    def action_reports(self) -> None:
        if not isinstance(self.screen, ReportsScreen | ModalScreen):
            self.push_screen(ReportsScreen(self.ctx))

    def action_settings(self) -> None:
        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen(self.ctx))

    def action_search(self) -> None:
        search = getattr(self.screen, "action_search", None)
        if search is not None:
            search()

    # -- reminders ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="reminders", exit_on_error=False)
    def _check_reminders(self) -> None:
        now: datetime = self.ctx.now()
        with self.store.read() as session:
            me = store_settings.local_identity(session).user_id
            due = reminders_due(session, now, me)
        for task in due:
            self.store.mutate("task.mark_reminded", {"id": task.id, "at": now})
            self.call_from_thread(self._remind, task)

    def _remind(self, task: TaskRow) -> None:
        when = task.due_at.astimezone(self.ctx.tz).strftime("%Y-%m-%d %H:%M") if task.due_at else ""
        about = f" · {task.contact}" if task.contact else ""
        self.notify(f"{task.title}{about}\ndue {when}", title="Reminder", timeout=30)
