"""``crmtui export``: any record family to CSV, JSON or xlsx; contacts to
vCard; tasks to iCalendar. One read transaction (a consistent snapshot),
keyset pages, rows written as they come."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..store.db import Store
from . import export_rows as rows
from .contact_pages import contact_lines
from .headers import OWN_CONTACT_COLUMNS
from .ical import IcsWriter, task_event
from .vcard_out import VcfWriter, vcard
from .writers import FORMATS, open_writer

_WHO = "COALESCE((SELECT display_name FROM contact WHERE id = x.{}), '')"
_USER = "COALESCE((SELECT name FROM user_account WHERE id = x.{}), '')"
_CATEGORY = "COALESCE((SELECT name FROM category WHERE id = x.category_id), '')"

TABLES: dict[str, rows.Table] = {
    "activities": rows.Table(
        (
            "id",
            "type",
            "starts_at",
            "ends_at",
            "subject",
            "details",
            "status",
            "outcome",
            "contact_id",
            "contact",
            "person_id",
            "person",
            "private",
            "category",
            "owner",
        ),
        f"SELECT x.*, {_WHO.format('contact_id')} AS contact, {_WHO.format('person_id')} AS "
        f"person, {_CATEGORY} AS category, {_USER.format('owner_id')} AS owner "
        "FROM activity x WHERE {where}",
        times=frozenset({"starts_at", "ends_at"}),
    ),
    "tasks": rows.Table(
        (
            "id",
            "title",
            "due_at",
            "closed_at",
            "reminder_minutes",
            "description",
            "contact_id",
            "contact",
            "opportunity_id",
            "opportunity",
            "responsible",
            "category",
        ),
        f"SELECT x.*, {_WHO.format('contact_id')} AS contact, "
        "COALESCE((SELECT title FROM opportunity WHERE id = x.opportunity_id), '') "
        f"AS opportunity, {_USER.format('responsible_id')} AS responsible, "
        f"{_CATEGORY} AS category FROM task x WHERE {{where}}",
        times=frozenset({"due_at", "closed_at"}),
    ),
    "opportunities": rows.Table(
        (
            "id",
            "title",
            "contact_id",
            "contact",
            "stage",
            "state",
            "probability",
            "budget",
            "currency",
            "budget_type",
            "budget_count",
            "expected_close",
            "responsible",
            "description",
        ),
        f"SELECT x.*, {_WHO.format('contact_id')} AS contact, s.name AS stage, "
        "s.state AS state, s.probability AS probability, x.budget_minor AS budget, "
        f"{_USER.format('responsible_id')} AS responsible "
        "FROM opportunity x JOIN stage s ON s.id = x.stage_id WHERE {where}",
        money={"budget": "currency"},
    ),
    "invoices": rows.Table(
        (
            "id",
            "number",
            "issue_date",
            "due_date",
            "status",
            "client_id",
            "client",
            "opportunity_id",
            "currency",
            "subtotal",
            "discount",
            "tax",
            "total",
            "po_number",
            "sent_at",
        ),
        f"SELECT x.*, {_WHO.format('client_id')} AS client, x.subtotal_minor AS subtotal, "
        "x.discount_minor AS discount, x.tax_minor AS tax, x.total_minor AS total "
        "FROM invoice x WHERE {where}",
        times=frozenset({"sent_at"}),
        money={k: "currency" for k in ("subtotal", "discount", "tax", "total")},
    ),
    "calls": rows.Table(
        (
            "id",
            "started_at",
            "answered_at",
            "ended_at",
            "direction",
            "status",
            "remote_raw",
            "remote_e164",
            "remote_name",
            "local_party",
            "agent",
            "duration_s",
            "billsec_s",
            "cost",
            "cost_currency",
            "hangup_cause",
            "contact_id",
            "contact",
            "source",
            "source_call_id",
            "wrapup_description",
            "wrapup_outcome",
        ),
        f"SELECT x.*, {_USER.format('agent_id')} AS agent, x.cost_minor AS cost, "
        f"{_WHO.format('contact_id')} AS contact FROM call x WHERE {{where}}",
        times=frozenset({"started_at", "answered_at", "ended_at"}),
        money={"cost": "cost_currency"},
    ),
}
ENTITIES = ("contacts", *TABLES)
EXTRA_FORMATS = {"contacts": ("vcard",), "tasks": ("ics",)}


class ExportError(ValueError):
    """An export that cannot be made as asked (an unknown entity or format)."""


def formats_for(entity: str) -> tuple[str, ...]:
    return FORMATS + EXTRA_FORMATS.get(entity, ())


def export(
    store: Store, entity: str, fmt: str, path: Path, progress: Callable[[int], None] | None = None
) -> int:
    """Write every ``entity`` record to ``path``; returns how many were written."""
    if entity not in ENTITIES:
        raise ExportError(f"unknown records {entity!r}; use one of {', '.join(ENTITIES)}")
    if fmt not in formats_for(entity):
        raise ExportError(f"{entity} export as {fmt!r}: use {', '.join(formats_for(entity))}")
    with store.read() as session:
        if entity == "contacts":
            items: Iterator[Any] = (
                rows.contacts(session) if fmt == "vcard" else contact_lines(session)
            )
            columns = list(OWN_CONTACT_COLUMNS)
        else:
            items = rows.table_rows(session, TABLES[entity])
            columns = list(TABLES[entity].columns)
        writer = _writer(fmt, path, columns, entity)
        try:
            count = _pump(items, writer, entity, fmt, progress)
        except BaseException:
            writer.abort()
            raise
        writer.finish()
    return count


def _writer(fmt: str, path: Path, columns: list[str], entity: str) -> Any:
    if fmt == "vcard":
        return VcfWriter(path)
    if fmt == "ics":
        return IcsWriter(path)
    return open_writer(fmt, path, columns, sheet=entity.capitalize())


def _pump(
    items: Iterator[Any], writer: Any, entity: str, fmt: str, progress: Callable[[int], None] | None
) -> int:
    convert: Callable[[Any], Any]
    if fmt == "vcard":
        convert = vcard
    elif fmt == "ics":
        names = TABLES["tasks"].columns
        convert = lambda row: task_event(dict(zip(names, row, strict=True)))  # noqa: E731
    else:
        convert = list
    count = 0
    for item in items:
        writer.write(convert(item))
        count += 1
        if progress and count % 1000 == 0:
            progress(count)
    if progress:
        progress(count)
    return count
