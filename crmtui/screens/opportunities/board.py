"""The pipeline board: a column per stage, each a virtual list of its cards.

A column's header shows how many deals it holds, their total (Σ) and their
weighted total (≈, total x the stage's probability) in the default currency;
a currency without an exchange rate is left out of the sums and named under
them. Cards are read a window at a time (``StageCards``), so a column of a
hundred thousand deals opens as fast as one of ten.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.widgets import Static

from ...store import Store
from ...store.mutations.registry import Context
from ...store.queries.board import StageCards
from ...store.queries.deals import DealRow, PipelineColumn
from ...widgets.columns import Column
from ...widgets.format import money
from ...widgets.virtual_list import VirtualList
from .values import compact


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


class StageColumn(Vertical):
    """One stage: its header over its cards."""

    def __init__(
        self, store: Store, column: PipelineColumn, viewer: Context | None, locale: str
    ) -> None:
        super().__init__(classes="stage-column")
        self.column = column
        self.viewer = viewer
        self.locale = locale
        self.follow: int | None = None  # the card to put the cursor on once counted
        self.header = Static(header(column, locale), classes="stage-header")
        self.cards: VirtualList[DealRow] = VirtualList(store, card_columns(locale), classes="cards")

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.cards

    def on_mount(self) -> None:
        self.call_after_refresh(self._load)

    def _load(self) -> None:
        self.cards.show(StageCards(self.column.stage.id, self.viewer))

    def show(self, column: PipelineColumn, viewer: Context | None) -> None:
        """New figures for the same stage: the header and the cards are read again."""
        self.column, self.viewer = column, viewer
        self.header.update(header(column, self.locale))
        if self.cards.listing is not None:
            self.cards.reload()

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

    @property
    def columns(self) -> list[StageColumn]:
        return list(self.query(StageColumn))

    def show(self, columns: Sequence[PipelineColumn], viewer: Context | None, locale: str) -> None:
        """Show ``columns``; the same stages keep their lists and positions."""
        same = [c.column.stage.id for c in self.columns] == [c.stage.id for c in columns]
        if same and locale == self.locale:
            for widget, column in zip(self.columns, columns, strict=True):
                widget.show(column, viewer)
            return
        self.locale = locale
        self.remove_children()
        self.mount_all([StageColumn(self.store, column, viewer, locale) for column in columns])
        self.call_after_refresh(self._share_width)

    def on_resize(self) -> None:
        self._share_width()

    def _share_width(self) -> None:
        columns = self.columns
        if columns:
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
