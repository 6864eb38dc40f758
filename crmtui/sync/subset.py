"""Which records a user's store holds, and which they may change (server side).

The rules of DESIGN.md section 4, evaluated with the server's clock at day
granularity (so a subset only changes when data changes or the date does):

- activities from 90 days back to 30 days ahead where the user is the owner
  or a participant, and calls in the same window where they are the agent;
- opportunities they are responsible for or allowed on; their open tasks
  (and those closed in the last 90 days);
- contacts they are responsible for, and the contacts and companies linked to
  all of the above (a person's company comes with the person);
- every record they viewed, created or changed in the last 30 days;
- invoices of the contacts they hold; their follows; all settings and
  reference lists (users, stages, categories, tags, taxes...);
- private contacts and activities only for their responsible users
  (owner, responsible, participants), restricted deals only for their
  allowed users; this holds for every role and every scope.

An admin may widen a user's scope to ``all``: every record they may see.
Root tables these rules do not name are treated as shared reference data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
    true,
    union,
)

from ..store.models import (
    Activity,
    ActivityUser,
    Call,
    Contact,
    ContactResponsible,
    Follow,
    Invoice,
    Opportunity,
    OpportunityContact,
    OpportunityUser,
    SyncTouch,
    Task,
)
from . import schema
from .schema import Key

WINDOW_BACK, WINDOW_AHEAD, RECENT = 90, 30, 30
_PERSONAL = {"contact", "activity", "call", "opportunity", "task", "invoice", "follow"}


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks: the user's id, role and scope, and the server's 'today'."""

    user_id: str
    role: str = "user"
    scope: str = "subset"
    today: Any = None  # a date; None means the server's today

    def day(self) -> Any:
        return self.today or datetime.now(UTC).date()

    def bounds(self) -> tuple[datetime, datetime, datetime]:
        """(window start, window end, 'recent' start) as UTC instants."""
        midnight = datetime.combine(self.day(), time(0), tzinfo=UTC)
        return (
            midnight - timedelta(days=WINDOW_BACK),
            midnight + timedelta(days=WINDOW_AHEAD + 1),
            midnight - timedelta(days=RECENT),
        )

    def key(self) -> str:
        return f"{self.day().isoformat()}|{self.role}|{self.scope}"


def _t(model: Any) -> Any:
    return model.__table__


def contact_visible(u: str) -> ColumnElement[bool]:
    c, cr = _t(Contact), _t(ContactResponsible)
    responsible = exists().where(cr.c.contact_id == c.c.id, cr.c.user_id == u)
    return or_(c.c.access != "private", c.c.owner_id == u, responsible)


def activity_visible(u: str) -> ColumnElement[bool]:
    a, au = _t(Activity), _t(ActivityUser)
    participant = exists().where(au.c.activity_id == a.c.id, au.c.user_id == u)
    return or_(a.c.private.is_(False), a.c.owner_id == u, participant)


def opportunity_visible(u: str) -> ColumnElement[bool]:
    o, ou = _t(Opportunity), _t(OpportunityUser)
    allowed = exists().where(ou.c.opportunity_id == o.c.id, ou.c.user_id == u)
    return or_(o.c.restricted.is_(False), o.c.responsible_id == u, allowed)


def _visible(name: str, u: str) -> ColumnElement[bool] | None:
    return {
        "contact": contact_visible,
        "activity": activity_visible,
        "opportunity": opportunity_visible,
    }.get(name, lambda _u: None)(u)


def visible(name: str, u: str) -> ColumnElement[bool] | None:
    """Whether ``u`` may see a record of ``name`` at all, whatever their subset
    (None: everyone may). Pages of a pull pass re-check it for what they send."""
    if name == "follow":
        return cast(ColumnElement[bool], _t(Follow).c.user_id == u)
    return _visible(name, u)


class _P:
    """The parameters of the subset queries, which are built once and cached."""

    u: Any = bindparam("u")
    lo: Any = bindparam("lo")
    hi: Any = bindparam("hi")
    recent: Any = bindparam("recent")


def _recent(name: str) -> Select[Any]:
    """Records of ``name`` the user viewed, created or changed lately."""
    root = schema.roots()[name]
    t = _t(SyncTouch)
    touched = select(t.c.row_id).where(t.c.user_id == _P.u, t.c.tbl == name, t.c.at >= _P.recent)
    made = select(root.pk).where(
        root.table.c.created_by == _P.u, root.table.c.created_at >= _P.recent
    )
    return union(touched, made).subquery().select()


