"""Columns of a virtual list, and the painter that turns rows into lines.

The painter is made for one width and one set of styles and reused for every
line until either changes, so drawing a line is a few string joins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

T = TypeVar("T")


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    width: int  # the least it needs; a column that does not fit is left out
    value: Callable[[T], str]
    grow: int = 0  # its share of any spare width


def layout(columns: Sequence[Column[Any]], width: int) -> list[tuple[Column[Any], int]]:
    """Fit columns into ``width``: drop from the right, then share what is spare."""
    fitted: list[Column[Any]] = []
    used = 0
    for column in columns:
        if used + column.width + (1 if fitted else 0) > width and fitted:
            break
        used += column.width + (1 if fitted else 0)
        fitted.append(column)
    spare = max(0, width - used)
    shares = sum(c.grow for c in fitted) or 1
    sizes = [c.width + spare * c.grow // shares for c in fitted]
    if fitted and not any(c.grow for c in fitted):
        sizes[-1] += spare
    return list(zip(fitted, sizes, strict=True))


def fit(value: str, width: int) -> str:
    """One line of exactly ``width`` cells, cut with an ellipsis if too long."""
    value = " ".join((value or "").split())  # one line, whatever the data holds
    if cell_len(value) > width:
        return set_cell_size(value, max(0, width - 1)) + "…"
    return set_cell_size(value, width)


@dataclass(frozen=True)
class Styles:
    base: Style
    header: Style
    cursor: Style
    marked: Style
    pending: Style


class Painter(Generic[T]):
    def __init__(
        self, columns: Sequence[Column[T]], width: int, mark_width: int, styles: Styles
    ) -> None:
        self.width = width
        self.mark_width = mark_width
        self.styles = styles
        self.fitted = layout(columns, width - mark_width)
        used = sum(w for _, w in self.fitted) + max(0, len(self.fitted) - 1) + mark_width
        self.pad = " " * max(0, width - used)

    def _strip(self, text: str, style: Style) -> Strip:
        return Strip([Segment(text, style)], self.width)

    def header(self) -> Strip:
        cells = " ".join(set_cell_size(c.title, w) for c, w in self.fitted)
        return self._strip(" " * self.mark_width + cells + self.pad, self.styles.header)

    def blank(self) -> Strip:
        return Strip.blank(self.width, self.styles.base)

    def pending(self) -> Strip:
        return self._strip(set_cell_size("  …", self.width), self.styles.pending)

    def row(self, texts: Sequence[str], *, cursor: bool, marked: bool | None) -> Strip:
        """A row from its cells' texts (one per column); ``marked`` is None in a
        list without marks."""
        style = self.styles.base
        mark = ""
        if marked is not None:
            mark = "● " if marked else "  "
            if marked:
                style += self.styles.marked
        if cursor:
            style += self.styles.cursor
        cells = " ".join(fit(text, w) for text, (_, w) in zip(texts, self.fitted, strict=False))
        return self._strip(mark + cells + self.pad, style)
