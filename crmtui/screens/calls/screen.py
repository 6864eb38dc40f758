"""The calls, newest first, with one-key filters and what a call needs next.

Filters stack: ``m`` missed, ``t`` today (the user's calendar day), ``d``
cycles the direction, ``a`` cycles the agents, ``u`` unmatched, ``x`` clears
them. Enter opens the call's wrap-up; ``l`` links it to an existing contact,
``n`` creates a contact from its number, ``c`` calls the number back through
the configured dial command, ``o`` opens its contact. ``s`` shows or hides the
per-agent figures (calls, answered, missed, talk time) of the calls listed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ... import commands
from ...config import ConfigError, load_config
from ...store import settings
from ...store.queries.calls import (
    AgentCallStats,
    CallFilter,
    CallRow,
    call_list,
    call_stats_by_agent,
    day_range,
)
from ...store.queries.lookups import Choice, choices
from ...telephony.calllog import CallBackError, Dialled, call_back
from ...widgets.columns import Column
from ...widgets.format import duration, money, phone, when
from ...widgets.virtual_list import VirtualList
from ..base import CrmScreen
from ..contact_picker import ContactPicker
from ..contact_screen import ContactScreen
from ..context import UiContext
from .agent_stats import AgentStats
from .caller_form import CallerForm
from .wrapup_form import WrapupForm

DIRECTIONS = (None, "inbound", "outbound", "internal")
SHORT_DIRECTION = {"inbound": "in", "outbound": "out", "internal": "int"}
NEEDS_A_CALL = {"link", "new_contact", "call_back", "open_contact"}


def call_columns(ctx: UiContext) -> list[Column[CallRow]]:
    def who(r: CallRow) -> str:
        return r.contact_name or (f"({r.remote_name})" if r.remote_name else "")

    return [
        Column("When", 16, lambda r: when(r.started_at, ctx.tz)),
        Column("Dir", 3, lambda r: SHORT_DIRECTION.get(r.direction, r.direction)),
        Column("Status", 9, lambda r: r.status),
        Column(
            "Number", 16, lambda r: phone(r.remote_raw, r.remote_e164, ctx.region) or "withheld"
        ),
        Column("Contact", 12, who, grow=3),
        Column("Length", 6, lambda r: duration(r.duration_s)),
        Column("Agent", 8, lambda r: r.agent_name, grow=1),
        Column("Cost", 9, lambda r: money(r.cost_minor, r.cost_currency, ctx.locale)),
        Column("✎", 1, lambda r: "✎" if r.wrapped_up else ""),
    ]


class CallsScreen(CrmScreen):
    SCOPE = "calls"
    TITLE_TEXT = "Calls"
    BINDINGS = commands.bindings("calls")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.filters = CallFilter()
        self.today = False
        self.agents: tuple[Choice, ...] = ()

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Static(Text("All calls"), id="filters", classes="toolbar-title")
            yield Static("", id="count", classes="toolbar-info")
        yield VirtualList(self.store, call_columns(self.ctx), id="list")
        yield AgentStats(id="stats")

    @property
    def list(self) -> VirtualList[CallRow]:
        return self.query_one("#list", VirtualList)

    def on_mount(self) -> None:
        super().on_mount()
        self.list.focus()
        self._read_agents()

    def refresh_data(self) -> None:
        if self.list.listing is None:
            self._apply()
        else:
            self.list.reload()
            self._refresh_stats()

    # -- filters ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="call-agents", exit_on_error=False)
    def _read_agents(self) -> None:
        with self.store.snapshot() as db:
            agents = choices(db).users
        self.app.call_from_thread(setattr, self, "agents", agents)

    def _filter(self) -> CallFilter:
        if not self.today:
            return self.filters
        since, until = day_range(self.ctx.now(), self.ctx.tz)
        return replace(self.filters, since=since, until=until)

    def _apply(self) -> None:
        self.list.show(call_list(self._filter()))
        words = self.describe()
        self.query_one("#filters", Static).update(Text(words))
        self.show_detail("" if words == "All calls" else words)
        self._refresh_stats()

    # -- per-agent figures ------------------------------------------------------------

    @property
    def stats_panel(self) -> AgentStats:
        return self.query_one("#stats", AgentStats)

    def action_toggle_stats(self) -> None:
        self.stats_panel.toggle_class("shown")
        self._refresh_stats()

    def _refresh_stats(self) -> None:
        if self.stats_panel.has_class("shown"):
            self.stats_panel.update(Text("Counting…", style="dim"))
            self._read_stats(self._filter(), self.describe())

    @work(thread=True, exclusive=True, group="call-stats", exit_on_error=False)
    def _read_stats(self, filters: CallFilter, words: str) -> None:
        with self.store.read() as session:
            rows = call_stats_by_agent(session, filters=filters)
        self.app.call_from_thread(self._show_stats, rows, f"Per agent · {words}")

    def _show_stats(self, rows: list[AgentCallStats], title: str) -> None:
        self.stats_panel.show_rows(rows, title)

    def describe(self) -> str:
        f = self.filters
        agent = next((a.name for a in self.agents if a.id == f.agent_id), "")
        parts = [
            "missed" if f.missed else "",
            "today" if self.today else "",
            f.direction or "",
            f"agent {agent}" if agent else "",
            "unmatched" if f.unmatched else "",
        ]
        shown = [p for p in parts if p]
        return ("Calls: " + " · ".join(shown)) if shown else "All calls"

    def action_toggle_filter(self, name: str) -> None:
        if name == "today":
            self.today = not self.today
        else:
            self.filters = replace(self.filters, **{name: not getattr(self.filters, name)})
        self._apply()

    def action_next_direction(self) -> None:
        index = DIRECTIONS.index(self.filters.direction)
        self.filters = replace(self.filters, direction=DIRECTIONS[(index + 1) % len(DIRECTIONS)])
        self._apply()

    def action_next_agent(self) -> None:
        ids = [None, *(a.id for a in self.agents)]
        index = ids.index(self.filters.agent_id) if self.filters.agent_id in ids else 0
        self.filters = replace(self.filters, agent_id=ids[(index + 1) % len(ids)])
        self._apply()

    def action_clear_filters(self) -> None:
        self.filters, self.today = CallFilter(), False
        self._apply()

    @on(VirtualList.Counted)
    def _counted(self, event: VirtualList.Counted) -> None:
        noun = "call" if event.total == 1 else "calls"
        self.query_one("#count", Static).update(Text(f"{event.total:,} {noun}"))

    # -- one call -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        row = self.list.current if self.is_mounted else None
        if action in NEEDS_A_CALL and row is None:
            return None
        if action == "new_contact" and row is not None and (row.contact_id or not row.remote_e164):
            return None  # a contact exists already, or there is no outside number
        if action == "open_contact" and row is not None and not row.contact_id:
            return None
        return super().check_action(action, parameters)

    @on(VirtualList.Highlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()  # what the keys can do depends on the call

    @on(VirtualList.Selected)
    def _open(self, event: VirtualList.Selected) -> None:
        self.app.push_screen(WrapupForm(self.ctx, event.row.id), self._saved)

    def _saved(self, call_id: str | None) -> None:
        if call_id:
            self.notify("Wrap-up saved")
            self.list.reload()

    def action_open_contact(self) -> None:
        row = self.list.current
        if row is not None and row.contact_id:
            self.app.push_screen(ContactScreen(self.ctx, row.contact_id))

    def action_link(self) -> None:
        row = self.list.current
        if row is None:
            return
        number = phone(row.remote_raw, row.remote_e164, self.ctx.region) or "withheld"
        picker = ContactPicker(self.store, f"Link the call from {number} to…", row.remote_name)
        self.app.push_screen(picker, lambda picked: self._link(row, picked))

    def _link(self, row: CallRow, picked: tuple[str, str] | None) -> None:
        if picked is None:
            return
        contact_id, name = picked
        args = {"id": row.id, "contact_id": contact_id, "same_number": True}
        self.mutate("call.link_contact", args, then=lambda n: self._linked(name, n))

    def _linked(self, name: str, count: int) -> None:
        more = f" (and {count - 1} more of that number)" if count > 1 else ""
        self.notify(f"Linked to {name}{more}")

    def action_new_contact(self) -> None:
        row = self.list.current
        if row is None:
            return
        number = phone(row.remote_raw, row.remote_e164, self.ctx.region)
        form = CallerForm(row.id, number, row.remote_name)
        self.app.push_screen(form, self._create)

    def _create(self, args: dict[str, Any] | None) -> None:
        if args is not None:
            self.mutate("call.create_contact", args, then=lambda _: self.notify("Contact created"))

    def action_call_back(self) -> None:
        row = self.list.current
        if row is not None:
            self._call_back(row)

    @work(thread=True, exclusive=True, group="call-back", exit_on_error=False)
    def _call_back(self, row: CallRow) -> None:
        config_file = getattr(self.app, "config_file", None)
        try:
            config = load_config(config_file)
            with self.store.read() as session:
                me = settings.local_identity(session).user_id
            dialled = call_back(
                self.store,
                row.id,
                config=config,
                agent_id=me,
                region=self.ctx.region,
                create_contacts=False,  # as for the screen pop: the user decides (``n``)
            )
        except (CallBackError, ConfigError) as exc:
            self.app.call_from_thread(
                self.notify, str(exc), title="Cannot call back", severity="error", timeout=10
            )
            return
        self.app.call_from_thread(self._dialled, dialled)

    def _dialled(self, dialled: Dialled) -> None:
        number = phone(dialled.number, dialled.number, self.ctx.region)
        if dialled.returncode not in (0, None):
            self.notify(
                f"The dial command exited with {dialled.returncode}; "
                "the attempt is logged as failed",
                title=f"Calling {number} failed",
                severity="error",
                timeout=10,
            )
        else:
            self.notify(f"Dialling {number}; logged as an outbound call", title="Call back")
        self.list.reload()
        self._refresh_stats()
