"""What a report is, apart from how it is drawn: a table, a chart over it,
and the currency its amounts were converted to.

The computations (:mod:`crmtui.reports.data`, :mod:`crmtui.reports.people`)
return these plain objects; the xlsx writer draws them, and a TUI screen
can preview the same objects as terminal charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy import text
from sqlmodel import Session, select

from ..store import settings
from ..store.models import ExchangeRate
from ..store.money import Money, exponent

Kind = Literal["text", "int", "money", "percent", "seconds"]
ChartType = Literal["column", "bar", "line", "pie"]
Cell = str | int | Decimal


class ReportError(Exception):
    """A report that cannot be made; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ReportError(f"the period ends ({self.end}) before it starts ({self.start})")

    def bounds(self) -> dict[str, str]:
        """SQL parameters: dates for date columns, instants (UTC) for times."""
        after = self.end + timedelta(days=1)
        return {
            "d0": self.start.isoformat(),
            "d1": self.end.isoformat(),
            "t0": f"{self.start.isoformat()} 00:00:00",
            "t1": f"{after.isoformat()} 00:00:00",
        }

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: Kind = "text"


@dataclass(frozen=True, slots=True)
class Chart:
    type: ChartType
    title: str
    values: tuple[int, ...]  # column indexes charted against column 0
    y_title: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]
    totals: tuple[Cell, ...] | None = None


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    title: str
    period: Period
    currency: str
    table: Table
    chart: Chart
    details: Table | None = None  # a second sheet: the records behind the figures
    notes: list[str] = field(default_factory=list)


class Rates:
    """The configured rates to the default currency. A missing rate is an
    error that names every currency lacking one; nothing is ever guessed."""

    def __init__(self, session: Session) -> None:
        self.currency = str(settings.get(session, "default_currency"))
        self._rates = {r.currency: r.rate for r in session.exec(select(ExchangeRate))}
        self._rates[self.currency] = Decimal(1)

    def require(self, currencies: set[str]) -> None:
        missing = sorted(c for c in currencies if c and c not in self._rates)
        if missing:
            raise ReportError(
                f"no exchange rate for {', '.join(missing)} (to {self.currency}); set "
                f"{'it' if len(missing) == 1 else 'them'} in Settings > Exchange rates first"
            )

    def major(self, minor: int | Decimal, currency: str) -> Decimal:
        """An amount in minor units of ``currency`` as exact default-currency
        major units, not yet rounded (sums round once, at the end)."""
        self.require({currency})
        return Decimal(minor).scaleb(-exponent(currency)) * self._rates[currency]

    def round(self, amount: Decimal) -> Decimal:
        return Money.of(amount, self.currency).amount


def users_filter(session: Session, names: list[str], column: str) -> tuple[str, dict[str, str]]:
    """SQL restricting ``column`` to the users named (by name or id)."""
    if not names:
        return "", {}
    rows = session.execute(text("SELECT id, name FROM user_account")).all()
    wanted = {n.casefold() for n in names}
    ids = [r[0] for r in rows if r[0] in names or r[1].casefold() in wanted]
    unknown = wanted - {r[1].casefold() for r in rows} - {n.casefold() for n in ids}
    if unknown:
        raise ReportError(f"no user named {', '.join(sorted(unknown))}")
    params = {f"u{i}": v for i, v in enumerate(ids)}
    return f" AND {column} IN ({', '.join(':' + k for k in params)})", params
