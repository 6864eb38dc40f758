"""The reports by name, for the CLI and a future Reports screen."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from . import data, people
from .model import Period, Report

ReportFn = Callable[[Session, Period, list[str] | None], Report]

REPORTS: dict[str, tuple[ReportFn, str]] = {
    "won": (data.won, "Deals won in the period, by month, with the deals."),
    "forecast": (data.forecast, "Open deals by expected month: pipeline and weighted."),
    "funnel": (data.funnel, "Deals of the period by stage, in board order."),
    "managers": (people.managers, "Per user: contacts, tasks, deals, invoices, calls."),
    "calls": (people.calls, "Calls by agent: counts, durations and costs."),
    "summary": (people.summary, "The period month by month."),
}
