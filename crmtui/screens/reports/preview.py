"""A report as the screen previews it: its table's cells as the locale writes
them, and for the funnel and the forecast a bar chart of the very figures the
xlsx charts, so the two never disagree."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from ...reports.formatting import number
from ...reports.model import Cell, Column, Report
from ...store.money import Money
from ...widgets.bar_chart import Bar
from ...widgets.format import duration


def cell(column: Column, value: Cell, currency: str, locale: str) -> str:
    if isinstance(value, str):
        return value
    if column.kind == "money":
        return Money.of(Decimal(value), currency).format(locale)
    if column.kind == "seconds":
        return duration(int(value))
    return number(Decimal(value), locale)


def table_rows(report: Report, locale: str) -> list[tuple[Text, ...]]:
    """The rows, then the totals (in bold), each cell formatted, figures to the right."""
    table = report.table
    rows = [(row, "") for row in table.rows]
    if table.totals is not None:
        rows.append((table.totals, "bold"))
    return [
        tuple(
            Text(
                cell(c, v, report.currency, locale),
                style=style,
                justify="left" if c.kind == "text" else "right",
            )
            for c, v in zip(table.columns, row, strict=True)
        )
        for row, style in rows
    ]


def _deals(count: int, locale: str) -> str:
    return f"{number(Decimal(count), locale)} deal{'' if count == 1 else 's'}"


def chart(report: Report, locale: str) -> tuple[str, list[Bar], tuple[str, str] | None] | None:
    """(title, bars, legend) for the funnel and the forecast; None for the others."""

    def money(value: Cell) -> str:
        return Money.of(Decimal(value), report.currency).format(locale)

    if report.name == "funnel":  # Stage, Deals, Amount, Probability: bars of deals
        bars = [
            Bar(str(name), Decimal(n), f"{_deals(int(n), locale)} · {money(amount)}")
            for name, n, amount, _p in report.table.rows
        ]
        return report.chart.title, bars, None
    if report.name == "forecast":  # Month, Open deals, Pipeline, Weighted
        bars = [
            Bar(str(month), Decimal(pipeline), money(pipeline), part=Decimal(weighted))
            for month, _n, pipeline, weighted in report.table.rows
        ]
        return report.chart.title, bars, ("weighted", f"pipeline ({report.currency})")
    return None
