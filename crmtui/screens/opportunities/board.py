"""The pipeline board: a column per stage, each a virtual list of its cards.

A column's header shows how many deals it holds, their total (Σ) and their
weighted total (≈, total x the stage's probability) in the default currency;
a currency without an exchange rate is left out of the sums and named under
them. Cards are read a window at a time (``StageCards``), so a column of a
hundred thousand deals opens as fast as one of ten.

The board opens from one read: the screen's worker reads every column's
figures and first cards and formats them (``column_views``); the columns then
mount with their rows already there, and only the anchors that let a column
jump deep (End, a long scroll) are read afterwards, column by column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.widgets import Static

from ...store import Store
from ...store.queries.board import StageCards
from ...store.queries.deals import DealRow, PipelineColumn
from ...store.queries.keyset import Chunk
from ...widgets.columns import Column
from ...widgets.format import money
from ...widgets.virtual_list import Block, VirtualList, block_of
from .values import compact

if TYPE_CHECKING:  # the mutations (and the ORM models) load in workers, not on a key
    from ...store.mutations.registry import Context


def header(column: PipelineColumn, locale: str) -> Text:
    stage = column.stage
    noun = "deal" if column.count == 1 else "deals"
    text = Text(f"{stage.name}", style="bold")
    text.append(f"  {stage.probability} %", style="dim")
    text.append(f"\n{column.count:,} {noun}")
    text.append(f"\nΣ {money(column.total_minor, column.currency, locale)}")
    text.append(f"\n≈ {money(column.weighted_minor, column.currency, locale)}")
    if column.unconverted:
        text.append(f"\nno rate: {', '.join(column.unconverted)}", style="bold red")
    return text


def card_columns(locale: str) -> list[Column[DealRow]]:
    return [
        Column("Deal", 6, lambda r: r.title, grow=1),
        Column("Value", 9, lambda r: compact(r, locale)),
    ]


@dataclass(frozen=True, slots=True)
class ColumnView:
    """A column as its worker read and formatted it (Babel's formatting and the
    first cards' texts cost more than drawing them): the UI thread only mounts it."""

    column: PipelineColumn
    header: Text
    first: Block[DealRow]


def column_views(
    columns: Sequence[PipelineColumn], firsts: Sequence[Chunk[DealRow]], locale: str
) -> list[ColumnView]:
    """Format what the board shows first; call it in the worker that read it."""
    cells = card_columns(locale)
    return [
        ColumnView(column, header(column, locale), block_of(first, cells))
        for column, first in zip(columns, firsts, strict=True)
    ]


class StageColumn(Vertical):
    """One stage: its header over its cards."""

    def __init__(self, store: Store, view: ColumnView, viewer: Context | None, locale: str) -> None:
        super().__init__(classes="stage-column")
        self.view = view
        self.viewer = viewer
        self.locale = locale
        self.follow: int | None = None  # the card to put the cursor on once counted
        self.header = Static(view.header, classes="stage-header")
        self.cards: VirtualList[DealRow] = VirtualList(store, card_columns(locale), classes="cards")

    @property
    def column(self) -> PipelineColumn:
        return self.view.column

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.cards

    def on_mount(self) -> None:
        self._load(keep_cursor=False)

    def _load(self, *, keep_cursor: bool) -> None:
        # The count and the first cards came with the columns: they show at once,
        # and only the anchors (for jumps deep into the column) are read later.
        self.cards.show(
            StageCards(self.column.stage.id, self.viewer),
            keep_cursor=keep_cursor,
            total=self.column.count,
            first=self.view.first,
        )

    def show(self, view: ColumnView, viewer: Context | None) -> None:
        """New figures for the same stage: the header and the cards as read again."""
        self.view, self.viewer = view, viewer
        self.header.update(view.header)
        if self.cards.listing is not None:
            self._load(keep_cursor=True)

    @on(VirtualList.Counted)
    def _counted(self, event: VirtualList.Counted) -> None:
        if self.follow is not None and event.total:
            self.cards.cursor = min(self.follow, event.total - 1)
            self.follow = None


MIN_WIDTH = 22  # a column narrower than this shows too little of a card


class PipelineBoard(HorizontalScroll, can_focus=False, inherit_bindings=False):
    """The columns side by side, sharing the width; when they do not fit (80
    columns, many stages) each keeps ``MIN_WIDTH`` and the board scrolls to the
    focused one. Left and right move between them."""

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.locale = "en_US"
        self._last = 0  # the column last focused, for when focus is elsewhere
        # Kept rather than queried: key bindings ask for the current card often.
        self._columns: list[StageColumn] = []

    @property
    def columns(self) -> list[StageColumn]:
        return list(self._columns)

    def show(self, views: Sequence[ColumnView], viewer: Context | None, locale: str) -> None:
        """Show ``views``; the same stages keep their lists and positions."""
        same = [c.column.stage.id for c in self._columns] == [v.column.stage.id for v in views]
        if same and locale == self.locale:
            for widget, view in zip(self._columns, views, strict=True):
                widget.show(view, viewer)
            return
        self.locale = locale
        self.remove_children()
        self._columns = [StageColumn(self.store, view, viewer, locale) for view in views]
        self._share_width()  # before they mount: laid out once, at their width
        self.mount_all(self._columns)

    def on_resize(self) -> None:
        self._share_width()

    def _share_width(self) -> None:
        columns = self._columns
        if columns and self.size.width:
            width = max(MIN_WIDTH, self.size.width // len(columns))
            for widget in columns:
                widget.styles.width = width

    @property
    def index(self) -> int:
        """The focused column (or the one last focused)."""
        for i, widget in enumerate(self.columns):
            if widget.has_focus_within:
                self._last = i
        return min(self._last, max(0, len(self.columns) - 1))

    @property
    def current(self) -> DealRow | None:
        columns = self.columns
        return columns[self.index].cards.current if columns else None

    def focus_column(self, index: int) -> None:
        columns = self.columns
        if not columns:
            return
        self._last = max(0, min(len(columns) - 1, index))
        widget = columns[self._last]
        widget.cards.focus()
        self.scroll_to_widget(widget, animate=False)

    def follow(self, stage_id: str, position: int) -> None:
        """After a move: focus the deal's new column, its cursor on the card."""
        for i, widget in enumerate(self.columns):
            if widget.column.stage.id == stage_id:
                widget.follow = position
                self.focus_column(i)
