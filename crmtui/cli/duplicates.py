"""``crmtui duplicates``: find likely duplicate contacts and merge them."""

from __future__ import annotations

import typer

from ..exchange.duplicates import Group, find_groups, group_of
from . import common

app = typer.Typer(help="Find and merge duplicate contacts.", no_args_is_help=True)


@app.command("find")
def find(as_json: bool = typer.Option(False, "--json", help="JSON for scripts.")) -> None:
    """List groups of likely duplicates, each with why it was grouped.

    The first contact of a group (the oldest) is the one a merge keeps."""
    with common.store(create=False) as st, st.read() as session:
        groups = find_groups(session)
    rows = [
        (
            n,
            "keep" if i == 0 else "merge",
            m.id,
            m.display_name,
            m.company,
            "; ".join(g.reasons) if i == 0 else "",
        )
        for n, g in enumerate(groups, 1)
        for i, m in enumerate(g.members)
    ]
    common.print_rows(
        ("group", "role", "id", "name", "company", "reason"),
        rows,
        as_json=as_json,
        title=f"{len(groups)} group(s) of likely duplicates",
    )


@app.command("merge")
def merge(
    contact_id: str | None = typer.Argument(
        None, help="Any contact of the group to merge (see `duplicates find`)."
    ),
    all_: bool = typer.Option(False, "--all", help="Merge every group."),
    keep: str | None = typer.Option(None, "--keep", help="The contact to keep (default: oldest)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would merge; change nothing."),
) -> None:
    """Merge one group (or --all): keep one contact, move everything linked onto it."""
    if all_ == (contact_id is not None):
        common.fail("give one contact id, or --all")
    with common.store(create=False) as st:
        with st.read() as session:
            groups = find_groups(session)
        chosen = groups if all_ else _one(groups, contact_id or "")
        plans = [_plan(g, keep) for g in chosen]
        rows = [(kept, ", ".join(merged)) for kept, merged in plans]
        if not dry_run and plans:
            st.mutate_many([("contact.merge", {"keep_id": k, "merge_ids": m}) for k, m in plans])
    verb = "would merge" if dry_run else "merged"
    common.print_rows(("kept", "merged"), rows, title=f"{verb} {len(rows)} group(s)")


def _one(groups: list[Group], contact_id: str) -> list[Group]:
    group = group_of(groups, contact_id)
    if group is None:
        raise common.fail(f"contact {contact_id} is in no group of duplicates", common.PARTIAL)
    return [group]


def _plan(group: Group, keep: str | None) -> tuple[str, list[str]]:
    """(kept id, merged ids) for one group."""
    ids = [m.id for m in group.members]
    if keep is not None and keep not in ids:
        raise common.fail(f"--keep {keep} is not in the group of {ids[0]}")
    kept = keep or ids[0]
    return kept, [i for i in ids if i != kept]
