"""``crmtui contacts``: list, search, add and delete people and companies."""

from __future__ import annotations

import typer

from ..store.phones import format_for_display
from ..store.queries.contacts import ContactFilter, count_contacts, list_contacts, search_contacts
from ..store.sql import connection_of
from . import common

app = typer.Typer(help="People and companies.", no_args_is_help=True)

HEADERS = ("id", "kind", "name", "company", "phone", "email", "tags")


@app.command("list")
def list_(
    search: str = typer.Option("", "--search", "-s", help="Names, e-mails, tags or digits."),
    kind: str | None = typer.Option(None, help="person or company"),
    limit: int = typer.Option(50, min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="JSON for scripts."),
) -> None:
    """List contacts in name order, or those matching --search."""
    with common.store() as st, st.read() as session:
        region = st.context(session).region
        if search:
            page = search_contacts(connection_of(session), search, limit=limit)
        else:
            page = list_contacts(
                connection_of(session), limit=limit, filters=ContactFilter(kind=kind)
            )
        rows = [
            (
                r.id,
                r.kind,
                r.display_name,
                r.company,
                format_for_display(r.phone_raw, r.phone_e164, region),
                r.email,
                r.tags,
            )
            for r in page.rows
        ]
    common.print_rows(HEADERS, rows, as_json=as_json)


@app.command("count")
def count(kind: str | None = typer.Option(None, help="person or company")) -> None:
    """Print how many contacts the store holds."""
    with common.store() as st, st.read() as session:
        typer.echo(count_contacts(connection_of(session), ContactFilter(kind=kind)))


@app.command("add")
def add(
    first: str = typer.Option("", "--first", help="First name of a person."),
    last: str = typer.Option("", "--last", help="Last name of a person."),
    company: str = typer.Option("", "--company", help="A company's name (makes a company)."),
    phone: list[str] = typer.Option([], "--phone", help="Repeatable."),
    email: list[str] = typer.Option([], "--email", help="Repeatable."),
    tag: list[str] = typer.Option([], "--tag", help="Repeatable."),
) -> None:
    """Create a person (--first/--last) or a company (--company); prints its id."""
    args = {
        "kind": "person" if (first or last) else "company",
        "first_name": first,
        "last_name": last,
        "company_name": "" if (first or last) else company,
        "phones": [{"raw": p} for p in phone],
        "emails": [{"address": e} for e in email],
        "tags": tag,
    }
    with common.store() as st:
        typer.echo(st.mutate("contact.create", args))


@app.command("delete")
def delete(contact_id: str, yes: bool = typer.Option(False, "--yes", help="Do not ask.")) -> None:
    """Delete a contact (refused while it has invoices)."""
    if not yes:
        typer.confirm(f"Delete contact {contact_id}?", abort=True)
    with common.store() as st:
        st.mutate("contact.delete", {"id": contact_id})
    typer.echo(f"deleted {contact_id}")
