"""What the opportunities screen reads: the board's columns in board order, each
column's cards as an indexed listing, the list of every deal, and a deal as the
form edits it.

A column's cards come soonest expected close first, undated last. SQLite sorts
NULL first and a row-value comparison with a NULL is never true, so the order
is two index runs (``ix_opportunity_card``), dated then undated, and a card's
key is ``(segment, close, id)``: ``("0", "2030-09-30", id)`` or ``("1", "", id)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlmodel import Session

from ..sql import Db, connection_of, marks, scalar, tuples
from .deals import ROW_SQL, DealDetail, DealRow, PipelineColumn, deal_detail, deal_row, pipeline
from .deals import visible as visible_sql
from .keyset import Chunk, Key, SqlListing

if TYPE_CHECKING:  # importing the mutations imports every ORM model: not for a read
    from ..mutations.registry import Context

STATE_ORDER = {"open": 0, "won": 1, "lost": 2}


def board_columns(session: Session, viewer: Context | None = None) -> list[PipelineColumn]:
    """One column per stage: open stages in their order, then won, then lost."""
    columns = pipeline(session, viewer)
    return sorted(columns, key=lambda c: (STATE_ORDER.get(c.stage.state, 3), c.stage.position))


def first_cards(
    session: Session, columns: list[PipelineColumn], viewer: Context | None, limit: int
) -> list[Chunk[DealRow]]:
    """The first ``limit`` cards of each column, read with the columns so the
    board opens drawn, not waiting on a read per column."""
    db = connection_of(session)
    return [StageCards(c.stage.id, viewer).page(db, None, limit) for c in columns]


def _runs(after: Key | None) -> list[tuple[str, str, str]]:
    """The (segment, close, condition) runs that follow ``after``."""
    dated = ("'0'", "o.expected_close", "o.expected_close IS NOT NULL")
    undated = ("'1'", "''", "o.expected_close IS NULL")
    if after is None:
        return [dated, undated]
    if after[0] == "0":
        return [(*dated[:2], f"{dated[2]} AND (o.expected_close, o.id) > (:a1, :a2)"), undated]
    return [(*undated[:2], f"{undated[2]} AND o.id > :a2")]


@dataclass(frozen=True)
class StageCards:
    """The cards of one board column as an indexed listing (see ``keyset``)."""

    stage_id: str
    viewer: Context | None = None

    def _keys_sql(self, after: Key | None) -> tuple[str, dict[str, Any]]:
        where, params = visible_sql(self.viewer)
        params["stage"] = self.stage_id
        if after is not None:
            params.update(a1=after[1], a2=after[2])
        arms = [
            f"SELECT * FROM (SELECT {seg} AS k0, {close} AS k1, o.id AS k2 FROM opportunity o "
            f"WHERE o.stage_id = :stage AND {where} AND {cond} "
            f"ORDER BY o.expected_close, o.id LIMIT :n)"
            for seg, close, cond in _runs(after)
        ]
        return " UNION ALL ".join(arms), params

    def count(self, db: Db) -> int:
        where, params = visible_sql(self.viewer)
        sql = f"SELECT count(*) FROM opportunity o WHERE o.stage_id = :stage AND {where}"
        return int(scalar(db, sql, {**params, "stage": self.stage_id}))

    def anchors(self, db: Db, step: int) -> list[Key]:
        # Each run numbered in its index's order (no sort); the undated run's
        # numbers go on from the dated run's count.
        where, params = visible_sql(self.viewer)
        params.update(stage=self.stage_id, step=step)
        base = f"FROM opportunity o WHERE o.stage_id = :stage AND {where}"
        dated = tuples(
            db,
            "SELECT '0', k1, k2 FROM (SELECT o.expected_close AS k1, o.id AS k2, row_number() "
            f"OVER (ORDER BY o.expected_close, o.id) AS rn {base} "
            "AND o.expected_close IS NOT NULL) WHERE rn % :step = 0 ORDER BY rn",
            params,
        )
        params["before"] = scalar(
            db, f"SELECT count(*) {base} AND o.expected_close IS NOT NULL", params
        )
        undated = tuples(db,
            "SELECT '1', '', k2 FROM (SELECT o.id AS k2, row_number() OVER (ORDER BY o.id) AS rn "
            f"{base} AND o.expected_close IS NULL) WHERE (rn + :before) % :step = 0 ORDER BY rn",
            params)  # fmt: skip
        return [*dated, *undated]

    def keys_after(self, db: Db, after: Key | None, n: int) -> list[Key]:
        union, params = self._keys_sql(after)
        sql = f"SELECT k0, k1, k2 FROM ({union}) ORDER BY k0, k1, k2 LIMIT :n"
        return tuples(db, sql, {**params, "n": n})

    def page(self, db: Db, after: Key | None, limit: int) -> Chunk[DealRow]:
        keys = self.keys_after(db, after, limit + 1)
        more = len(keys) > limit
        keys = keys[:limit]
        if not keys:
            return Chunk([], None)
        listed, params = marks([k[2] for k in keys])
        found = tuples(db, f"{ROW_SQL} WHERE o.id IN ({listed})", params)
        rows = {r.id: r for r in map(deal_row, found)}
        return Chunk([rows[k[2]] for k in keys if k[2] in rows], keys[-1] if more else None)


def locate_card(
    session: Session, deal_id: str, viewer: Context | None = None
) -> tuple[str, int] | None:
    """A deal's column (stage id) and where its card stands in it (0 first)."""
    found = session.execute(
        text("SELECT stage_id, expected_close FROM opportunity WHERE id = :id"), {"id": deal_id}
    ).first()
    if found is None:
        return None
    stage_id, close = found
    key = ("1", "", deal_id) if close is None else ("0", str(close), deal_id)
    union, params = StageCards(stage_id, viewer)._keys_sql(None)
    sql = f"SELECT count(*) FROM ({union}) WHERE (k0, k1, k2) < (:b0, :b1, :b2)"
    params.update(n=-1, b0=key[0], b1=key[1], b2=key[2])
    return stage_id, int(session.execute(text(sql), params).scalar_one())


