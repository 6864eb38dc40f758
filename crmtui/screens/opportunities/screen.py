"""The opportunities screen: the pipeline board (``b`` switches to the list).

Keys act on the highlighted deal wherever it shows: shift+right / ``>`` moves
it to the next stage and shift+left / ``<`` back (the stage sets its
probability), ``w`` and ``x`` mark it won or lost, ``n`` ``e`` ``d`` create,
edit and delete, enter opens it. After a move the cursor follows the card into
its new column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ContentSwitcher, Static

from ... import commands
from ...store.queries.board import (
    DealEdit,
    board_columns,
    deal_for_edit,
    deal_listing,
    first_cards,
    locate_card,
)
from ...store.queries.deals import DealRow, PipelineColumn
from ...widgets.columns import Column
from ...widgets.format import day
from ...widgets.virtual_list import BLOCK, VirtualList
from ..base import CrmScreen, DataChanged
from ..confirm import Confirm
from .board import ColumnView, PipelineBoard, column_views
from .values import budget, summary

if TYPE_CHECKING:  # the mutations (and the ORM models) load in workers, not on a key
    from ...store.mutations.registry import Context
    from .deal_form import DealForm


def deal_form() -> type[DealForm]:
    """The form's module (custom fields, and through them the ORM models) is
    imported when a form first opens, not with the board."""
    from .deal_form import DealForm

    return DealForm


DEAL_ACTIONS = {"edit", "delete", "move", "win", "lose"}


class OpportunitiesScreen(CrmScreen):
    SCOPE = "opportunities"
    TITLE_TEXT = "Opportunities"
    BINDINGS = commands.bindings("opportunities")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stages: list[PipelineColumn] = []
        self.viewer: Context | None = None
        self._follow: str | None = None  # a deal just moved or saved: the cursor goes to it
        self._had_deal = False
        self._reads = 0  # a read replaced by a newer one is not shown
        self._read_queued = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="toolbar"):
            yield Static("", id="legend", classes="toolbar-title")
            yield Static("", id="count", classes="toolbar-info")
        with ContentSwitcher(initial="board", id="views"):
            yield PipelineBoard(self.store, id="board")
            yield VirtualList(self.store, self._list_columns(), id="list")
        yield Static("", id="deal-line")

    def _list_columns(self) -> list[Column[DealRow]]:
        ctx = self.ctx  # its locale is read from the store after the screens are made
        return [
            Column("Title", 20, lambda r: r.title, grow=3),
            Column("Contact", 14, lambda r: r.contact_name, grow=2),
            Column("Stage", 12, lambda r: r.stage_name),
            Column("Prob.", 5, lambda r: f"{r.probability} %"),
            Column("Budget", 14, lambda r: budget(r, ctx.locale), grow=1),
            Column("Closes", 10, lambda r: day(r.expected_close)),
            Column("Responsible", 11, lambda r: r.responsible),
        ]

    @property
    def board(self) -> PipelineBoard:
        return self.query_one(PipelineBoard)

    @property
    def list(self) -> VirtualList[DealRow]:
        return self.query_one("#list", VirtualList)

    @property
    def on_board(self) -> bool:
        return self.query_one(ContentSwitcher).current == "board"

    # -- reading ------------------------------------------------------------------

    def refresh_data(self) -> None:
        # Asks that come together make one read (a first visit resumes the screen
        # twice); it starts once the messages already queued are handled.
        if not self._read_queued:
            self._read_queued = True
            self.call_later(self._start_read)

    def _start_read(self) -> None:
        # A newer read may replace this one before it runs (coming back from a form
        # reads too), so the deal to follow is forgotten only once it is shown.
        self._read_queued = False
        self._reads += 1
        self._read(self._reads, self._follow, self.ctx.locale)

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _read(self, read: int, follow: str | None, locale: str) -> None:
        with self.store.read() as session:
            viewer = self.store.context(session)
            columns = board_columns(session, viewer)
            firsts = first_cards(session, columns, viewer, BLOCK)
            found = locate_card(session, follow, viewer) if follow else None
        views = column_views(columns, firsts, locale)
        self.app.call_from_thread(self._show, read, views, viewer, locale, follow, found)

    def _show(
        self,
        read: int,
        views: list[ColumnView],
        viewer: Context,
        locale: str,
        follow: str | None,
        found: tuple[str, int] | None,
    ) -> None:
        if read != self._reads:
            return  # a newer read is on its way
        self.stages, self.viewer = [v.column for v in views], viewer
        if follow is not None and follow == self._follow:
            self._follow = None
        self.board.show(views, viewer, locale)
        self._read_list()
        if found is not None and self.on_board:
            self.board.follow(*found)
        self.call_after_refresh(self._focus_board)
        self._legend()

    def _focus_board(self) -> None:
        """Columns are new (first read, or the stages changed): focus the current one,
        unless a form is open over the board (it gives the focus back itself)."""
        if self.on_board and self.is_current and not self.board.has_focus_within:
            self.board.focus_column(self.board.index)

    def _read_list(self) -> None:
        """The list reads only once shown: the board alone opens faster."""
        if self.on_board or self.viewer is None:
            return
        if self.list.listing is None:
            self.list.show(deal_listing(self.viewer))
        else:
            self.list.reload()

    def _legend(self) -> None:
        total = sum(c.count for c in self.stages)
        self.query_one("#count", Static).update(
            Text(f"{total:,} {'opportunity' if total == 1 else 'opportunities'}")
        )
        if not self.on_board:
            legend = Text("All opportunities, by title")
        elif not self.stages:
            legend = Text("No stages yet: an admin creates them in the settings", style="bold")
        else:
            currency = self.stages[0].currency
            legend = Text(f"Pipeline · in {currency}: Σ total, ≈ weighted by probability")
            missing = sorted({m for c in self.stages for m in c.unconverted})
            if missing:
                legend.append(
                    f" · no exchange rate for {', '.join(missing)}: left out of the sums",
                    style="bold red",
                )
        self.query_one("#legend", Static).update(legend)

    # -- the highlighted deal -----------------------------------------------------

    @property
    def current(self) -> DealRow | None:
        return self.board.current if self.on_board else self.list.current

    @on(VirtualList.Highlighted)
    @on(VirtualList.Counted)
    def _highlighted(self) -> None:
        row = self.current
        line = summary(row, self.ctx.locale) if row else ""
        self.query_one("#deal-line", Static).update(Text(line))
        if (row is not None) != self._had_deal:
            self._had_deal = row is not None
            self.refresh_bindings()

    @on(VirtualList.Selected)
    def _open(self, event: VirtualList.Selected) -> None:
        from .deal_screen import DealScreen  # with its forms: imported when first opened

        self.app.push_screen(DealScreen(self.ctx, event.row.id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "column" and not self.on_board:
            return False
        if action in DEAL_ACTIONS and self.current is None:
            return None  # greyed out: no deal to act on
        return True

    # -- keys -----------------------------------------------------------------------

    def action_toggle_board(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "list" if self.on_board else "board"
        if self.on_board:
            self.board.focus_column(self.board.index)
        else:
            self._read_list()
            self.list.focus()
        self._legend()
        self._highlighted()
        self.refresh_bindings()

    def action_column(self, step: int) -> None:
        self.board.focus_column(self.board.index + step)
        self._highlighted()

    def action_move(self, step: int) -> None:
        deal = self.current
        ids = [c.stage.id for c in self.stages]
        if deal is None or deal.stage_id not in ids:
            return
        target = ids.index(deal.stage_id) + step
        if not 0 <= target < len(ids):
            self.notify("No stage further that way", severity="warning")
            return
        self._change("opportunity.set_stage", {"id": deal.id, "stage_id": ids[target]}, deal)

    def action_win(self) -> None:
        if self.current is not None:
            self._change("opportunity.win", {"id": self.current.id}, self.current)

    def action_lose(self) -> None:
        if self.current is not None:
            self._change("opportunity.lose", {"id": self.current.id}, self.current)

    def _change(self, name: str, args: dict[str, Any], deal: DealRow) -> None:
        def moved(_: object) -> None:
            self._follow = deal.id

        self.mutate(name, args, then=moved)

    def action_new_deal(self) -> None:
        stage = self.board.columns[self.board.index].column.stage if self.on_board else None
        default = stage.id if stage is not None and stage.state == "open" else None
        self.app.push_screen(deal_form()(self.ctx, stage_id=default), self._saved)

    def _saved(self, deal_id: str | None) -> None:
        if deal_id:
            self._follow = deal_id
            self.post_message(DataChanged())

    def action_edit(self) -> None:
        if self.current is not None:
            self._edit(self.current.id)

    @work(thread=True, exclusive=True, group="deal-edit", exit_on_error=False)
    def _edit(self, deal_id: str) -> None:
        with self.store.read() as session:
            found = deal_for_edit(session, deal_id, self.store.context(session))
        self.app.call_from_thread(self._open_form, found)

    def _open_form(self, found: DealEdit | None) -> None:
        if found is None:
            self.notify("That opportunity no longer exists", severity="warning")
            self.post_message(DataChanged())
            return
        self.app.push_screen(deal_form()(self.ctx, editing=found), self._saved)

    def action_delete(self) -> None:
        deal = self.current
        if deal is None:
            return
        self.app.push_screen(
            Confirm(
                f"Delete the opportunity {deal.title!r}? "
                "Its tasks, activities and invoices stay, unlinked."
            ),
            lambda yes: self.mutate("opportunity.delete", {"id": deal.id}) if yes else None,
        )
