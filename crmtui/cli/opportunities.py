"""``crmtui opportunities``: the deals, as a list or as the pipeline's totals."""

from __future__ import annotations

import typer
from sqlmodel import Session

from ..store.money import Money
from ..store.queries.deals import list_opportunities, list_stages, pipeline
from . import common

app = typer.Typer(help="Opportunities (deals) and the pipeline.", no_args_is_help=True)

HEADERS = (
    "id",
    "title",
    "contact",
    "stage",
    "probability",
    "budget",
    "currency",
    "budget_type",
    "budget_count",
    "value",
    "expected_close",
    "responsible",
)
BOARD = ("stage", "state", "probability", "count", "total", "weighted", "currency", "unconverted")


def _amount(minor: int, currency: str) -> str:
    return str(Money(minor, currency).amount)


def _stage_id(session: Session, name_or_id: str | None) -> str | None:
    if name_or_id is None:
        return None
    for stage in list_stages(session):
        if name_or_id in (stage.id, stage.name):
            return stage.id
    raise common.fail(f"no stage named {name_or_id!r}")


@app.command("list")
def list_(
    stage: str | None = typer.Option(None, help="Only this stage (name or id)."),
    contact: str | None = typer.Option(None, help="Only this contact's (contact id)."),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """List the opportunities you may see, by title."""
    with common.store() as st, st.read() as session:
        page = list_opportunities(
            session,
            limit=limit,
            viewer=st.context(session),
            stage_id=_stage_id(session, stage),
            contact_id=contact,
        )
    rows = [
        (
            r.id,
            r.title,
            r.contact_name,
            r.stage_name,
            r.probability,
            _amount(r.budget_minor, r.currency),
            r.currency,
            r.budget_type,
            r.budget_count,
            _amount(r.value_minor, r.currency),
            r.expected_close,
            r.responsible,
        )
        for r in page.rows
    ]
    common.print_rows(HEADERS, rows, as_json=as_json)


@app.command("board")
def board(as_json: bool = typer.Option(False, "--json", help="JSON for scripts.")) -> None:
    """Each stage's count, total and weighted total, in the default currency."""
    with common.store() as st, st.read() as session:
        columns = pipeline(session, viewer=st.context(session))
    rows = [
        (
            c.stage.name,
            c.stage.state,
            c.stage.probability,
            c.count,
            _amount(c.total_minor, c.currency),
            _amount(c.weighted_minor, c.currency),
            c.currency,
            " ".join(c.unconverted),
        )
        for c in columns
    ]
    common.print_rows(BOARD, rows, as_json=as_json)
