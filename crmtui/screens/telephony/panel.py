"""The telephony panel docked at the right of every main screen.

It draws the desk's state (listener status, the popped call with the
caller's card, the calls heard lately) and redraws whenever the desk
publishes a change. Its keys act on the popped call: ``n`` creates the new
caller, enter opens the card, ``w`` the wrap-up, escape goes back to the
screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from ... import commands
from ...telephony.events import CallEvent
from ...widgets.format import money, phone, when
from ..context import UiContext

if TYPE_CHECKING:
    from ...store.queries.caller_card import CallerCard
    from .desk import Pop, TelephonyDesk

STATUS_STYLE = {
    "ringing": "bold reverse green",
    "answered": "bold reverse blue",
    "missed": "bold reverse red",
}


class TelephonyPanel(VerticalScroll, can_focus=True):
    BINDINGS = commands.bindings("telephony")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(id="telephony-panel")
        self.ctx = ctx
        self._desk: TelephonyDesk | None = None
        self._return_to: Widget | None = None
        self._shown_keys: tuple[bool, bool, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="phone-status")
        yield Static("", id="phone-pop")
        yield Static("", id="phone-recent")

    def on_mount(self) -> None:
        desk: TelephonyDesk | None = getattr(self.app, "telephony", None)
        if desk is not None:
            self.attach(desk)
        else:
            self.display = False  # until the app starts its desk (after the first paint)

    def attach(self, desk: TelephonyDesk) -> None:
        """Show ``desk`` from now on (the app calls it on panels mounted before it)."""
        if self._desk is not None:
            return
        self._desk = desk
        desk.changed.subscribe(self, self.show, immediate=True)
        self.show(desk)

    # -- drawing ----------------------------------------------------------------------

    def show(self, desk: TelephonyDesk) -> None:
        self.display = desk.visible
        if not desk.visible:
            return
        status = Text(desk.status, style="dim" if desk.listening else "italic")
        self.query_one("#phone-status", Static).update(status)
        self.query_one("#phone-pop", Static).update(self._pop(desk.pop))
        self.query_one("#phone-recent", Static).update(self._recent(desk))
        keys = self._keys(desk.pop)
        looking_up = desk.pop is not None and desk.pop.caller is None
        # The footer rebuilds every key: only when one changes, not while the caller is read.
        if keys != self._shown_keys and not looking_up:
            self._shown_keys = keys
            self.refresh_bindings()

    @staticmethod
    def _keys(pop: Pop | None) -> tuple[bool, bool, bool]:
        """Which of the panel's keys can act: create, open, wrap-up."""
        caller = pop.caller if pop else None
        return (
            caller is not None and caller.can_create,
            caller is not None and caller.card is not None,
            pop is not None,
        )

    def _number(self, event: CallEvent) -> str:
        return phone(event.remote_raw, event.remote_e164, self.ctx.region) or "withheld"

    def _pop(self, pop: Pop | None) -> RenderableType:
        if pop is None:
            return Text("\nNo call yet.", style="dim")
        event, status = pop.event, pop.status
        head = Text("\n")
        head.append(f" {status.upper()} ", style=STATUS_STYLE.get(status, "bold reverse"))
        head.append(f"  {when(event.started_at, self.ctx.tz)[11:]}")
        line = Text(f"{self._number(event)}")
        if event.local_party:
            line.append(f" → {event.local_party}", style="dim")
        caller = pop.caller
        if caller is None:
            return Group(head, Text("…", style="dim"), line)
        if caller.card is None:
            return Group(head, *self._stranger(event, caller.can_create, caller.ambiguous), line)
        return Group(head, *self._card(caller.card), line, *self._card_lists(caller.card))

    def _stranger(self, event: CallEvent, can_create: bool, ambiguous: bool) -> list[Text]:
        title = "New caller" if can_create else "Unknown caller"
        lines = [Text(title, style="bold")]
        if event.remote_name:
            lines.append(Text(f"{event.remote_name} (caller ID)"))
        if ambiguous:
            lines.append(Text("several contacts share this number", style="italic"))
        if can_create:
            lines.append(Text("n: create this contact", style="bold"))
        return lines

    def _card(self, card: CallerCard) -> list[Text]:
        lines = [Text(card.name, style="bold")]
        where = " · ".join(p for p in (card.title, card.company.name if card.company else "") if p)
        if where:
            lines.append(Text(where))
        return lines

    def _card_lists(self, card: CallerCard) -> list[Text]:
        out: list[Text] = []

        def section(title: str, rows: list[str]) -> None:
            out.append(Text(f"\n{title}", style="bold underline"))
            out.extend(Text(f" {r}") for r in rows or ["none"])

        tz, locale = self.ctx.tz, self.ctx.locale
        section(
            "Recent activities", [f"{when(a.at, tz)[:10]} {a.subject}" for a in card.activities]
        )
        section(
            "Open deals",
            [
                " · ".join(
                    p for p in (d.title, d.stage, money(d.budget_minor, d.currency, locale)) if p
                )
                for d in card.deals
            ],
        )
        section("Open tasks", [f"{when(t.due_at, tz) or 'no date'} {t.title}" for t in card.tasks])
        out.append(Text("\nenter: open the card · w: wrap-up", style="dim"))
        return out

    def _recent(self, desk: TelephonyDesk) -> RenderableType:
        # Imported here: the call log's processing (and the store's mutations it
        # brings) is not needed to draw the first screen, only the calls heard.
        from ...telephony.processing import resolve_status

        if not desk.recent:
            return Text("")
        lines = [Text("\nCalls heard", style="bold underline")]
        for event in desk.recent.values():
            who = event.remote_name or self._number(event)
            stamp = when(event.started_at, self.ctx.tz)[11:]
            lines.append(Text(f" {stamp} {resolve_status(event):<9} {who}"))
        return Group(*lines)

    # -- focus and keys ----------------------------------------------------------------

    def take_focus(self) -> None:
        if not self.has_focus:
            self._return_to = self.screen.focused
        self.focus()

    def give_back_focus(self) -> None:
        target, self._return_to = self._return_to, None
        if target is not None and target.is_attached:
            target.focus()
        else:
            self.screen.focus_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        can_create, can_open, can_wrap_up = self._keys(self._desk.pop if self._desk else None)
        allowed = {"create_caller": can_create, "open_card": can_open, "wrapup": can_wrap_up}
        return True if allowed.get(action, True) else None

    def action_create_caller(self) -> None:
        if self._desk is not None:
            self._desk.action_create_caller()

    def action_open_card(self) -> None:
        if self._desk is not None:
            self._desk.action_open_card()

    def action_wrapup(self) -> None:
        if self._desk is not None:
            self._desk.action_wrapup()

    def action_leave(self) -> None:
        self.give_back_focus()