def _core_ids() -> dict[str, Select[Any]]:
    """The ids each personal rule selects, before links and visibility."""
    lo, hi, u = _P.lo, _P.hi, _P.u
    a, au, k = _t(Activity), _t(ActivityUser), _t(Call)
    o, ou, ts = _t(Opportunity), _t(OpportunityUser), _t(Task)
    mine = or_(a.c.owner_id == u, exists().where(au.c.activity_id == a.c.id, au.c.user_id == u))
    return {
        "activity": select(a.c.id).where(a.c.starts_at >= lo, a.c.starts_at < hi, mine),
        "call": select(k.c.id).where(k.c.started_at >= lo, k.c.started_at < hi, k.c.agent_id == u),
        "opportunity": select(o.c.id).where(
            or_(
                o.c.responsible_id == u,
                exists().where(ou.c.opportunity_id == o.c.id, ou.c.user_id == u),
            )
        ),
        "task": select(ts.c.id).where(
            ts.c.responsible_id == u, or_(ts.c.closed_at.is_(None), ts.c.closed_at >= lo)
        ),
    }


def _in(column: Any, query: Select[Any]) -> ColumnElement[bool]:
    return column.in_(query.subquery().select())


def _linked_contacts(ids: dict[str, Select[Any]]) -> Select[Any]:
    a, k, o, oc, ts = _t(Activity), _t(Call), _t(Opportunity), _t(OpportunityContact), _t(Task)
    c, cr = _t(Contact), _t(ContactResponsible)
    u = _P.u
    own = select(c.c.id).where(
        or_(c.c.owner_id == u, exists().where(cr.c.contact_id == c.c.id, cr.c.user_id == u))
    )
    parts = [
        own,
        select(a.c.contact_id).where(_in(a.c.id, ids["activity"])),
        select(a.c.person_id).where(_in(a.c.id, ids["activity"])),
        select(k.c.contact_id).where(_in(k.c.id, ids["call"])),
        select(k.c.person_id).where(_in(k.c.id, ids["call"])),
        select(o.c.contact_id).where(_in(o.c.id, ids["opportunity"])),
        select(oc.c.contact_id).where(_in(oc.c.opportunity_id, ids["opportunity"])),
        select(ts.c.contact_id).where(_in(ts.c.id, ids["task"])),
        _recent("contact"),
    ]
    base = union(*parts).subquery().select()
    companies = select(c.c.company_id).where(c.c.id.in_(base))
    return union(base, companies).subquery().select()


def _rules(scope: str) -> dict[str, ColumnElement[bool]]:
    """For each personal table, the condition its rows must meet."""
    if scope == "all":
        return {}
    ids = _core_ids()
    contacts = _linked_contacts(ids)
    rules: dict[str, ColumnElement[bool]] = {}
    for name in ("activity", "call", "opportunity", "task"):
        pk = schema.roots()[name].pk
        rules[name] = or_(_in(pk, ids[name]), pk.in_(_recent(name)))
    rules["contact"] = _t(Contact).c.id.in_(contacts)
    inv = _t(Invoice)
    rules["invoice"] = or_(inv.c.client_id.in_(contacts), inv.c.id.in_(_recent("invoice")))
    return rules


@lru_cache(maxsize=2)
def _queries(scope: str) -> tuple[tuple[str, Select[Any]], ...]:
    """(table, query of its ids and versions) for a scope; parameters in ``_P``."""
    rules = _rules(scope)
    queries = []
    for name, root in schema.roots().items():
        conds = [c for c in (_visible(name, _P.u), rules.get(name)) if c is not None]
        if name == "follow":
            conds.append(_t(Follow).c.user_id == _P.u)
        elif name in _PERSONAL and scope != "all" and name not in rules:
            conds.append(false())
        queries.append((name, select(root.pk, root.table.c.version).where(and_(true(), *conds))))
    return tuple(queries)


def versions(conn: Connection, v: Viewer) -> dict[Key, int]:
    """(table, id) -> version of every record in the user's subset, now."""
    lo, hi, recent = v.bounds()
    params = {"u": v.user_id, "lo": lo, "hi": hi, "recent": recent}
    found: dict[Key, int] = {}
    for name, query in _queries(v.scope):
        for rid, version in conn.execute(query, params):
            found[(name, str(rid))] = version
    return found


def write_refusal(conn: Connection, v: Viewer, name: str, rid: str) -> str | None:
    """Why ``v`` may not change record ``rid`` of table ``name``; None if allowed."""
    root = schema.roots().get(name)
    if root is None:
        return None
    row = conn.execute(select(root.table).where(root.pk == rid)).first()
    if row is None:
        return None  # a create, or the mutation itself reports it missing
    visible = _visible(name, v.user_id)
    if (
        visible is not None
        and conn.execute(select(root.pk).where(root.pk == rid, visible)).first() is None
    ):
        return f"{name} {rid} is private to its responsible users"
    if name == "contact" and row.access == "public_ro" and v.role != "admin":
        c, cr = _t(Contact), _t(ContactResponsible)
        mine = conn.execute(
            select(c.c.id).where(
                c.c.id == rid,
                or_(
                    c.c.owner_id == v.user_id,
                    exists().where(cr.c.contact_id == c.c.id, cr.c.user_id == v.user_id),
                ),
            )
        ).first()
        if mine is None:
            return f"contact {rid} is read-only for users who are not responsible for it"
    if name == "follow" and row.user_id != v.user_id:
        return "a follow belongs to its user"
    return None