def _name(table: str, column: str, ref: str) -> str:
    return f"COALESCE((SELECT {column} FROM {table} WHERE id = {ref}), '')"


def deal_listing(viewer: Context | None = None) -> SqlListing[DealRow]:
    """Every deal the viewer may see, by title (``ix_opportunity_title``)."""
    where, params = visible_sql(viewer)
    relation = f"""SELECT o.title AS k0, o.id AS k1, o.contact_id,
        {_name("contact", "display_name", "o.contact_id")} AS contact_name, o.stage_id,
        {_name("stage", "name", "o.stage_id")} AS stage_name,
        {_name("stage", "state", "o.stage_id")} AS stage_state,
        COALESCE((SELECT probability FROM stage WHERE id = o.stage_id), 0) AS probability,
        o.budget_minor, o.currency, o.budget_type, o.budget_count, o.expected_close,
        {_name("user_account", "name", "o.responsible_id")} AS responsible, o.restricted
        FROM opportunity o WHERE {where}"""
    return SqlListing(relation, _listed, params)


def _listed(r: Any) -> DealRow:
    return deal_row(
        (
            r["k1"],
            r["k0"],
            r["contact_id"],
            r["contact_name"],
            r["stage_id"],
            r["stage_name"],
            r["stage_state"],
            r["probability"],
            r["budget_minor"],
            r["currency"],
            r["budget_type"],
            r["budget_count"],
            r["budget_minor"] * (1 if r["budget_type"] == "fixed" else r["budget_count"]),
            r["expected_close"],
            r["responsible"],
            r["restricted"],
        )
    )


@dataclass(frozen=True, slots=True)
class DealEdit:
    """A deal as the form shows it: its detail plus what the form sets by id."""

    detail: DealDetail
    responsible_id: str | None
    version: int


def deal_for_edit(session: Session, deal_id: str, viewer: Context | None = None) -> DealEdit | None:
    detail = deal_detail(session, deal_id, viewer)
    if detail is None:
        return None
    responsible_id, version = session.execute(
        text("SELECT responsible_id, version FROM opportunity WHERE id = :id"), {"id": deal_id}
    ).one()
    return DealEdit(detail, responsible_id, int(version))
