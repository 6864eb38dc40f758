"""The command palette's provider: every command in the registry, and records.

Typing a few letters lists the matching commands of the app and of the
current screen, then contacts (by name, company, e-mail, tag or phone
digits), opportunities (by title) and invoices (by number). Record searches
run in a thread; a contact opens its card, an opportunity its deal screen and
an invoice the invoice editor (read-only unless a draft). Restricted deals are
found only by the users who may see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from .. import commands
from ..store.queries.browse import Found, find_invoices, find_opportunities
from ..store.queries.contacts import search_contacts
from ..store.sql import connection_of
from .base import CrmScreen, DataChanged
from .contact_screen import ContactScreen
from .context import UiContext
from .invoices import InvoiceEditor
from .opportunities.deal_screen import DealScreen

RECORD_HITS = 6


class CrmCommands(Provider):
    def _registry_commands(self) -> list[commands.Command]:
        scope = getattr(self.screen, "SCOPE", "")
        return [*commands.for_scope(scope), *commands.for_scope("app")]

    def _run_command(self, command: commands.Command) -> None:
        node = self.app if command.scope == "app" else self.screen
        self.app.call_later(node.run_action, command.action)

    async def discover(self) -> Hits:
        for command in self._registry_commands():
            yield DiscoveryHit(
                command.help, partial(self._run_command, command), help=command.title
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._registry_commands():
            score = matcher.match(f"{command.title} {command.help}")
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.help),
                    partial(self._run_command, command),
                    help=f"{command.title} · key {command.keys}",
                )
        if len(query.strip()) < 2 or not isinstance(self.screen, CrmScreen):
            return
        for found in await asyncio.to_thread(self._find, self.screen, query):
            label = Text(f"{found.kind}: {found.label}")
            yield Hit(0.5, label, partial(self._open, found), text=label.plain)

    @staticmethod
    def _find(screen: CrmScreen, query: str) -> list[Found]:
        with screen.store.read() as session:
            viewer = screen.store.context(session)
            people = search_contacts(connection_of(session), query, limit=RECORD_HITS).rows
            found = [Found("contact", r.id, r.display_name, r.id) for r in people]
            found += find_opportunities(session, query, RECORD_HITS, viewer)
            found += find_invoices(session, query, RECORD_HITS)
        return found

    def _open(self, found: Found) -> None:
        screen = self.screen
        if isinstance(screen, CrmScreen):
            self.app.push_screen(*opener(screen.ctx, found, screen))


def opener(
    ctx: UiContext, found: Found, under: CrmScreen
) -> tuple[Screen[object], Callable[[object], None]]:
    """The screen a found record opens in, and what to do when it closes: the
    screen underneath reads again if the record was saved."""

    def closed(saved: object) -> None:
        if saved:
            under.post_message(DataChanged())

    screen: Screen[object]
    if found.kind == "opportunity":
        screen = DealScreen(ctx, found.id)  # type: ignore[assignment]
    elif found.kind == "invoice":
        screen = InvoiceEditor.for_invoice(ctx, found.id)  # type: ignore[assignment]
    else:
        screen = ContactScreen(ctx, found.id)  # type: ignore[assignment]
    return screen, closed
