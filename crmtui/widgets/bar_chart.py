"""A horizontal bar chart drawn with block characters: one labelled bar a line.

Each bar may carry a part drawn in a stronger colour (the weighted share of a
forecast's pipeline, say); the text after the bar is given by the caller, so
amounts read as the locale writes them. Bars are scaled to the widest one and
to the width the widget has, in eighths of a cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
MIN_BAR = 16  # narrower than this, the texts go under their bars


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal
    text: str  # written after the bar
    part: Decimal | None = None  # the share of ``value`` drawn in the part colour


def blocks(value: Decimal, largest: Decimal, width: int) -> str:
    """``value`` as a run of blocks, ``largest`` filling ``width`` cells."""
    if largest <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = max(1, int(value * width * 8 / largest))  # a non-zero value always shows
    whole, rest = divmod(eighths, 8)
    return FULL * whole + (EIGHTHS[rest] if rest else "")


class BarChart(Widget):
    DEFAULT_CSS = """
    BarChart { height: auto; padding: 0 1; }
    BarChart > .bar-chart--title { text-style: bold; }
    BarChart > .bar-chart--bar { color: $primary; }
    BarChart > .bar-chart--part { color: $accent; }
    BarChart > .bar-chart--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES = {
        "bar-chart--title",
        "bar-chart--bar",
        "bar-chart--part",
        "bar-chart--muted",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = ""
        self.legend: tuple[str, str] | None = None  # (part, whole) names
        self.bars: tuple[Bar, ...] = ()

    def show(self, title: str, bars: list[Bar], legend: tuple[str, str] | None = None) -> None:
        self.title, self.bars, self.legend = title, tuple(bars), legend
        self.display = bool(bars)
        self.refresh(layout=True)

    def _room(self, width: int) -> tuple[int, bool]:
        """Cells for the longest bar, and whether each text goes on a line of its own
        (when beside the bar it would leave the bars too little room)."""
        label = max(len(b.label) for b in self.bars) + 1
        text = max(len(b.text) for b in self.bars) + 1
        if width - label - text >= MIN_BAR:
            return width - label - text, False
        return max(1, width - label), True

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.bars:
            return 0
        per_bar = 2 if self._room(width)[1] else 1
        return per_bar * len(self.bars) + 1 + (self.legend is not None)

    def render(self) -> Text:
        if not self.bars:
            return Text()
        style = self.get_component_rich_style
        lines = [Text(self.title, style=style("bar-chart--title"))]
        if self.legend is not None:
            part, whole = self.legend
            lines.append(
                Text.assemble(
                    (FULL, style("bar-chart--part")),
                    f" {part}  ",
                    (FULL, style("bar-chart--bar")),
                    f" {whole}",
                )
            )
        label_width = max(len(b.label) for b in self.bars)
        text_width = max(len(b.text) for b in self.bars)
        room, stacked = self._room(self.content_size.width)
        largest = max(b.value for b in self.bars)
        for bar in self.bars:
            run = blocks(bar.value, largest, room)
            part = len(blocks(bar.part, largest, room)) if bar.part else 0
            line = Text.assemble(
                (bar.label.ljust(label_width + 1), style("bar-chart--muted")),
                (run[:part], style("bar-chart--part")),
                (run[part:], style("bar-chart--bar")),
                no_wrap=True,
                overflow="ellipsis",
            )
            if stacked:
                lines += [line, Text(" " * (label_width + 1) + bar.text, no_wrap=True)]
            else:
                line.append(" " * (room - len(run) + 1) + bar.text.rjust(text_width))
                lines.append(line)
        return Text("\n").join(lines)
