"""Likely duplicates: the same E.164 number, the same e-mail, or the same
(folded) name at the same company.

:func:`match_contact` answers "is this incoming contact already here?" for the
importer; :func:`find_groups` lists every group in the store, with why its
members were grouped, for ``crmtui duplicates``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str
    sort_key: str
    company_id: str | None
    e164s: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    display_name: str
    company: str
    created_at: str


@dataclass(frozen=True, slots=True)
class Group:
    """Contacts that look like one; ``members[0]`` is the one to keep (the oldest)."""

    members: tuple[Member, ...]
    reasons: tuple[str, ...]

    @property
    def keep(self) -> Member:
        return self.members[0]


def _in(values: Iterable[str]) -> tuple[str, dict[str, str]]:
    params = {f"v{i}": v for i, v in enumerate(values)}
    return ", ".join(f":{k}" for k in params), params


def match_contact(session: Session, cand: Candidate) -> tuple[str, str] | None:
    """(id, reason) of a contact that ``cand`` duplicates, or None."""
    if cand.e164s:
        marks, params = _in(cand.e164s)
        row = session.execute(
            text(f"SELECT contact_id, e164 FROM contact_phone WHERE e164 IN ({marks}) LIMIT 1"),
            params,
        ).first()
        if row:
            return row[0], f"same number {row[1]}"
    if cand.emails:
        marks, params = _in(cand.emails)
        row = session.execute(
            text(
                f"SELECT contact_id, address FROM contact_email WHERE address IN ({marks}) LIMIT 1"
            ),
            params,
        ).first()
        if row:
            return row[0], f"same e-mail {row[1]}"
    return _same_name(session, cand)


def _same_name(session: Session, cand: Candidate) -> tuple[str, str] | None:
    if cand.kind == "company":
        found = session.execute(
            text("SELECT id FROM contact WHERE kind = 'company' AND sort_key = :k LIMIT 1"),
            {"k": cand.sort_key},
        ).scalar()
        return (found, "same company name") if found else None
    if cand.company_id is None:
        return None  # two people called Jean Martin are not one without a company
    found = session.execute(
        text(
            "SELECT id FROM contact WHERE kind = 'person' AND sort_key = :k "
            "AND company_id = :c LIMIT 1"
        ),
        {"k": cand.sort_key, "c": cand.company_id},
    ).scalar()
    return (found, "same name at the same company") if found else None


# Pairs of contacts sharing something, with the reason; each query walks an index.
_PAIRS = {
    "same number {}": "SELECT e164, group_concat(DISTINCT contact_id) FROM contact_phone "
    "WHERE e164 IS NOT NULL GROUP BY e164 HAVING count(DISTINCT contact_id) > 1",
    "same e-mail {}": "SELECT address, group_concat(DISTINCT contact_id) FROM contact_email "
    "GROUP BY address HAVING count(DISTINCT contact_id) > 1",
    "same name {} at the same company": (
        "SELECT min(display_name), group_concat(id) FROM contact WHERE kind = 'person' "
        "AND company_id IS NOT NULL GROUP BY sort_key, company_id HAVING count(*) > 1"
    ),
    "same company name {}": (
        "SELECT min(display_name), group_concat(id) FROM contact WHERE kind = 'company' "
        "GROUP BY sort_key HAVING count(*) > 1"
    ),
}


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, ids: list[str]) -> None:
        root = self.find(ids[0])
        for other in ids[1:]:
            self.parent[self.find(other)] = root


def find_groups(session: Session) -> list[Group]:
    """Every group of likely duplicates, the oldest member first in each."""
    union = _Union()
    reasons: list[tuple[str, str]] = []
    for template, sql in _PAIRS.items():
        for key, joined in session.execute(text(sql)):
            ids = sorted(joined.split(","))
            union.join(ids)
            reasons.append((ids[0], template.format(key)))
    members: dict[str, list[str]] = defaultdict(list)
    for contact_id in list(union.parent):
        members[union.find(contact_id)].append(contact_id)
    why: dict[str, list[str]] = defaultdict(list)
    for contact_id, reason in reasons:
        why[union.find(contact_id)].append(reason)
    groups = [Group(_members(session, ids), tuple(why[root])) for root, ids in members.items()]
    return sorted(groups, key=lambda g: (g.keep.display_name, g.keep.id))


def _members(session: Session, ids: list[str]) -> tuple[Member, ...]:
    marks, params = _in(ids)
    rows = session.execute(
        text(
            "SELECT c.id, c.display_name, COALESCE(co.display_name, ''), c.created_at "
            f"FROM contact c LEFT JOIN contact co ON co.id = c.company_id WHERE c.id IN ({marks}) "
            "ORDER BY c.created_at, c.id"
        ),
        params,
    ).all()
    return tuple(Member(r[0], r[1], r[2], str(r[3])) for r in rows)


def group_of(groups: list[Group], contact_id: str) -> Group | None:
    return next((g for g in groups if any(m.id == contact_id for m in g.members)), None)
