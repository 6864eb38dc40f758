"""``crmtui report``: xlsx reports with native Excel charts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import typer

from ..reports.catalog import REPORTS
from ..reports.model import Period, ReportError
from ..reports.workbook import write_report
from . import common

app = typer.Typer(help="Reports as xlsx workbooks with charts.", no_args_is_help=True)


def _date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


def _command(name: str, doc: str) -> Callable[..., None]:
    def command(
        start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
        end: str = typer.Option(..., "--to", help="Last day, included (YYYY-MM-DD)."),
        user: list[str] = typer.Option([], "--user", help="Only this user. Repeatable."),
        output: Path = typer.Option(..., "--output", "-o", help="The .xlsx file to write."),
    ) -> None:
        run(name, _date(start), _date(end), user, output)

    command.__doc__ = doc
    return command


for _name, (_fn, _doc) in REPORTS.items():
    app.command(_name)(_command(_name, _doc))


def run(name: str, start: date, end: date, users: list[str], output: Path) -> None:
    fn = REPORTS[name][0]
    with common.store(create=False) as st, st.read() as session:
        try:
            report = fn(session, Period(start, end), users)
        except ReportError as exc:
            common.fail(str(exc))
    try:
        write_report(report, output)
    except OSError as exc:
        common.fail(f"{output}: {exc.strerror or exc}")
    common.err_console.print(
        f"{report.title} ({report.period}) written to {output}", highlight=False
    )
