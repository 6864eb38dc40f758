"""What hangs off each of a few contacts, to choose which duplicate to keep:
its phones and e-mails, and how many activities, deals and invoices point at it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Footprint:
    phones: tuple[tuple[str, str | None], ...]  # (raw, e164), in the contact's order
    emails: tuple[str, ...]
    activities: int
    deals: int
    invoices: int


# Each count keyed by contact; a deal counts once even when linked twice.
_COUNTS = {
    "activities": "SELECT contact_id, count(*) FROM activity WHERE contact_id IN ({}) GROUP BY 1",
    "deals": (
        "SELECT contact_id, count(DISTINCT opportunity_id) FROM ("
        "SELECT contact_id, id AS opportunity_id FROM opportunity WHERE contact_id IN ({0}) "
        "UNION SELECT contact_id, opportunity_id FROM opportunity_contact "
        "WHERE contact_id IN ({0})) GROUP BY 1"
    ),
    "invoices": "SELECT client_id, count(*) FROM invoice WHERE client_id IN ({}) GROUP BY 1",
}


def footprints(session: Session, ids: list[str]) -> dict[str, Footprint]:
    """The footprint of each contact of ``ids`` (at most a few hundred)."""
    if not ids:
        return {}
    params = {f"c{i}": v for i, v in enumerate(ids)}
    marks = ", ".join(f":{k}" for k in params)
    phones: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for cid, raw, e164 in session.execute(
        text(
            f"SELECT contact_id, raw, e164 FROM contact_phone WHERE contact_id IN ({marks}) "
            "ORDER BY contact_id, position"
        ),
        params,
    ):
        phones[cid].append((raw, e164))
    emails: dict[str, list[str]] = defaultdict(list)
    for cid, address in session.execute(
        text(
            f"SELECT contact_id, address FROM contact_email WHERE contact_id IN ({marks}) "
            "ORDER BY contact_id, position"
        ),
        params,
    ):
        emails[cid].append(address)
    counts = {
        name: dict(session.execute(text(sql.format(marks)), params).all())
        for name, sql in _COUNTS.items()
    }
    return {
        cid: Footprint(
            tuple(phones[cid]),
            tuple(emails[cid]),
            int(counts["activities"].get(cid, 0)),
            int(counts["deals"].get(cid, 0)),
            int(counts["invoices"].get(cid, 0)),
        )
        for cid in ids
    }
